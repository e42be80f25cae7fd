// UI test of the extension in a real workbench: code-server in the lab's outside namespace with the
// extension in development mode and the lab's hosts in the user settings, driven in Chromium the way
// a user would (activity bar, context menu, the real confirmation modal with its Cancel and Preview
// Rules, the post-block prompt to Make Persistent, the Command Palette, Add Host, Import from SSH
// Config and Remove Host, the sudo password prompt, Cancel in a progress notification), and every
// firewall verdict checked by a real TCP connection from outside (a "no answer" only beside the
// host's sshd answering the same client, see test/support/probes.ts).
//
//   npm run build && LAB_NAME=dfw DFW_TEST_NETNS=dfw-out node --import tsx test/vscode/ui/extension.ui.ts
//
// Needs the lab (`bash lab/lab.sh up --docker 20,28`). Environment: LAB_NAME (default dfw),
// DFW_TEST_NETNS (default and only allowed value: the lab's outside namespace), DFW_SCREENSHOTS_DIR
// (default test-results/ui), DFW_TEST_TIMEOUT_MS (default 300000), DFW_UPDATE_DOCS_SCREENSHOTS=1
// (copy the chosen screenshots to docs/screenshots/). h1 is left as found: unblocked through the
// UI, and by the command-line tool again in any case.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, dockerFirewall, saveAll } from '../../support/cli';
import { extensionSuiteLab, labHost, loadLab, onHost, outside, tcpConnect, type Lab, type LabHost } from '../../support/lab';
import { probeBlocked, type BlockedVerdict } from '../../support/probes';
import { type Browser, launchBrowser } from '../harness/browser';
import { type CodeServer, describeCodeServer, REPO_ROOT, startCodeServer, testPayloadArgs } from '../harness/codeServer';
import { netnsFromEnv } from '../harness/netns';
import { workbenchUrl } from '../harness/workbenchUrl';
import { Workbench } from './workbench';

const HOSTS = 'Hosts';
const MANIFEST = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string };
const EXTENSION_ID = `${MANIFEST.publisher}.${MANIFEST.name}`;
const CHAIN_STATUS = 'Chain Status';
const WEB_V4 = '0.0.0.0:8080 → 80/tcp';
const APP_V4 = '0.0.0.0:8081 → 80/tcp';
/** package.nls.json's texts of the walkthrough (its unit test checks they are the manifest's). */
const WALKTHROUGH_TITLE = 'Get Started with Docker Firewall';
const WALKTHROUGH_STEPS = ['Add a Docker host', 'See what is exposed', 'Block external access', 'Allow a port again'];
const QUICK_INPUT_ROW = '.quick-input-widget .quick-input-list .monaco-list-row';

/** test-results/ui/<name>.png → docs/screenshots/<file> with DFW_UPDATE_DOCS_SCREENSHOTS=1. */
const DOCS_SCREENSHOTS: Readonly<Record<string, string>> = {
  '01-hosts-tree': 'hosts-tree-exposures.png',
  '01b-walkthrough': 'walkthrough.png',
  '02-block-confirmation': 'block-confirmation-modal.png',
  '04-chain-status': 'chain-status-rules-counters.png',
  '07-port-allowed': 'port-allowed.png',
  '07b-checked-ports': 'checked-ports.png',
  '07c-check-mismatch': 'check-mismatch.png',
  '07e-allowed-for-you': 'port-allowed-for-you.png',
};

interface Step {
  readonly name: string;
  readonly ms: number;
}

class UiTest {
  readonly steps: Step[] = [];
  private last = Date.now();

  constructor(
    readonly wb: Workbench,
    readonly lab: Lab,
    readonly h1: LabHost,
    /** code-server's user settings, where the extension writes dockerFirewall.hosts. */
    readonly settingsFile: string,
  ) {}

  step(name: string): void {
    const now = Date.now();
    this.steps.push({ name, ms: now - this.last });
    console.log(`  ✔ ${name} (${now - this.last} ms)`);
    this.last = now;
  }

