// Starts code-server (a VS Code server + web workbench of the version scripts/install-code-server.sh installed)
// for one test run: throw-away HOME, fresh profile, its own process group, optionally inside a network
// namespace. The extension under test runs in its Node extension host, which inherits this environment.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { inNetns } from './netns';
import { killProcessGroup, signalProcessGroup } from './processGroup';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** Where scripts/install-code-server.sh installs code-server; DFW_CODE_SERVER_DIR overrides both. */
export const DEFAULT_CODE_SERVER_DIR = process.env.DFW_CODE_SERVER_DIR || path.join(REPO_ROOT, '.tools', 'code-server');

/** User settings that keep the workbench quiet and offline during tests (see shared notes). */
export const TEST_USER_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'git.enabled': false,
};

export interface CodeServerOptions {
  /** Folder opened as the workspace (code-server's positional argument). */
  folder?: string;
  /** Run inside this network namespace (`ip netns exec NAME …`); the browser must join it too. */
  netns?: string;
  /** Defaults to a fresh folder inside `stateDir`. */
  userDataDir?: string;
  /** Defaults to a fresh (empty) folder inside `stateDir`. */
  extensionsDir?: string;
  /** Merged over TEST_USER_SETTINGS into `<userDataDir>/User/settings.json`. */
  settings?: Readonly<Record<string, unknown>>;
  /** Added last to code-server's environment, so it can override HOME and XDG_*. */
  env?: Readonly<Record<string, string>>;
  /** More code-server flags, e.g. `--enable-proposed-api`. */
  extraArgs?: readonly string[];
  /** Where scripts/install-code-server.sh installed it; default `.tools/code-server`. */
  installDir?: string;
  /** Each line code-server writes to stdout or stderr (also kept in `logFile`). */
  onOutput?: (line: string) => void;
  /** Default 30 s. */
  startTimeoutMs?: number;
  /** Keep the throw-away folder (logs, profile) after stop(). */
  keepState?: boolean;
}

export interface CodeServer {
  /** Port on 127.0.0.1 of the server's network namespace. */
  readonly port: number;
  /** `127.0.0.1:PORT`: the workbench's remote authority as seen from the browser. */
  readonly authority: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly netns: string | undefined;
  /** Throw-away folder holding HOME, XDG dirs, the default profile and `code-server.log`. */
  readonly stateDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly logFile: string;
  /** Leader of code-server's own process group. */
  readonly pid: number;
  /** Settles with a description once code-server's process exits (it never rejects). */
  readonly exited: Promise<string>;
  /** Kills the whole process group (SIGTERM, then SIGKILL) and removes the throw-away folder. */
  stop(): Promise<void>;
}

/** The code-server entry point, or an error that says how to install it. */
export function codeServerEntry(installDir: string = DEFAULT_CODE_SERVER_DIR): string {
  const entry = path.join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) {
    throw new Error(`code-server is not installed at ${installDir}; run scripts/install-code-server.sh`);
  }
  return entry;
}

/**
 * The Node that runs code-server: the one scripts/install-code-server.sh installed beside it
 * (`<installDir>/node`, for a code-server that needs another Node than ours), else this process's.
 */
export function codeServerNode(installDir: string = DEFAULT_CODE_SERVER_DIR): string {
  const node = path.join(installDir, 'node');
  return existsSync(node) ? node : process.execPath;
}

/**
 * code-server's flags that make its workbench run an extension test payload (`extensionTestsPath`
 * in the workbench URL) and report through window.codeAutomationExit: none up to 4.100 (VS Code
 * 1.100 honours it as it is); newer ones honour it only with VS Code's smoke-test driver, passed
 * through code-server's --vscode-option (read from its own command-line code, not guessed from the
 * version).
 */
export function testPayloadArgs(installDir: string = DEFAULT_CODE_SERVER_DIR): string[] {
  const cli = readFileSync(path.join(installDir, 'node_modules', 'code-server', 'out', 'node', 'cli.js'), 'utf8');
  return cli.includes('"vscode-option"') ? ['--vscode-option', 'enable-smoke-test-driver'] : [];
}

/** Which code-server, VS Code and Node a run uses, for its log: "code-server 4.100.3 (VS Code 1.100.3, Node 20.19.2)". */
export function describeCodeServer(installDir: string = DEFAULT_CODE_SERVER_DIR): string {
  const version = (file: string) => (JSON.parse(readFileSync(path.join(installDir, 'node_modules', 'code-server', file), 'utf8')) as { version: string }).version;
  const node = codeServerNode(installDir);
  const nodeVersion = node === process.execPath ? process.versions.node : spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
  return `code-server ${version('package.json')} (VS Code ${version('lib/vscode/package.json')}, Node ${nodeVersion})`;
}

// Group leader and dead-man switch: runs code-server in the background and, should the harness die
// without calling stop() (SIGKILL, crash), kills the whole group within a second.
const WATCHDOG = `
owner=$1; shift
"$@" &
child=$!
while kill -0 "$owner" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done
trap '' TERM
kill -TERM -- -$$ 2>/dev/null
if ! kill -0 "$owner" 2>/dev/null; then sleep 5; kill -KILL -- -$$; fi
wait "$child"
`;

