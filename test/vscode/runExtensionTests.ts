// Runs the extension-host suite (built by scripts/build-tests.mjs into out/test/vscode/suite-PID) through an
// unchanged @vscode/test-electron runTests(). Here VS Code cannot be downloaded, so by default the
// "VS Code executable" is the harness shim that runs the suite in code-server + Chromium; with
// DFW_VSCODE=desktop (a desktop with internet) runTests downloads and drives desktop VS Code.
//
//   npm run build && node --import tsx test/vscode/runExtensionTests.ts
//
// The suite is bundled first (scripts/build-tests.mjs, a tenth of a second) so it is never stale;
// the extension itself (dist/extension.js) is `npm run build`'s.
//
// The suite works on the lab (LAB_NAME, default dfw; `bash lab/lab.sh up --docker 20,28`): the
// extension is configured, in user settings, with the lab's hosts, ssh config and known_hosts, and
// without confirmation modals; the suite finds the lab's state.json in DFW_LAB_STATE. The extension
// host must run in the lab's outside namespace: DFW_TEST_NETNS=<lab>-out. Each run gets a fresh
// profile (user data and extensions folders), removed afterwards.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runTests, TestRunFailedError } from '@vscode/test-electron';
import { extensionSuiteLab, labStatePath, loadLab, type Lab } from '../support/lab';
import { describeCodeServer } from './harness/codeServer';

const repoRoot = path.resolve(__dirname, '..', '..');
// A bundle of the suite per run (under out/, where mocha is found in node_modules): two runs side by
// side, on two VS Code versions, never rebuild each other's files while they load.
const suiteOutDir = path.join(repoRoot, 'out', 'test', 'vscode', `suite-${process.pid}`);
const extensionTestsPath = path.join(suiteOutDir, 'index.js');
const shim = path.join(repoRoot, 'test', 'vscode', 'harness', 'code-server-test-electron');

async function main(): Promise<number> {
  const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-tests.mjs'), suiteOutDir], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('scripts/build-tests.mjs failed');
  if (!existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing; run npm run build');
  const desktop = process.env.DFW_VSCODE === 'desktop';
  const lab = extensionSuiteLab(loadLab());
  if (!desktop && process.env.DFW_TEST_NETNS !== lab.outside.ns) {
    throw new Error(
      `DFW_TEST_NETNS is ${JSON.stringify(process.env.DFW_TEST_NETNS ?? '')}, but the suite must run in lab ${lab.name}'s outside namespace: ` +
        `DFW_TEST_NETNS=${lab.outside.ns} LAB_NAME=${lab.name}`,
    );
  }
  if (!desktop) console.log(`extension-host suite: ${describeCodeServer()}, lab ${lab.name}`);
  const settings = { ...labSettings(lab), ...settingsFromEnv() };
  const profile = mkdtempSync(path.join(tmpdir(), 'dfw-vscode-suite-'));
  const userDataDir = path.join(profile, 'user-data');
  // What the shim merges in from DFW_TEST_SETTINGS; desktop Code reads the file.
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  try {
    return await runTests({
      ...(desktop ? { version: process.env.DFW_VSCODE_VERSION ?? '1.100.3' } : { vscodeExecutablePath: shim }),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      launchArgs: [
        process.env.DFW_TEST_WORKSPACE ?? repoRoot,
        `--user-data-dir=${userDataDir}`,
        `--extensions-dir=${path.join(profile, 'extensions')}`,
        ...(desktop ? ['--disable-extensions'] : []),
      ],
      extensionTestsEnv: {
        DFW_TEST_SETTINGS: JSON.stringify(settings),
        DFW_LAB_STATE: labStatePath(lab.name),
        DFW_SUITE_HOSTS: lab.hosts.map((h) => h.name).join(','),
        LAB_NAME: lab.name,
      },
    });
  } catch (error) {
    if (error instanceof TestRunFailedError) return typeof error.code === 'number' && error.code !== 0 ? error.code : 1;
    throw error;
  } finally {
    rmSync(profile, { recursive: true, force: true });
    rmSync(suiteOutDir, { recursive: true, force: true });
  }
}

/** User settings that point the extension at the lab's hosts (all application-scoped: User settings). */
function labSettings(lab: Lab): Record<string, unknown> {
  return {
    'dockerFirewall.hosts': lab.hosts.map((host) => ({ name: host.name, destination: host.name })),
    'dockerFirewall.sshConfigPath': lab.sshConfig,
    'dockerFirewall.knownHostsPath': lab.knownHosts,
    // The suite runs commands through executeCommand; the UI test answers the real modals.
    'dockerFirewall.confirmDestructiveActions': false,
    // No background reads racing the suite's own.
    'dockerFirewall.refreshInterval': 0,
    // Port items show exactly their exposure; the Check From Here suite turns the check after a change on.
    'dockerFirewall.verifyAfterChange': false,
    // Twice verify's default: CI runs this suite beside others on two cores, where a UDP reply was
    // seen to take more than 1.5 s (a port that answers must not read as open|filtered).
    'dockerFirewall.checkTimeout': 3000,
  };
}

/** DFW_TEST_SETTINGS as given by the caller, laid over the lab's settings. */
function settingsFromEnv(): Record<string, unknown> {
  const raw = process.env.DFW_TEST_SETTINGS;
  if (!raw) return {};
  const value: unknown = JSON.parse(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('DFW_TEST_SETTINGS must be a JSON object of settings');
  return value as Record<string, unknown>;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
