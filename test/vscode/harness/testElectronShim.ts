// Stands in for the VS Code executable that @vscode/test-electron's runTests() spawns: it accepts
// the same command line (see runTests in node_modules/@vscode/test-electron/out/runTest.js) and runs
// the suite in code-server + Chromium instead of desktop Code, which cannot be downloaded here.
//
//   code-server-test-electron [launchArgs…] --extensionTestsPath=P --extensionDevelopmentPath=P…
//                             [--user-data-dir=D] [--extensions-dir=D] [desktop-only flags…]
//
// Environment: DFW_TEST_NETNS (network namespace for code-server and Chromium), DFW_TEST_TIMEOUT_MS
// (default 300000), DFW_TEST_LOGS_DIR (keep code-server and workbench logs there), DFW_TEST_SETTINGS
// (JSON object of extra user settings), DFW_TEST_HOME (HOME of code-server and the extension host
// instead of a throw-away folder, e.g. for ~/.ssh). Everything else in the environment, including
// runTests' extensionTestsEnv, reaches the extension host (codeServer.ts drops only PORT,
// NODE_OPTIONS, PASSWORD-like and VSCODE_*/ELECTRON_* variables).
import { runExtensionTestsInCodeServer } from './extensionTests';
import { netnsFromEnv } from './netns';

interface ShimArgs {
  extensionDevelopmentPath: string[];
  extensionTestsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
  paths: string[];
}

// Flags that take a separate value when not written as --flag=value.
const VALUE_FLAGS = new Set(['--extensionDevelopmentPath', '--extensionTestsPath', '--user-data-dir', '--extensions-dir', '--locale', '--profile']);

function parseShimArgs(argv: readonly string[]): ShimArgs {
  const parsed: ShimArgs = { extensionDevelopmentPath: [], paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      parsed.paths.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined && VALUE_FLAGS.has(flag)) value = argv[++i];
    switch (flag) {
      case '--extensionDevelopmentPath':
        if (value) parsed.extensionDevelopmentPath.push(value);
        break;
      case '--extensionTestsPath':
        parsed.extensionTestsPath = value;
        break;
      case '--user-data-dir':
        parsed.userDataDir = value;
        break;
      case '--extensions-dir':
        parsed.extensionsDir = value;
        break;
      default:
      // Desktop-only switches (--no-sandbox, --disable-gpu-sandbox, --disable-updates, --skip-welcome,
      // --skip-release-notes, --no-cached-data, --disable-workspace-trust…) mean nothing here.
    }
  }
  return parsed;
}

function settingsFromEnv(): Record<string, unknown> | undefined {
  const raw = process.env.DFW_TEST_SETTINGS;
  if (!raw) return undefined;
  const value: unknown = JSON.parse(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('DFW_TEST_SETTINGS must be a JSON object of settings');
  }
  return value as Record<string, unknown>;
}

function timeoutFromEnv(): number {
  const raw = process.env.DFW_TEST_TIMEOUT_MS;
  // A cap for a run that hangs, not a speed target: the whole extension-host suite took 390 s on
  // a busy 2-core machine once it held the window-host, group and live-host suites.
  if (!raw) return 10 * 60_000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`DFW_TEST_TIMEOUT_MS must be a positive integer, got ${raw}`);
  return value;
}

async function main(): Promise<number> {
  const args = parseShimArgs(process.argv.slice(2));
  if (args.extensionTestsPath === undefined || args.extensionDevelopmentPath.length === 0) {
    process.stderr.write('code-server-test-electron: --extensionTestsPath and --extensionDevelopmentPath are required\n');
    return 2;
  }
  const [target, ...extraPaths] = args.paths;
  if (extraPaths.length > 0) process.stderr.write(`code-server-test-electron: opening only ${target}, ignoring ${extraPaths.join(' ')}\n`);
  const netns = netnsFromEnv('DFW_TEST_NETNS');
  const started = Date.now();
  const code = await runExtensionTestsInCodeServer({
    extensionDevelopmentPath: args.extensionDevelopmentPath,
    extensionTestsPath: args.extensionTestsPath,
    folder: target !== undefined && !target.endsWith('.code-workspace') ? target : undefined,
    workspace: target?.endsWith('.code-workspace') ? target : undefined,
    userDataDir: args.userDataDir,
    extensionsDir: args.extensionsDir,
    netns,
    settings: settingsFromEnv(),
    env: process.env.DFW_TEST_HOME ? { HOME: process.env.DFW_TEST_HOME } : undefined,
    timeoutMs: timeoutFromEnv(),
    logsDir: process.env.DFW_TEST_LOGS_DIR || undefined,
    signal: abort.signal,
  });
  const where = netns === undefined ? '' : ` in netns ${netns}`;
  process.stderr.write(`code-server-test-electron: exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s${where}\n`);
  return code;
}

// runTests() sends SIGINT on Ctrl+C (and kills the tree on a second one). The first signal stops
// code-server and Chromium cleanly; a second exits at once, and the harness's exit handlers then
// SIGKILL code-server's process group while Playwright kills Chromium's.
const abort = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write(`code-server-test-electron: ${signal}, stopping code-server and Chromium\n`);
    abort.abort();
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`code-server-test-electron: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