// Variables that would steer code-server or confuse the extension host (PORT overrides --bind-addr;
// VSCODE_* from a VS Code terminal point at another instance).
function inheritedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_|CODE_SERVER_)/.test(key)) continue;
    if (['PORT', 'PASSWORD', 'HASHED_PASSWORD', 'GITHUB_TOKEN', 'NODE_OPTIONS'].includes(key)) continue;
    env[key] = value;
  }
  return env;
}

const LISTENING = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//;

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const entry = codeServerEntry(options.installDir);
  const stateDir = mkdtempSync(path.join(tmpdir(), 'dfw-code-server-'));
  const home = path.join(stateDir, 'home');
  const runtimeDir = path.join(stateDir, 'run');
  const userDataDir = path.resolve(options.userDataDir ?? path.join(stateDir, 'user-data'));
  const extensionsDir = path.resolve(options.extensionsDir ?? path.join(stateDir, 'extensions'));
  for (const dir of [home, userDataDir, extensionsDir, path.join(userDataDir, 'User')]) mkdirSync(dir, { recursive: true });
  mkdirSync(runtimeDir, { mode: 0o700 });
  writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...TEST_USER_SETTINGS, ...options.settings }, null, 2),
  );

  const env: NodeJS.ProcessEnv = {
    ...inheritedEnv(),
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    XDG_RUNTIME_DIR: runtimeDir,
    // No extension gallery: tests must not reach out (open-vsx.org by default) and cannot anyway.
    EXTENSIONS_GALLERY: '{}',
    ...options.env,
  };
  const codeServerArgs = [
    entry,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    '--bind-addr', '127.0.0.1:0', // the kernel picks a free port in the server's own namespace
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...(options.extraArgs ?? []),
    ...(options.folder === undefined ? [] : [path.resolve(options.folder)]),
  ];
  const argv = inNetns(options.netns, ['bash', '-c', WATCHDOG, 'dfw-code-server', String(process.pid), codeServerNode(options.installDir), ...codeServerArgs]);
  const [command, ...args] = argv as [string, ...string[]];

  const logFile = path.join(stateDir, 'code-server.log');
  const log = createWriteStream(logFile);
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  const pid = child.pid;
  if (pid === undefined) {
    const [error] = (await once(child, 'error')) as [Error];
    rmSync(stateDir, { recursive: true, force: true });
    throw new Error(`Could not start code-server: ${error.message}`);
  }
  // Last resort should this process exit without stop(): the group must not outlive us.
  const killOnExit = (): void => signalProcessGroup(pid, 'SIGKILL');
  process.on('exit', killOnExit);

  const recent: string[] = [];
  let onListening: ((port: number) => void) | undefined;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      log.write(line + '\n');
      recent.push(line);
      if (recent.length > 40) recent.shift();
      options.onOutput?.(line);
      const match = LISTENING.exec(line);
      if (match) onListening?.(Number(match[1]));
    });
  }
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`code-server exited (${signal ?? `code ${code}`})`));
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        await killProcessGroup(pid);
      } finally {
        process.off('exit', killOnExit);
        log.end();
        if (!options.keepState) rmSync(stateDir, { recursive: true, force: true });
      }
    })();
    return stopping;
  };

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  try {
    const port = await withTimeout(
      Promise.race([
        new Promise<number>((resolve) => (onListening = resolve)),
        exited.then((reason) => Promise.reject(new Error(reason))),
      ]),
      timeoutMs,
      'code-server did not start listening',
    );
    const origin = `http://127.0.0.1:${port}`;
    await withTimeout(
      Promise.race([waitForHealthz(`${origin}/healthz`, options.netns, timeoutMs), exited.then((reason) => Promise.reject(new Error(reason)))]),
      timeoutMs,
      `${origin}/healthz did not answer`,
    );
    return {
      port,
      authority: `127.0.0.1:${port}`,
      origin,
      netns: options.netns,
      stateDir,
      userDataDir,
      extensionsDir,
      logFile,
      pid,
      exited,
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    const where = options.keepState ? ` (log: ${logFile})` : '';
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}${where}\n--- last code-server output ---\n${recent.join('\n')}`, { cause: error });
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// Polls until the URL answers 200. Inside a namespace the poll has to run there too: its loopback
// is not ours.
const POLL_HEALTHZ = `
const [url, ms] = process.argv.slice(1);
const deadline = Date.now() + Number(ms);
(async () => {
  for (;;) {
    try { if ((await fetch(url)).ok) process.exit(0); } catch {}
    if (Date.now() > deadline) process.exit(1);
    await new Promise((r) => setTimeout(r, 100));
  }
})();
`;

async function waitForHealthz(url: string, netns: string | undefined, timeoutMs: number): Promise<void> {
  const [command, ...args] = inNetns(netns, [process.execPath, '-e', POLL_HEALTHZ, url, String(timeoutMs)]) as [string, ...string[]];
  const poller: ChildProcess = spawn(command, args, { stdio: 'ignore' });
  try {
    const [code] = (await once(poller, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`${url} did not answer`);
  } finally {
    poller.kill();
  }
}
