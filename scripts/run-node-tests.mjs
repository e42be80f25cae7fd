// Runs every *.test.ts under the given folders with node's test runner (TypeScript through tsx).
// Node 20's runner does not expand globs itself, so the files are listed here. --test-force-exit:
// a test that fails while an SSH session is open must not leave the run waiting on that socket.
//
// A run fails when no test ran at all (a renamed folder, a filter that matches nothing), and under
// CI=true also when any test or suite was skipped (the lab, root or a tool missing is then a failure,
// named with its reason) or when a name filter is given: CI runs everything.
// Every run gets an id (DFW_RUN_ID, kept if given) that the reliability figures are filed under.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith('--'));
const passThrough = args.filter((a) => a.startsWith('--'));
const ci = process.env.CI === 'true';
const say = (message) => console.error(`run-node-tests: ${message}`);

const FILTERS = ['--test-name-pattern', '--test-skip-pattern', '--test-only'];
const filter = passThrough.find((a) => FILTERS.some((f) => a === f || a.startsWith(`${f}=`)));
if (ci && filter !== undefined) {
  say(`CI=true runs every test: ${filter} is refused`);
  process.exit(2);
}

function* walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (name.endsWith('.test.ts')) yield path;
  }
}

// A root is a folder (every *.test.ts under it) or one test file.
const files = roots.flatMap((root) => (statSync(root).isDirectory() ? [...walk(root)] : [root]));
if (files.length === 0) {
  say(`no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}
const reporter = join(dirname(fileURLToPath(import.meta.url)), 'test-counts-reporter.mjs');
const countsFile = join(tmpdir(), `dfw-test-counts-${process.pid}.json`);
const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${reporter}`, '--test-reporter-destination=stdout',
    ...passThrough, ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, DFW_TEST_COUNTS_FILE: countsFile, DFW_RUN_ID: process.env.DFW_RUN_ID || new Date().toISOString() } },
);

let lines;
try {
  lines = readFileSync(countsFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
} catch (error) {
  say(`no test counts from the run (${error instanceof Error ? error.message : String(error)})`);
  process.exit(result.status || 1);
} finally {
  rmSync(countsFile, { force: true });
}
const ran = lines.filter((l) => !l.suite && l.skip === undefined && l.todo === undefined);
const counts = {
  passed: ran.filter((l) => l.outcome === 'pass').length,
  failed: ran.filter((l) => l.outcome === 'fail').length,
  skipped: lines.filter((l) => l.skip !== undefined).map((l) => ({ test: l.test, reason: l.skip })),
  todo: lines.filter((l) => l.todo !== undefined).map((l) => ({ test: l.test, reason: `${l.todo}; it ${l.outcome === 'pass' ? 'PASSED: take the todo away' : 'still fails'}` })),
};
say(`${counts.passed + counts.failed} tests ran in ${files.length} files (${counts.passed} passed, ${counts.failed} failed); ${counts.skipped.length} skipped, ${counts.todo.length} todo`);
for (const { test, reason } of counts.todo) say(`todo: ${test} (${reason})`);
for (const { test, reason } of counts.skipped) say(`skipped: ${test} (${reason})`);
let status = result.status ?? 1;
if (counts.passed + counts.failed === 0) {
  say(`FAILED: no test ran under ${roots.join(', ')}`);
  status = status || 1;
}
if (ci && counts.skipped.length > 0) {
  say(`FAILED: CI=true, and ${counts.skipped.length} test(s) or suite(s) were skipped (listed above): what they need is missing`);
  status = status || 1;
}
process.exit(status);
