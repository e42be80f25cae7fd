// The extension-host test runner: VS Code (desktop, or code-server through the harness) loads this
// module from --extensionTestsPath and awaits run(). Test files are the bundled *.test.js files next
// to it (scripts/build-tests.mjs).
//
// A run in which no test ran fails (a filter that matches nothing, a suite that lost its tests);
// under CI=true a grep filter is refused and a pending (skipped) test fails the run.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const ci = process.env.CI === 'true';
  const grep = process.env.DFW_MOCHA_GREP;
  if (ci && grep) throw new Error(`CI=true runs every extension test: DFW_MOCHA_GREP=${grep} is refused`);
  const mocha = new Mocha({
    ui: 'tdd',
    color: true,
    timeout: Number(process.env.DFW_MOCHA_TIMEOUT_MS ?? 20_000),
    ...(grep ? { grep } : {}),
  });
  const testFiles = readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort();
  if (testFiles.length === 0) throw new Error(`No *.test.js files next to ${__filename}; run scripts/build-tests.mjs`);
  for (const file of testFiles) mocha.addFile(path.join(__dirname, file));

  const counts = { passed: 0, failed: 0, pending: [] as string[] };
  await new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run(() => resolve());
      runner.on('pass', () => counts.passed++);
      runner.on('fail', () => counts.failed++);
      runner.on('pending', (test: Mocha.Test) => counts.pending.push(test.fullTitle()));
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
  console.log(`extension tests: ${counts.passed + counts.failed} ran (${counts.passed} passed, ${counts.failed} failed), ${counts.pending.length} pending`);
  if (counts.failed > 0) throw new Error(`${counts.failed} extension test(s) failed`);
  if (counts.passed === 0) throw new Error(`no extension test ran${grep ? ` (DFW_MOCHA_GREP=${grep} matched none)` : ''}`);
  if (ci && counts.pending.length > 0) throw new Error(`CI=true, and ${counts.pending.length} extension test(s) were skipped: ${counts.pending.join('; ')}`);
}
