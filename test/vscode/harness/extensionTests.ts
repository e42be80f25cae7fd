// Runs an extension-host test suite (a module exporting `run(): Promise<void>`) in code-server +
// Chromium: the web counterpart of launching desktop Code with --extensionTestsPath. The workbench
// reports each extension-host log line through window.codeAutomationLog(level, message) and the
// outcome of run() through window.codeAutomationExit(code, logs).
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { launchBrowser, type Browser } from './browser';
import { type CodeServer, startCodeServer, testPayloadArgs } from './codeServer';
import { workbenchUrl } from './workbenchUrl';

export interface ExtensionTestRunOptions {
  extensionDevelopmentPath: string | readonly string[];
  /** The compiled test runner (e.g. out/test/vscode/suite/index.js). */
  extensionTestsPath: string;
  folder?: string;
  workspace?: string;
  userDataDir?: string;
  extensionsDir?: string;
  /** code-server and Chromium both run in this network namespace. */
  netns?: string;
  /** Extra user settings. */
  settings?: Readonly<Record<string, unknown>>;
  /** Extra environment for code-server, inherited by the extension host. */
  env?: Readonly<Record<string, string>>;
  /** Whole run, start-up included. Default 5 min. */
  timeoutMs?: number;
  /** If set, code-server's output, its log folder (server/) and the workbench's logs (workbench/) go here. */
  logsDir?: string;
  /** Each extension-host log line; default prints to stdout (level "error" to stderr). */
  onLog?: (level: string, message: string) => void;
  /** Workbench-side problems (page errors, crashes); default prints to stderr. */
  onDiagnostic?: (message: string) => void;
  /** Aborting stops the run (cleanly: code-server and Chromium are stopped) with exit code 130. */
  signal?: AbortSignal;
}

class AbortedError extends Error {
  constructor() {
    super('Extension tests aborted');
  }
}

interface AutomationLogFile {
  relativePath: string;
  contents: string;
}

function isLogFiles(value: unknown): value is AutomationLogFile[] {
  return (
    Array.isArray(value) &&
    value.every((item): item is AutomationLogFile => {
      if (typeof item !== 'object' || item === null) return false;
      const record = item as Record<string, unknown>;
      return typeof record.relativePath === 'string' && typeof record.contents === 'string';
    })
  );
}

/** Resolves with the suite's exit code: 0 when run() resolved, non-zero otherwise or on timeout. */
export async function runExtensionTestsInCodeServer(options: ExtensionTestRunOptions): Promise<number> {
  const onLog =
    options.onLog ??
    ((level: string, message: string): void => {
      (level === 'error' ? process.stderr : process.stdout).write(message.endsWith('\n') ? message : `${message}\n`);
    });
  const onDiagnostic = options.onDiagnostic ?? ((message: string): void => void process.stderr.write(`[workbench] ${message}\n`));
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const logsDir = options.logsDir === undefined ? undefined : path.resolve(options.logsDir);
  const serverOutput: string[] = [];

  // Filled in as start-up proceeds; cleanup waits for start-up to settle so that nothing started
  // late (after a timeout) escapes it.
  const started: { server?: CodeServer; browser?: Browser } = {};
  let settled = false;
  let finish: (code: number) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const finished = new Promise<number>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const timer = setTimeout(() => fail(new Error(`Extension tests did not finish within ${timeoutMs} ms`)), timeoutMs);
  void finished.finally(() => (settled = true)).catch(() => undefined);
  const onAbort = (): void => fail(new AbortedError());
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const startup = (async () => {
    const server = await startCodeServer({
      netns: options.netns,
      userDataDir: options.userDataDir,
      extensionsDir: options.extensionsDir,
      settings: options.settings,
      env: options.env,
      onOutput: (line) => serverOutput.push(line),
      startTimeoutMs: Math.min(timeoutMs, 60_000),
      extraArgs: testPayloadArgs(),
    });
    started.server = server;
    void server.exited.then((reason) => fail(new Error(`${reason} before the tests finished`)));
    if (settled) return;

    const browser = await launchBrowser({ netns: options.netns });
    started.browser = browser;
    if (settled) return;
    const { page } = browser;
    await page.exposeFunction('codeAutomationLog', (level: unknown, message: unknown) => {
      // The extension host's console arguments arrive as an array (format string first).
      onLog(String(level), Array.isArray(message) ? format(...(message as unknown[])) : String(message));
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown, logs: unknown) => {
      if (logsDir !== undefined && isLogFiles(logs)) writeLogFiles(path.join(logsDir, 'workbench'), logs);
      finish(typeof code === 'number' ? code : 1);
    });
    page.on('pageerror', (error) => onDiagnostic(`page error: ${error.message}`));
    page.on('crash', () => fail(new Error('The workbench page crashed')));
    page.on('close', () => fail(new Error('The workbench page closed before the tests finished')));
    await page.goto(
      workbenchUrl({
        port: server.port,
        folder: options.folder,
        workspace: options.workspace,
        extensionDevelopmentPath: options.extensionDevelopmentPath,
        extensionTestsPath: options.extensionTestsPath,
      }),
      { waitUntil: 'domcontentloaded' },
    );
  })();
  startup.catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));

  try {
    return await finished;
  } catch (error) {
    onDiagnostic((error as Error).message);
    return error instanceof AbortedError ? 130 : 1;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await startup.catch(() => undefined);
    await started.browser?.close();
    const serverLogs = started.server === undefined ? undefined : path.join(started.server.userDataDir, 'logs');
    if (logsDir !== undefined && serverLogs !== undefined && existsSync(serverLogs)) {
      // Server side, including remoteexthost.log of the extension host our extension runs in.
      cpSync(serverLogs, path.join(logsDir, 'server'), { recursive: true });
    }
    await started.server?.stop();
    if (logsDir !== undefined) {
      mkdirSync(logsDir, { recursive: true });
      writeFileSync(path.join(logsDir, 'code-server.log'), serverOutput.join('\n') + '\n');
    }
  }
}

function writeLogFiles(dir: string, logs: readonly AutomationLogFile[]): void {
  for (const log of logs) {
    const file = path.resolve(dir, log.relativePath);
    if (!file.startsWith(dir + path.sep)) continue;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, log.contents);
  }
}
