// UI smoke test: code-server with the extension in development mode, the workbench in Chromium, and
// proof that our extension was loaded (and, where the UI can activate it, that it activated).
//
//   npm run build && node --import tsx test/vscode/ui/smoke.ui.ts
//
// Environment: DFW_TEST_NETNS (run code-server and Chromium in that network namespace),
// DFW_EXTENSION_PATH (extension folder, default the repository), DFW_SCREENSHOTS_DIR (default
// test-results/), DFW_TEST_TIMEOUT_MS (default 120000).
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, launchBrowser } from '../harness/browser';
import { type CodeServer, REPO_ROOT, startCodeServer } from '../harness/codeServer';
import { netnsFromEnv } from '../harness/netns';
import { workbenchUrl } from '../harness/workbenchUrl';
import { Workbench } from './workbench';

interface ExtensionManifest {
  publisher: string;
  name: string;
  displayName?: string;
  main?: string;
  contributes?: { viewsContainers?: { activitybar?: { id: string; title: string }[] } };
}

function readManifest(extensionPath: string): ExtensionManifest {
  const value: unknown = JSON.parse(readFileSync(path.join(extensionPath, 'package.json'), 'utf8'));
  assert.ok(typeof value === 'object' && value !== null, 'package.json is not an object');
  const manifest = value as ExtensionManifest;
  assert.equal(typeof manifest.publisher, 'string', 'package.json has no publisher');
  assert.equal(typeof manifest.name, 'string', 'package.json has no name');
  return manifest;
}

/** The server logs "Loading development extension at PATH" once it has scanned the extension. */
async function serverLoadedExtension(server: CodeServer, extensionPath: string, timeoutMs = 10_000): Promise<boolean> {
  const logsRoot = path.join(server.userDataDir, 'logs');
  const line = `Loading development extension at ${extensionPath}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found =
      existsSync(logsRoot) &&
      readdirSync(logsRoot).some((session) => {
        const log = path.join(logsRoot, session, 'remoteagent.log');
        return existsSync(log) && readFileSync(log, 'utf8').includes(line);
      });
    if (found) return true;
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
}

async function smoke(workbench: Workbench, server: CodeServer, extensionPath: string): Promise<void> {
  const manifest = readManifest(extensionPath);
  const id = `${manifest.publisher}.${manifest.name}`;
  const displayName = manifest.displayName ?? manifest.name;

  let started = Date.now();
  await workbench.waitUntilReady();
  console.log(`workbench ready in ${Date.now() - started} ms`);
  assert.match(await workbench.windowTitle(), /\[Extension Development Host\]/, 'the window is not in extension development mode');
  assert.ok(await serverLoadedExtension(server, extensionPath), `code-server did not load the development extension at ${extensionPath}`);

  // Opening a contributed view container activates the extension (onView). Without one there is
  // nothing in the UI that activates it, and Running Extensions lists only activated extensions.
  const container = manifest.contributes?.viewsContainers?.activitybar?.[0];
  if (container === undefined) {
    console.log(`${id} contributes no activity-bar view container: checked that it loaded, not that it activated`);
  } else {
    started = Date.now();
    await workbench.openViewContainer(container.title);
    console.log(`opened view container "${container.title}" (side bar: "${await workbench.sidebarTitle()}") in ${Date.now() - started} ms`);
    await workbench.screenshot('smoke-view-container');

    started = Date.now();
    await workbench.runCommand('Developer: Show Running Extensions');
    await workbench.page
      .locator('.part.editor .monaco-list-row')
      // Shown by id for a development extension, by display name for an installed one.
      .filter({ hasText: new RegExp(`${escapeRegExp(id)}|${escapeRegExp(displayName)}`) })
      .first()
      .waitFor({ state: 'visible', timeout: 20_000 });
    console.log(`${id} is listed in Running Extensions (${Date.now() - started} ms)`);
  }

  const failures = (await workbench.notifications()).filter((message) => message.includes(id) || message.includes(displayName));
  assert.deepEqual(failures, [], `notifications about ${id}`);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function main(): Promise<number> {
  const extensionPath = path.resolve(process.env.DFW_EXTENSION_PATH ?? REPO_ROOT);
  const manifest = readManifest(extensionPath);
  if (manifest.main !== undefined && !existsSync(path.join(extensionPath, manifest.main))) {
    throw new Error(`${manifest.main} is missing; run npm run build`);
  }
  const netns = netnsFromEnv('DFW_TEST_NETNS');
  const screenshotsDir = path.resolve(process.env.DFW_SCREENSHOTS_DIR ?? path.join(REPO_ROOT, 'test-results'));
  const timeoutMs = Number(process.env.DFW_TEST_TIMEOUT_MS ?? 120_000);
  const workspace = mkdtempSync(path.join(tmpdir(), 'dfw-smoke-workspace-'));
  writeFileSync(path.join(workspace, 'README.md'), '# Docker Firewall UI smoke test workspace\n');

  const begun = Date.now();
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let workbench: Workbench | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    server = await startCodeServer({ netns });
    console.log(`code-server on ${server.origin}${netns === undefined ? '' : ` in netns ${netns}`} after ${Date.now() - begun} ms`);
    browser = await launchBrowser({ netns });
    workbench = new Workbench(browser.page, { screenshotsDir });
    await browser.page.goto(workbenchUrl({ port: server.port, folder: workspace, extensionDevelopmentPath: extensionPath }));
    const run = smoke(workbench, server, extensionPath);
    run.catch(() => undefined); // after a timeout it rejects once the browser closes
    await Promise.race([
      run,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`smoke test timed out after ${timeoutMs} ms`)), timeoutMs))),
    ]);
    console.log(`screenshot: ${path.relative(process.cwd(), await workbench.screenshot('smoke'))}`);
    console.log(`PASS in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
    return 0;
  } catch (error) {
    console.error(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
    const shot = await workbench?.screenshot('smoke-failure').catch(() => undefined);
    if (shot !== undefined) console.error(`screenshot: ${path.relative(process.cwd(), shot)}`);
    return 1;
  } finally {
    clearTimeout(timer);
    await browser?.close();
    await server?.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
