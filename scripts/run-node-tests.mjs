// Runs every *.test.ts under the given folders with node's test runner (TypeScript through tsx).
// Node 20's runner does not expand globs itself, so the files are listed here. --test-force-exit:
// a test that fails while an SSH session is open must not leave the run waiting on that socket.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith('--'));
const passThrough = args.filter((a) => a.startsWith('--'));

function* walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (name.endsWith('.test.ts')) yield path;
  }
}

const files = roots.flatMap((root) => [...walk(root)]);
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-force-exit', ...passThrough, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