  /**
   * A TCP connection from the lab's outside namespace (another machine, as far as h1 is concerned);
   * 'timeout' only while h1's sshd answers the same client at that moment.
   */
  connect(port: number, family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<BlockedVerdict> {
    return probeBlocked(this.lab.outside.ns, this.h1, { port, family });
  }

  /**
   * The hosts in code-server's user settings file, as the extension wrote them; undefined while
   * the file does not parse, because code-server rewrites it in place (truncate, then write) and a
   * read can land between the two.
   */
  configuredHosts(): { name: string; destination: string }[] | undefined {
    let settings: Record<string, unknown>;
    try {
      settings = JSON.parse(readFileSync(this.settingsFile, 'utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const hosts = settings['dockerFirewall.hosts'];
    return Array.isArray(hosts) ? (hosts as { name: string; destination: string }[]) : [];
  }

  /** Waits until the settings file holds (or no longer holds) the host named `name`. */
  async settingsHave(name: string, present: boolean, timeoutMs = 15_000): Promise<{ name: string; destination: string } | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hosts = this.configuredHosts();
      const found = hosts?.find((h) => h.name === name);
      if (hosts !== undefined && (found !== undefined) === present) return found;
      if (Date.now() > deadline) {
        const seen = hosts === undefined ? `no valid JSON: ${JSON.stringify(readFileSync(this.settingsFile, 'utf8').slice(0, 200))}` : JSON.stringify(hosts);
        throw new Error(`${this.settingsFile} ${present ? 'never got' : 'still has'} host ${name}: ${seen}`);
      }
      await sleep(200);
    }
  }

  /** Waits until the Hosts view's first row labelled `label` has exactly `description`. */
  async hostsRowDescribed(label: string, description: string, timeoutMs = 30_000): Promise<void> {
    await this.wb
      .sidebarViewRow(HOSTS, label)
      .filter({ has: this.wb.page.locator('.label-description', { hasText: new RegExp(`^${escapeRegExp(description)}$`) }) })
      .first()
      .waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Waits until the Chain Status view has a row `label` whose description matches. */
  async chainStatusRow(label: string | RegExp, description: RegExp, timeoutMs = 30_000): Promise<void> {
    const row = this.wb
      .sidebarViewRow(CHAIN_STATUS, label)
      .filter({ has: this.wb.page.locator('.label-description', { hasText: description }) })
      .first();
    // The view holds more rows than fit (every chain of both families): the list is virtualised, so
    // it is paged through from the top with the keyboard (as a user would; a mouse wheel over the
    // list lands on the rows' hovers), again and again, until the row is rendered or time is up.
    const list = this.wb.sidebarView(CHAIN_STATUS).locator('.monaco-list').first();
    const deadline = Date.now() + timeoutMs;
    for (let step = 0; Date.now() < deadline; step++) {
      if (await row.isVisible()) return;
      await list.focus();
      await this.wb.page.keyboard.press(step % 12 === 0 ? 'Home' : 'PageDown');
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await row.waitFor({ state: 'visible', timeout: 1000 });
  }

  /** Hosts-view rows as `label: description`, for assertions and failure messages. */
  async hostsRows(): Promise<string[]> {
    return (await this.wb.sidebarViewRows(HOSTS)).map((row) => `${'  '.repeat((row.level ?? 1) - 1)}${row.label}: ${row.description}`);
  }

  async noErrorNotifications(): Promise<void> {
    const errors = (await this.wb.notifications()).filter((message) => /^Could not /.test(message));
    assert.deepEqual(errors, [], 'error notifications');
  }
}

async function scenario(t: UiTest): Promise<void> {
  const { wb } = t;
  await wb.waitUntilReady();
  assert.match(await wb.windowTitle(), /\[Extension Development Host\]/, 'the window is not in extension development mode');
  t.step('workbench ready');

  // --- the hosts, their containers and published ports -------------------------------------------
  await wb.openViewContainer('Docker Firewall');
  await wb.setSidebarWidth(640); // room for the ports' descriptions and the rules' counters
  // The Hosts view gets the whole side bar for now: both hosts fully expanded fit.
  await wb.setSidebarViewExpanded(CHAIN_STATUS, false);
  await t.hostsRowDescribed('h1', 'open');
  await t.hostsRowDescribed('h2', 'open');
  await t.hostsRowDescribed(WEB_V4, 'exposed');
  await t.hostsRowDescribed('127.0.0.1:8082 → 80/tcp', 'local only');
  const rows = await t.hostsRows();
  const shown = rows.join('\n');
  for (const expected of [
    /^h1: open$/m,
    /^h2: open$/m,
    /^ {2}admin: \S+ · running$/m,
    /^ {2}web: \S+ · running$/m,
    /^ {2}worker: \S+ · running$/m,
    /^ {4}127\.0\.0\.1:8082 → 80\/tcp: local only$/m,
    /^ {4}0\.0\.0\.0:8080 → 80\/tcp: exposed$/m,
    /^ {4}\[::\]:8080 → 80\/tcp: exposed$/m,
    /^ {4}0\.0\.0\.0:5353 → 5353\/udp: exposed$/m,
  ]) {
    assert.match(shown, expected, `the Hosts view has no row ${String(expected)}:\n${shown}`);
  }
  assert.equal(rows.filter((row) => row === `    ${WEB_V4}: exposed`).length, 2, `web:8080 of both hosts:\n${shown}`);
  await moveMouseAway(wb);
  await wb.screenshot('01-hosts-tree');
  t.step('Hosts view: h1 and h2 open, containers expanded, every port with its exposure');
  const titleActions = await wb.viewTitleActions(HOSTS);
  assert.ok(titleActions.includes('Collapse All'), `the Hosts view has no Collapse All in its title bar: ${JSON.stringify(titleActions)}`);
  t.step(`Hosts view title bar: ${titleActions.join(', ')}`);

  // --- the extension host's own account of the activation ----------------------------------------
  const activation = await wb.extensionActivationMs(EXTENSION_ID);
  await wb.runCommand('View: Close All Editors');
  t.step(`Running Extensions lists ${EXTENSION_ID}: "${activation.text}"`);

  // --- the Get Started walkthrough, from the palette as a user finds it ---------------------------
  // The walkthrough shows a step's picture beside its text only in a wide enough editor: VS Code
  // 1.139 leaves it out beside the 640 px side bar (1.100 did not), so the side bar is hidden here.
  await wb.runCommand('View: Toggle Primary Side Bar Visibility');
  await wb.page.locator('.part.sidebar').waitFor({ state: 'hidden', timeout: 10_000 });
  await wb.runCommand('Welcome: Open Walkthrough...');
  await wb.pickQuickPickItem(WALKTHROUGH_TITLE);
  const walkthroughPage = wb.page.locator('.gettingStartedContainer');
  for (const title of WALKTHROUGH_STEPS) {
    await walkthroughPage.getByText(title, { exact: true }).first().waitFor({ state: 'visible', timeout: 20_000 });
  }
  // The step's picture is drawn in a webview (two frames deep) with the theme's colours: its text shows once loaded.
  await wb.page.frameLocator('iframe.webview').frameLocator('#active-frame').getByText('deploy@web-1:22').waitFor({ state: 'visible', timeout: 20_000 });
  await moveMouseAway(wb);
  await wb.screenshot('01b-walkthrough');
  await wb.runCommand('View: Close All Editors');
  await wb.runCommand('View: Toggle Primary Side Bar Visibility');
  await wb.waitForSidebarRow('h1');
  t.step(`Get Started walkthrough from "Welcome: Open Walkthrough...": ${WALKTHROUGH_STEPS.join(', ')}`);

  // --- Cancel, then Preview Rules, in the confirmation: nothing changes on h1 ----------------------
  const rulesBefore = await saveAll('h1');
  await wb.chooseContextMenuItem('h1', 'Block External Access');
  assert.equal((await wb.dialogText()).message, 'Block external access to h1?');
  await wb.clickDialogButton('Cancel');
  await t.hostsRowDescribed('h1', 'open');
  assert.equal(await saveAll('h1'), rulesBefore, 'Cancel in the confirmation changed h1');
  assert.deepEqual(await Promise.all([t.connect(8080), t.connect(8081)]), ['open', 'open'], 'h1 answers from outside after Cancel');
  await wb.chooseContextMenuItem('h1', 'Block External Access');
  await wb.dialogText();
  await wb.clickDialogButton('Preview Rules');
  await wb.page.locator('.part.editor .view-lines').filter({ hasText: 'Nothing has been changed' }).first().waitFor({ state: 'visible', timeout: 15_000 });
  const preview = await wb.editorText();
  assert.match(preview, /preview of "Block External Access" on h1\. Nothing has been changed\./);
  assert.match(preview, /-I DOCKER-USER 1 -j PRE_DOCKER/, `no hook in the preview:\n${preview}`);
  await waitForToastGone(wb, 'Reading h1…');
  await wb.screenshot('02a-preview-rules');
  assert.equal(await saveAll('h1'), rulesBefore, 'Preview Rules changed h1');
  await wb.runCommand('View: Revert and Close Editor');
  await t.hostsRowDescribed('h1', 'open');
  t.step('Block External Access: Cancel in the modal changes nothing; Preview Rules opens the payload in an editor and changes nothing');

  // --- Block External Access on h1, through its context menu and the modal ------------------------
  await wb.chooseContextMenuItem('h1', 'Block External Access');
  const dialog = await wb.dialogText();
  await waitForToastGone(wb, 'Reading h1…'); // the read behind the modal; its toast would clutter the screenshot
  assert.equal(dialog.message, 'Block external access to h1?');
  for (const port of ['8080/tcp (web)', '8081/tcp (app)', '5353/udp (dns)']) assert.ok(dialog.detail.includes(port), `the modal does not list ${port}:\n${dialog.detail}`);
  assert.ok(!dialog.detail.includes('8082'), 'the modal lists the loopback-only port 8082');
  await wb.screenshot('02-block-confirmation');
  await wb.clickDialogButton('Block External Access');
  await t.hostsRowDescribed('h1', 'locked');
  await t.hostsRowDescribed(WEB_V4, 'blocked');
  await t.hostsRowDescribed(APP_V4, 'blocked');
  await wb.waitForNotification('External access to h1 is blocked');
  await t.hostsRowDescribed('h2', 'open');
  // At once: each 'timeout' waits its full 1.5 s. They also give the drop rules' counters something to count.
  assert.deepEqual(await Promise.all([t.connect(8080), t.connect(8081), t.connect(8080, 'ipv6')]), ['timeout', 'timeout', 'timeout'], 'h1:8080, h1:8081 and [h1]:8080 must time out from outside after Block External Access');
  await wb.screenshot('03-blocked');
  t.step('Block External Access: modal confirmed, h1 locked, ports blocked, 8080 and 8081 (IPv4) and 8080 (IPv6) time out from outside');

  // --- Make Persistent, from the prompt that follows the block -------------------------------------
  const menuBefore = await wb.openContextMenu('h1');
  await wb.page.keyboard.press('Escape');
  assert.ok(menuBefore.includes('Make Persistent'), `a locked, unsaved host offers Make Persistent: ${menuBefore.join(', ')}`);
  await wb.clickNotificationButton('unless you make it persistent', 'Make Persistent');
  assert.equal((await wb.dialogText()).message, 'Make the lockdown of h1 persistent?');
  await wb.clickDialogButton('Make Persistent');
  await wb.waitForNotification('The lockdown of h1 is saved');
  const saved = await onHost(t.h1, ['sh', '-c', 'ls /etc/docker-firewall; ls /usr/local/sbin/docker-firewall-restore']);
  for (const file of ['rules.v4', 'rules.v6', 'state', '/usr/local/sbin/docker-firewall-restore']) assert.ok(saved.stdout.split('\n').includes(file), `persist did not write ${file} on h1: ${saved.stdout} ${saved.stderr}`);
  const menuAfter = await wb.openContextMenu('h1');
  await wb.page.keyboard.press('Escape');
  assert.ok(!menuAfter.includes('Make Persistent'), `a persistent host still offers Make Persistent: ${menuAfter.join(', ')}`);
  t.step('Make Persistent from the post-block prompt: modal confirmed, rules and restore script written on h1, no longer offered');

  // --- Chain Status of h1: the hook and the rules, with the counters of the probes above ---------
  await wb.expandSidebarRow('h1');
  await collapseSidebarRow(wb, 'h2');
  await wb.sidebarViewRow(HOSTS, 'h1').first().click(); // selecting a host shows it in Chain Status
  await wb.expandSidebarRow('h1'); // a click on a row also toggles it
  await wb.setSidebarViewExpanded(HOSTS, false);
  await wb.setSidebarViewExpanded(CHAIN_STATUS, true);
  await wb.runCommand('Docker Firewall: Refresh Chain Status');
  await t.chainStatusRow('Docker', new RegExp(`^${escapeRegExp(t.h1.docker)} · `)); // h1's, not another host's
  await t.chainStatusRow('Lockdown', /^on · chain PRE_DOCKER$/);
  await t.chainStatusRow('IPv4', /^hooked at INPUT #1, DOCKER-USER #1, security FORWARD #1 · \d+ rules$/);
  await t.chainStatusRow('DOCKER-USER #1', /^-j PRE_DOCKER$/);
  // Each Docker bridge has its own rule: docker0 (web) and appnet's br-<12 characters of its id> (app).
  await t.chainStatusRow('block new connections to docker0', /^[1-9][\d,]* pkts · /);
  await t.chainStatusRow(/^block new connections to br-[0-9a-f]{12}$/, /^[1-9][\d,]* pkts · /);
  await t.chainStatusRow('IPv6', /^hooked at INPUT #1/);
  // IPv6 to [::]:8080 is docker-proxy's socket: the host-port rule of PRE_DOCKER_PORTS drops it.
  await t.chainStatusRow('block 8080/tcp', /^[1-9][\d,]* pkts · /);
  await moveMouseAway(wb);
  await wb.screenshot('04-chain-status');
  t.step('Chain Status: hook at DOCKER-USER #1, PRE_DOCKER rules, drop counters > 0');

  // --- Command Palette: Allow Port… on h1, port 8080, from anywhere ------------------------------
  await wb.setSidebarViewExpanded(HOSTS, true);
  await wb.setSidebarViewExpanded(CHAIN_STATUS, false);
  await wb.runCommand('Docker Firewall: Allow Port…');
  await wb.pickQuickPickItem(/h1/);
  await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: '8080/tcp' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  const ports = await wb.quickPickItems();
  // The host's published ports that can be allowed (not the loopback-only 8082), then "Another port…".
  assert.deepEqual(ports.slice(0, 3), ['5353/udp', '8080/tcp', '8081/tcp'], `port choices: ${ports.join(', ')}`);
  await waitForToastGone(wb, 'Reading h1…');
  await wb.screenshot('05-allow-port-pick');
  await wb.pickQuickPickItem('8080/tcp');
  await wb.page.locator('.quick-input-widget .quick-input-message').filter({ hasText: /Allow connections from this address or range only/ }).waitFor({ state: 'visible', timeout: 15_000 });
  await wb.screenshot('06-allow-port-source');
  await wb.typeInInputBox(''); // anywhere
  // The duration pick: its first item, and the one Enter takes, keeps the allow until taken back.
  await wb.page.locator(QUICK_INPUT_ROW).filter({ hasText: '15 minutes' }).first().waitFor({ state: 'visible', timeout: 15_000 });
  const durations = await wb.quickPickItems();
  assert.deepEqual(durations.slice(0, 5), ['Until I take it back', '15 minutes', '1 hour', '8 hours', '1 day'], `duration choices: ${durations.join(', ')}`);
  await wb.page.keyboard.press('Enter');
  await t.hostsRowDescribed(WEB_V4, 'allowed');
  await t.hostsRowDescribed('[::]:8080 → 80/tcp', 'allowed');
  await t.hostsRowDescribed(APP_V4, 'blocked');
  await wb.waitForNotification('h1: 8080/tcp from anywhere is allowed');
  assert.deepEqual(await Promise.all([t.connect(8080), t.connect(8080, 'ipv6'), t.connect(8081)]), ['open', 'open', 'timeout'], 'after Allow Port 8080: h1:8080 and [h1]:8080 open, h1:8081 still timing out');
  await moveMouseAway(wb);
  await wb.screenshot('07-port-allowed');
  t.step('Allow Port… from the palette: host, port 8080, source anywhere, Enter in the duration pick; 8080 allowed and open from outside, 8081 still blocked');

  // --- Check From Here on h1: every port probed from this machine (the browser's side is code-server's) --
  await wb.chooseContextMenuItem('h1', 'Check From Here');
  await t.hostsRowDescribed(WEB_V4, 'allowed · checked: open');
  await t.hostsRowDescribed(APP_V4, 'blocked · checked: no answer');
  await t.hostsRowDescribed('0.0.0.0:5353 → 5353/udp', 'blocked · checked: no reply');
  await t.hostsRowDescribed('127.0.0.1:8082 → 80/tcp', 'local only · checked: refused');
  await wb.waitForNotification('h1: checked from this machine, every port behaves as the rules say');
  await waitForToastGone(wb, 'Checking h1 from this machine…');
  await moveMouseAway(wb);
  await wb.screenshot('07b-checked-ports');
  t.step('Check From Here: each port of h1 probed from this machine, every item says what answered and matches its rules');

  // --- the same with 8080 dropped on this machine: a mismatch, the notification and its Show Chain Status --
  const dropHere = ['OUTPUT', '-p', 'tcp', '-d', t.h1.ipv4, '--dport', '8080', '-j', 'DROP'];
  assert.equal((await outside(['iptables', '-I', ...dropHere], { lab: t.lab })).code, 0, 'could not add the drop on the client');
  try {
    await wb.chooseContextMenuItem('h1', 'Check From Here');
    await t.hostsRowDescribed(WEB_V4, 'allowed · mismatch: no answer from here');
    const notice = /^h1: an allowed port does not answer from this machine: 8080\/tcp \(web\)/;
    const toast = await wb.waitForNotification(notice);
    assert.deepEqual((await toast.locator('.notification-list-item-buttons-container .monaco-button').allInnerTexts()).map((b) => b.trim()).filter((b) => b !== ''), ['Show Chain Status', 'Preview Rules']);
    await waitForToastGone(wb, 'Checking h1 from this machine…');
    await moveMouseAway(wb);
    await wb.screenshot('07c-check-mismatch');
    await wb.clickNotificationButton(notice, 'Show Chain Status');
    await t.chainStatusRow('Lockdown', /^on · chain PRE_DOCKER$/);
  } finally {
    await outside(['iptables', '-D', ...dropHere], { lab: t.lab });
  }
  await wb.setSidebarViewExpanded(HOSTS, true);
  await wb.setSidebarViewExpanded(CHAIN_STATUS, false);
  t.step('Check From Here with 8080 dropped on this machine: 8080 marked a mismatch, a warning with Show Chain Status and Preview Rules; Show Chain Status opens h1');

  // --- Allow from My Address on app's port, for 15 minutes ----------------------------------------
  await wb.chooseContextMenuItem(APP_V4, 'Allow from My Address…');
  await wb.page.locator(QUICK_INPUT_ROW).filter({ hasText: '15 minutes' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  const pickTitle = ((await wb.page.locator('.quick-input-widget .quick-input-title').first().textContent()) ?? '').trim();
  // code-server runs in the lab's outside namespace: h1 sees it at the outside address.
  assert.equal(pickTitle, `Allow 8081/tcp on h1 from ${t.lab.outside.ipv4}, as h1 sees you`);
  await waitForToastGone(wb, 'Reading h1…');
  await moveMouseAway(wb);
  await wb.screenshot('07d-allow-from-me-pick');
  await wb.pickQuickPickItem('15 minutes');
  await t.hostsRowDescribed(APP_V4, 'allowed for you · 15 min left');
  await wb.waitForNotification(`h1: 8081/tcp from ${t.lab.outside.ipv4}/32 is allowed (15 min left; h1 closes it by itself then).`);
  assert.deepEqual(await Promise.all([t.connect(8081), t.connect(8081, 'ipv6')]), ['open', 'timeout'], 'after Allow from My Address on 8081: open from here over IPv4 (the address h1 sees), still blocked over IPv6');
  await waitForToastGone(wb, 'Allowing 8081/tcp from your address for 15 min on h1…');
  await moveMouseAway(wb);
  await wb.screenshot('07e-allowed-for-you');
  t.step('Allow from My Address on 8081: the pick names the address h1 sees, 15 minutes; "allowed for you · 15 min left", open from here, IPv6 still blocked');

  // --- Remove Lockdown through the context menu and its modal ------------------------------------
  await wb.chooseContextMenuItem('h1', 'Remove Lockdown');
  assert.equal((await wb.dialogText()).message, 'Remove the lockdown from h1?');
  await wb.clickDialogButton('Remove Lockdown');
  await t.hostsRowDescribed('h1', 'open');
  await t.hostsRowDescribed(WEB_V4, 'exposed');
  await t.hostsRowDescribed(APP_V4, 'exposed');
  assert.equal(await t.connect(8081), 'open', 'h1:8081 does not answer from outside after Remove Lockdown');
  const left = await onHost(t.h1, ['sh', '-c', 'ls -A /etc/docker-firewall 2>/dev/null; ls /usr/local/sbin/docker-firewall-restore 2>/dev/null; true']);
  assert.equal(left.stdout.trim(), '', 'Remove Lockdown left persistence files on h1');
  await t.noErrorNotifications();
  await wb.screenshot('08-unblocked');
  t.step('Remove Lockdown: modal confirmed, h1 open, 8081 answers from outside again, the saved rules gone');

  await cancelFromProgress(t);
  await sudoPasswordAndSecrets(t);
}

/**
 * Add Host (typed), Cancel in a progress notification, Remove Host: a host that accepts TCP but never
 * speaks SSH keeps "Reading…" up for the whole connect timeout (15 s); Cancel ends it at once,
 * without an error.
 */
async function cancelFromProgress(t: UiTest): Promise<void> {
  const { wb } = t;
  const silent = await startSilentListener(t.lab.outside.ns);
  try {
    const destination = `root@127.0.0.1:${silent.port}`;
    await wb.runCommand('Docker Firewall: Add Host…');
    await wb.typeInInputBox(destination); // the quick pick's filter; Enter takes "Enter user@host[:port]…"
    await wb.page.locator('.quick-input-widget').filter({ hasText: 'SSH destination' }).waitFor({ state: 'visible', timeout: 15_000 });
    await wb.typeInInputBox(destination);
    await wb.page.locator('.quick-input-widget').filter({ hasText: 'Name shown in the Hosts view' }).waitFor({ state: 'visible', timeout: 15_000 });
    await wb.typeInInputBox('silent');
    assert.deepEqual(await t.settingsHave('silent', true), { name: 'silent', destination });
    await wb.waitForSidebarRow('silent');
    t.step(`Add Host: typed ${destination}, named silent; written to the user settings`);

    // An unreachable host offers no Block in its context menu; the palette asks which host.
    await wb.runCommand('Docker Firewall: Block External Access');
    await wb.pickQuickPickItem(/silent/);
    const toast = await wb.waitForNotification('Reading silent…');
    const clicked = Date.now();
    await wb.clickNotificationButton('Reading silent…', 'Cancel');
    await toast.waitFor({ state: 'hidden', timeout: 5000 });
    const cancelledMs = Date.now() - clicked;
    await sleep(1000);
    const errors = (await wb.notifications()).filter((m) => /silent/.test(m) && /Could not/.test(m));
    assert.deepEqual(errors, [], 'Cancel was reported as a failure');
    assert.equal(await wb.page.locator('.monaco-dialog-box').count(), 0, 'a confirmation opened after Cancel');
    t.step(`Cancel in the "Reading silent…" notification: gone ${cancelledMs} ms after the click (the connect timeout is 15 s), no error, no confirmation`);

    await wb.chooseContextMenuItem('silent', 'Remove Host');
    assert.equal((await wb.dialogText()).message, 'Remove silent from Docker Firewall?');
    await wb.clickDialogButton('Remove Host');
    await t.settingsHave('silent', false);
    await wb.sidebarRow('silent').first().waitFor({ state: 'detached', timeout: 15_000 });
    t.step('Remove Host: modal confirmed, silent gone from the user settings and the Hosts view');
  } finally {
    silent.stop();
  }
}

/**
 * Import from SSH Config, the sudo password prompt, secret storage across a reload of the window,
 * and Remove Host forgetting the saved password (imported again, it is asked for again).
 */
async function sudoPasswordAndSecrets(t: UiTest): Promise<void> {
  const { wb } = t;
  const password = readFileSync(t.lab.sudoPasswordFile, 'utf8').trim();
  const sudoPrompt = wb.page.locator('.quick-input-widget').filter({ hasText: /sudo password for sudopw@192\.0\.2\.1:22 / });
  const importSudopw = async () => {
    await wb.runCommand('Docker Firewall: Import from SSH Config…');
    await wb.typeInInputBox('h1-sudopw', { submit: false });
    await wb.pickQuickPickItem('h1-sudopw'); // a many-pick: the click ticks it
    await wb.page.keyboard.press('Enter');
    assert.deepEqual(await t.settingsHave('h1-sudopw', true), { name: 'h1-sudopw', destination: 'h1-sudopw' });
  };

  await importSudopw();
  await sudoPrompt.waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await wb.page.locator('.quick-input-widget input[type="password"]').count(), 1, 'the sudo password is asked in a password box');
  await wb.typeInInputBox(password);
  await t.hostsRowDescribed('h1-sudopw', 'open');
  // Only a password that worked is offered for remembering, keyed by the account, address and host key.
  await wb.clickNotificationButton(/^Remember the sudo password for sudopw@192\.0\.2\.1:22 \(SHA256:/, 'Remember');
  t.step('Import from SSH Config: h1-sudopw written to the user settings; sudo asked for its password in a password box; the host reads; Remember');

  // A new extension host (the window reloaded) has only the secret storage to go on.
  await wb.reloadWindow();
  await wb.openViewContainer('Docker Firewall');
  await wb.setSidebarViewExpanded(HOSTS, true);
  await t.hostsRowDescribed('h1-sudopw', 'open');
  assert.equal(await sudoPrompt.count(), 0, 'asked for the sudo password again after a reload');
  t.step('Reload Window: h1-sudopw reads with the sudo password from the secret storage, not asked again');

  await wb.chooseContextMenuItem('h1-sudopw', 'Remove Host');
  assert.equal((await wb.dialogText()).message, 'Remove h1-sudopw from Docker Firewall?');
  await wb.clickDialogButton('Remove Host');
  await t.settingsHave('h1-sudopw', false);
  await importSudopw();
  await sudoPrompt.waitFor({ state: 'visible', timeout: 30_000 });
  await wb.page.keyboard.press('Escape');
  t.step('Remove Host forgot the saved password: imported again, h1-sudopw asks for it again');
}

/** A TCP listener in `ns` that accepts connections and never says a word (no SSH banner). */
async function startSilentListener(ns: string): Promise<{ port: number; stop: () => void }> {
  const program = "const s = require('node:net').createServer((c) => c.on('error', () => {})); s.listen(0, '127.0.0.1', () => console.log(s.address().port));";
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString('utf8').trim())));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the silent listener exited ${String(code)}`)));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

/** Parks the mouse over the empty editor area so that no hover tooltip covers a screenshot. */
async function moveMouseAway(wb: Workbench): Promise<void> {
  const viewport = wb.page.viewportSize() ?? { width: 1400, height: 900 };
  await wb.page.mouse.move(viewport.width - 200, viewport.height / 2);
  await sleep(400);
}

/** Waits (a few seconds at most) for a progress toast to go; a toast that stays is no failure. */
async function waitForToastGone(wb: Workbench, text: string): Promise<void> {
  await wb.page
    .locator('.notifications-toasts .notification-toast')
    .filter({ hasText: text })
    .first()
    .waitFor({ state: 'hidden', timeout: 5000 })
    .catch(() => undefined);
}

/** Collapses an expanded tree row in the side bar (clicks its twistie). */
async function collapseSidebarRow(wb: Workbench, label: string): Promise<void> {
  const row = await wb.waitForSidebarRow(label);
  if ((await row.getAttribute('aria-expanded')) === 'true') await row.locator('.monaco-tl-twistie').click();
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Removes any lockdown from the lab hosts with the command-line tool. */
async function unblockAll(lab: Lab): Promise<void> {
  await Promise.all(
    lab.hosts.map(async (host) => {
      const result = await dockerFirewall(['--known-hosts', lab.knownHosts, 'unblock', host.name], { lab });
      if (result.code !== 0) throw new Error(`docker-firewall unblock ${host.name} exited ${String(result.code)}: ${result.stderr.trim()}`);
    }),
  );
}

async function main(): Promise<number> {
  const begun = Date.now();
  const lab = extensionSuiteLab(loadLab());
  const h1 = labHost(lab, 'h1');
  const netns = netnsFromEnv('DFW_TEST_NETNS') ?? lab.outside.ns;
  if (netns !== lab.outside.ns) throw new Error(`DFW_TEST_NETNS=${netns}, but lab ${lab.name}'s outside namespace is ${lab.outside.ns}`);
  for (const file of [path.join(REPO_ROOT, 'dist', 'extension.js'), CLI]) if (!existsSync(file)) throw new Error(`${file} is missing; run npm run build`);
  const screenshotsDir = path.resolve(process.env.DFW_SCREENSHOTS_DIR ?? path.join(REPO_ROOT, 'test-results', 'ui'));
  const timeoutMs = Number(process.env.DFW_TEST_TIMEOUT_MS ?? 300_000);

  const workspace = mkdtempSync(path.join(tmpdir(), 'dfw-ui-workspace-'));
  writeFileSync(path.join(workspace, 'README.md'), '# Docker Firewall UI test workspace\n');
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let test: UiTest | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    console.log(`UI test: ${describeCodeServer()}, lab ${lab.name}`);
    await unblockAll(lab);
    assert.equal(await tcpConnect(lab.outside.ns, h1.ipv4, 8080, 1500), 'open', `h1:8080 does not answer from ${lab.outside.ns} before the test`);
    server = await startCodeServer({
      netns,
      folder: workspace,
      // Newer VS Code loads an extension under development in the web workbench only with this, as it runs a test payload.
      extraArgs: testPayloadArgs(),
      settings: {
        'dockerFirewall.hosts': lab.hosts.map((host) => ({ name: host.name, destination: host.name })),
        'dockerFirewall.sshConfigPath': lab.sshConfig,
        'dockerFirewall.knownHostsPath': lab.knownHosts,
        // confirmDestructiveActions stays at its default (true): the real modals are answered.
        // Port items show exactly their exposure after each change; Check From Here is run from the menu.
        'dockerFirewall.verifyAfterChange': false,
        // CI runs this test beside other suites on two cores: a UDP reply may take longer than verify's 1.5 s.
        'dockerFirewall.checkTimeout': 3000,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'workbench.layoutControl.enabled': false,
        'window.commandCenter': false,
        'breadcrumbs.enabled': false,
      },
    });
    console.log(`code-server on ${server.origin} in netns ${netns} (lab ${lab.name}) after ${Date.now() - begun} ms`);
    browser = await launchBrowser({ netns, viewport: { width: 1400, height: 900 } });
    // Where code-server needs VS Code's smoke-test driver (see startCodeServer's extraArgs), VS Code shows no toasts.
    const wb = new Workbench(browser.page, { screenshotsDir, timeoutMs: 20_000, notifications: testPayloadArgs().length > 0 ? 'center' : 'toasts' });
    test = new UiTest(wb, lab, h1, path.join(server.userDataDir, 'User', 'settings.json'));
    rmSync(screenshotsDir, { recursive: true, force: true });
    await browser.page.goto(workbenchUrl({ port: server.port, folder: workspace, extensionDevelopmentPath: REPO_ROOT }));
    const run = scenario(test);
    run.catch(() => undefined); // after a timeout it rejects once the browser closes
    await Promise.race([
      run,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`UI test timed out after ${timeoutMs} ms`)), timeoutMs))),
    ]);
    if (process.env.DFW_UPDATE_DOCS_SCREENSHOTS === '1') {
      const docsDir = path.join(REPO_ROOT, 'docs', 'screenshots');
      mkdirSync(docsDir, { recursive: true });
      for (const [shot, file] of Object.entries(DOCS_SCREENSHOTS)) copyFileSync(path.join(screenshotsDir, `${shot}.png`), path.join(docsDir, file));
      console.log(`copied ${Object.keys(DOCS_SCREENSHOTS).length} screenshots to ${path.relative(process.cwd(), docsDir)}`);
    }
    console.log(`screenshots: ${path.relative(process.cwd(), screenshotsDir)}`);
    console.log(`PASS in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
    return 0;
  } catch (error) {
    console.error(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
    const shot = await test?.wb.screenshot('failure').catch(() => undefined);
    if (shot !== undefined) console.error(`screenshot: ${path.relative(process.cwd(), shot)}`);
    const rows = await test?.hostsRows().catch(() => undefined);
    if (rows !== undefined) console.error(`Hosts view:\n${rows.join('\n')}`);
    const notifications = await test?.wb.notifications().catch(() => undefined);
    if (notifications !== undefined && notifications.length > 0) console.error(`notifications:\n${notifications.join('\n')}`);
    if (server !== undefined) {
      // code-server's own output and its logs (the extension host's, our output channel's) outlive the run here.
      const logs = path.join(screenshotsDir, 'logs');
      mkdirSync(logs, { recursive: true });
      if (existsSync(server.logFile)) copyFileSync(server.logFile, path.join(logs, 'code-server.log'));
      const serverLogs = path.join(server.userDataDir, 'logs');
      if (existsSync(serverLogs)) cpSync(serverLogs, path.join(logs, 'server'), { recursive: true });
      console.error(`logs: ${path.relative(process.cwd(), logs)}`);
    }
    return 1;
  } finally {
    clearTimeout(timer);
    await browser?.close();
    await server?.stop();
    rmSync(workspace, { recursive: true, force: true });
    // The lab is left as found, whatever happened in the browser.
    await unblockAll(lab).catch((error: unknown) => console.error(`could not unblock the lab hosts: ${String(error)}`));
    console.log(`total ${((Date.now() - begun) / 1000).toFixed(1)} s`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
