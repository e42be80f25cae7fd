import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every test file is run by a step of scripts/test-all.sh (what CI runs), and the steps are listed
 * without conditions: a file outside every step would never run, and a step that depends on a file
 * being there drops out silently when it is renamed. A step is a `step NAME COMMAND...` line, or a
 * `beside NAME LAB COMMAND...` line (run in the background on a second lab) that a `collect` line
 * after it waits for.
 */
const ROOT = join(__dirname, '../..');
const script = readFileSync(join(ROOT, 'scripts/test-all.sh'), 'utf8');
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** What a command runs: the test folders and files it names, through npm scripts and the extension-test runner. */
function testsRunBy(command: string): string[] {
  const npm = /npm run (?:--silent )?(\S+)/.exec(command);
  if (npm !== null) {
    const body = scripts[npm[1]!];
    assert.ok(body !== undefined, `test-all.sh runs npm script ${npm[1]}, which package.json lacks`);
    return testsRunBy(body);
  }
  const named = [...command.matchAll(/(?:^|\s)(test\/[^\s&;|]+)/g)].map((m) => m[1]!);
  // runExtensionTests.ts runs the suite that scripts/build-tests.mjs bundles from test/vscode/suite.
  return named.flatMap((path) => (path === 'test/vscode/runExtensionTests.ts' ? ['test/vscode/suite'] : [path]));
}

function* testFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* testFiles(path);
    else if (/\.(test|ui)\.ts$/.test(name)) yield relative(ROOT, path);
  }
}

test('test-all.sh lists its steps without conditions on files', () => {
  assert.doesNotMatch(script, /\[\[ -[efd] |\btest -[efd] |\[ -[efd] /, 'a step that depends on a file existing');
  assert.ok((script.match(/^step '/gm) ?? []).length >= 6, 'the steps are listed');
  const beside = script.search(/^beside '/m);
  assert.ok(beside === -1 || script.slice(beside).search(/^collect$/m) !== -1, 'a step run beside the others is collected');
});

test('every test file is run by a step of test-all.sh', () => {
  const roots = script
    .split('\n')
    .filter((line) => line.startsWith('step ') || line.startsWith('beside '))
    .flatMap((line) => testsRunBy(line.replace(/^step '[^']*' /, '').replace(/^beside '[^']*' \S+ /, '')));
  assert.ok(roots.includes('test/unit') && roots.includes('test/reliability'), JSON.stringify(roots));
  for (const root of roots) assert.doesNotThrow(() => statSync(join(ROOT, root)), `a step runs ${root}, which does not exist`);
  const orphans = [...testFiles(join(ROOT, 'test'))].filter((file) => !roots.some((root) => file === root || file.startsWith(`${root}/`)));
  assert.deepEqual(orphans, [], 'test files no step runs');
});
