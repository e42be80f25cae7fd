// The extension-host test runner: VS Code (desktop, or code-server through the harness) loads this
// module from --extensionTestsPath and awaits run(). Test files are the bundled *.test.js files next
// to it (scripts/build-tests.mjs).
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: true,
    timeout: Number(process.env.DFW_MOCHA_TIMEOUT_MS ?? 20_000),
    ...(process.env.DFW_MOCHA_GREP ? { grep: process.env.DFW_MOCHA_GREP } : {}),
  });
  const testFiles = readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort();
  if (testFiles.length === 0) throw new Error(`No *.test.js files next to ${__filename}; run scripts/build-tests.mjs`);
  for (const file of testFiles) mocha.addFile(path.join(__dirname, file));

  const failures = await new Promise<number>((resolve, reject) => {
    try {
      mocha.run(resolve);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
  if (failures > 0) throw new Error(`${failures} extension test(s) failed`);
}
