// Runs the extension-host suite (out/test/vscode/suite, built by scripts/build-tests.mjs) through an
// unchanged @vscode/test-electron runTests(). Here VS Code cannot be downloaded, so by default the
// "VS Code executable" is the harness shim that runs the suite in code-server + Chromium; with
// DFW_VSCODE=desktop (a desktop with internet) runTests downloads and drives desktop VS Code.
//
//   npm run build && node --import tsx test/vscode/runExtensionTests.ts
//
// The suite is bundled first (scripts/build-tests.mjs, a tenth of a second) so it is never stale;
// the extension itself (dist/extension.js) is `npm run build`'s.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { runTests, TestRunFailedError } from '@vscode/test-electron';

const repoRoot = path.resolve(__dirname, '..', '..');
const extensionTestsPath = path.join(repoRoot, 'out', 'test', 'vscode', 'suite', 'index.js');
const shim = path.join(repoRoot, 'test', 'vscode', 'harness', 'code-server-test-electron');

async function main(): Promise<number> {
  const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-tests.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('scripts/build-tests.mjs failed');
  if (!existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing; run npm run build');
  const desktop = process.env.DFW_VSCODE === 'desktop';
  try {
    return await runTests({
      ...(desktop ? { version: process.env.DFW_VSCODE_VERSION ?? '1.100.3' } : { vscodeExecutablePath: shim }),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      launchArgs: [process.env.DFW_TEST_WORKSPACE ?? repoRoot, ...(desktop ? ['--disable-extensions'] : [])],
    });
  } catch (error) {
    if (error instanceof TestRunFailedError) return typeof error.code === 'number' && error.code !== 0 ? error.code : 1;
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
