import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getL10nJson } from '@vscode/l10n-dev';
import { rawPackageJson, repoRoot } from '../../support/packageJson';

// What the extension shows at run time is ready for translation, as the manifest is (manifestStrings.test.ts):
// each text goes through vscode.l10n.t (files that import vscode) or @vscode/l10n's t (the pure modules,
// which run in plain Node tests, and the core's texts that VS Code shows: warnings, exposure reasons,
// allows, time left), with English as the source, and l10n/bundle.l10n.json, the bundle that
// translations start from, holds exactly those texts. `npm run l10n:export` writes it; this test runs the
// same extractor (@vscode/l10n-dev) on the sources, so a text added without exporting again fails here.
// The CLI never configures @vscode/l10n: it prints the English source.

const SOURCES = ['src/vscode', 'src/core'];
const BUNDLE = 'l10n/bundle.l10n.json';

function* typescriptFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* typescriptFiles(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

const files = SOURCES.flatMap((dir) => [...typescriptFiles(join(repoRoot, dir))]).map((path) => ({ name: relative(repoRoot, path), contents: readFileSync(path, 'utf8') }));

test(`${BUNDLE} holds every text src/vscode and src/core translate, and no other (else: npm run l10n:export)`, async () => {
  // Only files that name l10n can translate (the extractor takes some 100 ms a file, whatever is in it).
  const exported = await getL10nJson(files.filter(({ contents }) => contents.includes('l10n')).map(({ contents }) => ({ extension: '.ts', contents })));
  const bundle = JSON.parse(readFileSync(join(repoRoot, BUNDLE), 'utf8')) as Record<string, unknown>;
  assert.ok(Object.keys(exported).length > 100, `the extractor found only ${Object.keys(exported).length} texts in ${SOURCES.join(' and ')}`);
  const missing = Object.keys(exported).filter((key) => !(key in bundle));
  assert.deepEqual(missing, [], `texts missing from ${BUNDLE}: run npm run l10n:export`);
  const unused = Object.keys(bundle).filter((key) => !(key in exported));
  assert.deepEqual(unused, [], `texts in ${BUNDLE} that no code uses any more: run npm run l10n:export`);
  assert.deepEqual(bundle, exported, `${BUNDLE} differs from what npm run l10n:export writes (a translator's comment changed?)`);
  // The key of a text with a comment is "message/comment": the extractor joins several comments with ",", t() with "".
  const multiComment = Object.entries(exported).filter(([, value]) => typeof value !== 'string' && value.comment.length > 1);
  assert.deepEqual(multiComment.map(([key]) => key), [], 'give a translator one comment per text');
});

test('every l10n.t call gives its text as a literal, which the extractor can read', () => {
  // A template literal or a variable as the message would be translated at run time from a key no bundle holds.
  const unreadable = files.flatMap(({ name, contents }) =>
    [...contents.matchAll(/\bl10n\.t\((?!\s*['"]|\s*\{\s*message:\s*['"])/g)].map((m) => `${name}:${contents.slice(0, m.index).split('\n').length}`),
  );
  assert.deepEqual(unreadable, []);
});

test('a file that imports vscode translates with vscode.l10n; the pure modules with @vscode/l10n, configured at activation', () => {
  const importsVscode = /^import \* as vscode from 'vscode';$/m;
  const importsL10n = /^import \* as l10n from '@vscode\/l10n';$/m;
  for (const { name, contents } of files) {
    assert.ok(!(importsVscode.test(contents) && importsL10n.test(contents)), `${name} imports vscode: it uses vscode.l10n.t`);
    if (/\bl10n\.t\(/.test(contents) && !importsVscode.test(contents)) assert.match(contents, importsL10n, `${name} translates without importing @vscode/l10n`);
  }
  assert.match(readFileSync(join(repoRoot, 'src/extension.ts'), 'utf8'), /l10n\.config\(\{ contents: vscode\.l10n\.bundle \}\)/);
  assert.equal((rawPackageJson as { l10n?: unknown }).l10n, './l10n', 'package.json names the folder of the bundles');
});
