// Debian's Chromium driven by playwright-core (Playwright's own browser builds cannot be downloaded
// here). Inside a network namespace the browser must join the server's namespace: 127.0.0.1 is per
// namespace.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { assertNetnsName } from './netns';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Flags measured to work for headless Debian Chromium as root in a container. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserOptions {
  /** Run Chromium inside this network namespace (the one code-server runs in). */
  netns?: string;
  /** Default /usr/bin/chromium. */
  executablePath?: string;
  /** Appended to CHROMIUM_ARGS. */
  extraArgs?: readonly string[];
  /** Default 1600x1000: wide enough that the activity bar, side bar and editor all show. */
  viewport?: { width: number; height: number };
}

export interface Browser {
  readonly context: BrowserContext;
  /** The context's first page. */
  readonly page: Page;
  /** Closes Chromium (Playwright kills its process group) and removes the profile folder. */
  close(): Promise<void>;
}

export async function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'dfw-chromium-'));
  const profileDir = path.join(scratch, 'profile');
  let executablePath = options.executablePath ?? DEFAULT_CHROMIUM;
  if (options.netns !== undefined) {
    assertNetnsName(options.netns);
    // Playwright wants one executable; this one joins the namespace and becomes Chromium (exec
    // keeps the pid and the debugging pipe Playwright holds).
    const wrapper = path.join(scratch, 'chromium-in-netns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${options.netns} ${shellWord(executablePath)} "$@"\n`);
    chmodSync(wrapper, 0o755);
    executablePath = wrapper;
  }
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath,
      args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
      viewport: options.viewport ?? { width: 1600, height: 1000 },
      timeout: 30_000,
      // Signals are the caller's to handle (and to clean up after); on process exit Playwright
      // still kills Chromium.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closing: Promise<void> | undefined;
  return {
    context,
    page,
    close: () =>
      (closing ??= context
        .close()
        .catch(() => undefined)
        .finally(() => rmSync(scratch, { recursive: true, force: true }))),
  };
}

function shellWord(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
