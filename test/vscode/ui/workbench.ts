// Playwright helpers for UI tests against the VS Code workbench (code-server 4.100.3 / VS Code
// 1.100.3). Selectors are the workbench's own class names; each was checked against a live
// workbench. Lists are virtualised: only rows scrolled into view exist in the DOM.
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { type Locator, type Page } from 'playwright-core';

export interface WorkbenchOptions {
  /** Folder for screenshot(); created on first use. Default `test-results/`. */
  screenshotsDir?: string;
  /** Default timeout of each helper, in ms. Default 15 s. */
  timeoutMs?: number;
  /**
   * Where notifications are looked for: as toasts (default), or in the notification center. VS Code
   * adds no toast at all while its smoke-test driver is on (notificationsToasts.ts: addToast), and
   * newer code-server loads an extension under development only with that driver: there the
   * notifications are only in the center.
   */
  notifications?: 'toasts' | 'center';
}

export interface ListRow {
  /** Position among the rendered rows (0 = first visible). */
  index: number;
  /** The row's label (`.label-name`), or its aria-label when it has none. */
  label: string;
  /** Grey text after the label (`.label-description`), '' if none. */
  description: string;
  ariaLabel: string;
  /** Tree depth, 1 for top-level rows. */
  level: number | undefined;
  /** true/false for collapsible tree rows, undefined for leaves. */
  expanded: boolean | undefined;
  selected: boolean;
}

const SELECTORS = {
  workbench: '.monaco-workbench',
  activityBar: '.part.activitybar',
  statusBar: '.part.statusbar',
  sidebar: '.part.sidebar',
  sidebarTitle: '.part.sidebar .composite.title h2',
  listRow: '.monaco-list-row',
  paneView: '.pane',
  paneHeader: '.pane-header',
  paneTitle: 'h3.title',
  labelName: '.label-name',
  labelDescription: '.label-description',
  contextMenuItem: '.monaco-menu .action-item',
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputRow: '.quick-input-widget .quick-input-list .monaco-list-row',
  quickInputMessage: '.quick-input-widget .quick-input-message',
  toast: '.notifications-toasts .notification-toast',
  notificationCenter: '.notifications-center',
  notificationCenterItem: '.notifications-center .notification-list-item',
  toastMessage: '.notification-list-item-message',
  toastButton: '.notification-list-item-buttons-container .monaco-button',
  dialog: '.monaco-dialog-box',
  dialogMessage: '.monaco-dialog-box .dialog-message-text',
  dialogDetail: '.monaco-dialog-box .dialog-message-detail',
  dialogButton: '.monaco-dialog-box .dialog-buttons .monaco-button',
  editor: '.part.editor',
  editorLines: '.part.editor .monaco-editor .view-lines',
  runningExtensionRow: '.part.editor .monaco-list-row',
  activationTime: '.activation-time',
} as const;

export class Workbench {
  readonly screenshotsDir: string;
  readonly timeoutMs: number;
  readonly notificationsIn: 'toasts' | 'center';

  constructor(
    readonly page: Page,
    options: WorkbenchOptions = {},
  ) {
    this.screenshotsDir = path.resolve(options.screenshotsDir ?? 'test-results');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.notificationsIn = options.notifications ?? 'toasts';
  }

  /** Resolves once the workbench's activity bar, status bar and editor area are shown. */
  /**
   * Developer: Reload Window, then the new page ready. The reload navigates a moment after the
   * command returns: waiting for the workbench alone could see the old page, still shown, and go on
   * while the new one loads (the last full run failed so, looking for the side bar mid-navigation).
   */
  async reloadWindow(timeoutMs = 60_000): Promise<void> {
    const loaded = this.page.waitForEvent('load', { timeout: timeoutMs });
    await this.runCommand('Developer: Reload Window');
    await loaded;
    await this.waitUntilReady(timeoutMs);
  }

  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const left = (): number => Math.max(1, deadline - Date.now());
    await this.page.locator(SELECTORS.workbench).waitFor({ state: 'visible', timeout: left() });
    await this.page.locator(SELECTORS.activityBar).waitFor({ state: 'visible', timeout: left() });
    await this.page.locator(SELECTORS.statusBar).waitFor({ state: 'visible', timeout: left() });
    await this.page.locator(SELECTORS.editor).waitFor({ state: 'visible', timeout: left() });
  }

  /** The window (document) title, e.g. "[Extension Development Host] folder - code-server". */
  async windowTitle(): Promise<string> {
    return this.page.title();
  }

  // --- activity bar and side bar ---------------------------------------------------------------

  /** The activity-bar entry whose aria-label starts with `title` ("Explorer (Ctrl+Shift+E)"). */
  activityBarItem(title: string): Locator {
    return this.page.locator(`${SELECTORS.activityBar} .action-label[aria-label^=${cssString(title)}]`);
  }

  /** Shows the view container `title` in the side bar (does not toggle it closed when already shown). */
  async openViewContainer(title: string): Promise<void> {
    const item = this.activityBarItem(title);
    await item.waitFor({ state: 'visible', timeout: this.timeoutMs });
    // `has` is relative to the candidate element, so it takes the label selector without the part.
    const entry = this.page
      .locator(`${SELECTORS.activityBar} li.action-item`)
      .filter({ has: this.page.locator(`.action-label[aria-label^=${cssString(title)}]`) });
    const sidebarTitle = this.page.locator(SELECTORS.sidebarTitle).filter({ hasText: new RegExp(`^${escapeRegExp(title)}`, 'i') });
    const shown = async () => (await entry.getAttribute('aria-selected')) === 'true' && (await sidebarTitle.isVisible());
    // Right after a reload the workbench may still be restoring the side bar: a click then toggles
    // it shut. So: click only when it is not shown, and look again before clicking again.
    const deadline = Date.now() + this.timeoutMs;
    while (!(await shown()) && Date.now() < deadline) {
      await item.click();
      await sidebarTitle.waitFor({ state: 'visible', timeout: 2000 }).catch(() => undefined);
    }
    await sidebarTitle.waitFor({ state: 'visible', timeout: 1000 });
  }

  /** The side bar's title, e.g. "EXPLORER" or "DOCKER FIREWALL: HOSTS". */
  async sidebarTitle(): Promise<string> {
    return ((await this.page.locator(SELECTORS.sidebarTitle).first().textContent()) ?? '').trim();
  }

  /** Rendered rows of every list and tree in the side bar, top to bottom. */
  async sidebarRows(): Promise<ListRow[]> {
    return readRows(this.page.locator(`${SELECTORS.sidebar} ${SELECTORS.listRow}`));
  }

  /** Side-bar row(s) whose label is exactly `label` (or matches the RegExp). */
  sidebarRow(label: string | RegExp): Locator {
    return rowsLabelled(this.page.locator(`${SELECTORS.sidebar} ${SELECTORS.listRow}`), label);
  }

  async waitForSidebarRow(label: string | RegExp, timeoutMs = this.timeoutMs): Promise<Locator> {
    const row = this.sidebarRow(label).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    return row;
  }

  /** Expands a collapsed tree row (clicks its twistie); no-op for an expanded row. */
  async expandSidebarRow(label: string | RegExp): Promise<void> {
    const row = await this.waitForSidebarRow(label);
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
  }

  /** Drags the sash between the side bar and the editor until the side bar is about `width` px wide. */
  async setSidebarWidth(width: number): Promise<void> {
    const sidebar = this.page.locator(SELECTORS.sidebar);
    await sidebar.waitFor({ state: 'visible', timeout: this.timeoutMs });
    const box = await sidebar.boundingBox();
    if (box === null) throw new Error('the side bar has no bounding box');
    // Drag the vertical sash nearest the side bar's right edge (the side bar sits left of the editor
    // by default), from the middle of the sash's own box: a press on the side bar's last pixel took
    // the sash in VS Code 1.100 but left the side bar at 300 px in 1.139.
    const edge = box.x + box.width;
    let from = { x: edge - 1, y: box.y + box.height / 2 };
    let nearest = Infinity;
    for (const sash of await this.page.locator('.monaco-sash.vertical').all()) {
      const s = await sash.boundingBox();
      if (s === null || s.height < box.height / 2) continue;
      const middle = s.x + s.width / 2;
      if (Math.abs(middle - edge) < nearest && Math.abs(middle - edge) <= 8) {
        nearest = Math.abs(middle - edge);
        from = { x: middle, y: s.y + s.height / 2 };
      }
    }
    await this.page.mouse.move(from.x, from.y);
    await this.page.mouse.down();
    await this.page.mouse.move(from.x + (box.x + width - edge), from.y, { steps: 8 });
    await this.page.mouse.up();
    const after = await sidebar.boundingBox();
    if (after === null || Math.abs(after.width - width) > 8) {
      throw new Error(`the side bar is ${after?.width ?? 0} px wide after dragging its sash to ${width} px`);
    }
  }

  /** The side-bar view (pane) titled `title`, e.g. "Hosts" in a container that shows several views. */
  sidebarView(title: string): Locator {
    return this.page.locator(`${SELECTORS.sidebar} ${SELECTORS.paneView}`).filter({ has: this.paneHeader(title) });
  }

  /** Rows of the side-bar view `viewTitle` whose label is exactly `label` (or matches the RegExp). */
  sidebarViewRow(viewTitle: string, label: string | RegExp): Locator {
    return rowsLabelled(this.sidebarView(viewTitle).locator(SELECTORS.listRow), label);
  }

  /** Rendered rows of the side-bar view `viewTitle`, top to bottom. */
  async sidebarViewRows(viewTitle: string): Promise<ListRow[]> {
    return readRows(this.sidebarView(viewTitle).locator(SELECTORS.listRow));
  }

  /** Expands or collapses the side-bar view `title` (clicks its header only when needed). */
  async setSidebarViewExpanded(title: string, expanded: boolean): Promise<void> {
    const header = this.page.locator(SELECTORS.sidebar).locator(this.paneHeader(title)).first();
    await header.waitFor({ state: 'visible', timeout: this.timeoutMs });
    if ((await header.getAttribute('aria-expanded')) !== String(expanded)) await header.click();
    await this.page
      .locator(SELECTORS.sidebar)
      .locator(`${SELECTORS.paneHeader}[aria-expanded="${String(expanded)}"]`)
      .filter({ has: this.page.locator(SELECTORS.paneTitle).getByText(title, { exact: true }) })
      .waitFor({ state: 'visible', timeout: this.timeoutMs });
  }

  /** The labels of the title-bar actions of the side-bar view `title` (in the DOM whether hovered or not). */
  async viewTitleActions(title: string): Promise<string[]> {
    const actions = this.page.locator(SELECTORS.sidebar).locator(this.paneHeader(title)).first().locator('.actions .action-label');
    const labels: string[] = [];
    for (const action of await actions.all()) labels.push((await action.getAttribute('aria-label')) ?? '');
    return labels.filter((label) => label !== '');
  }

  private paneHeader(title: string): Locator {
    return this.page.locator(SELECTORS.paneHeader).filter({ has: this.page.locator(SELECTORS.paneTitle).getByText(title, { exact: true }) });
  }

  // --- context menus ---------------------------------------------------------------------------

  /** Right-clicks the side-bar row labelled `rowLabel` and chooses `itemLabel` from its context menu. */
  async chooseContextMenuItem(rowLabel: string | RegExp, itemLabel: string): Promise<void> {
    await this.openContextMenu(rowLabel);
    await this.clickContextMenuItem(itemLabel);
  }

  /** Right-clicks a side-bar row and returns the labels of its context menu (menu left open). */
  async openContextMenu(rowLabel: string | RegExp): Promise<string[]> {
    const row = await this.waitForSidebarRow(rowLabel);
    await row.click({ button: 'right' });
    await this.page.locator(SELECTORS.contextMenuItem).first().waitFor({ state: 'visible', timeout: this.timeoutMs });
    return this.contextMenuItems();
  }

  /** Labels of the open context menu (separators left out). */
  async contextMenuItems(): Promise<string[]> {
    const labels = await this.page.locator(`${SELECTORS.contextMenuItem} .action-label`).allTextContents();
    return labels.map((label) => label.trim()).filter((label) => label !== '');
  }

  /**
   * Chooses `itemLabel` in the open context menu. Hover + Enter rather than a click: a click that
   * lands right after the menu opened is sometimes swallowed by the menu's mouse-up guard.
   */
  async clickContextMenuItem(itemLabel: string): Promise<void> {
    const item = this.page
      .locator(SELECTORS.contextMenuItem)
      .filter({ has: this.page.locator('.action-label').getByText(itemLabel, { exact: true }) })
      .first();
    await item.hover({ timeout: this.timeoutMs });
    await this.page
      .locator(`${SELECTORS.contextMenuItem}.focused`)
      .filter({ has: this.page.locator('.action-label').getByText(itemLabel, { exact: true }) })
      .waitFor({ state: 'visible', timeout: this.timeoutMs });
    await this.page.keyboard.press('Enter');
    await this.page.locator(SELECTORS.contextMenuItem).first().waitFor({ state: 'hidden', timeout: this.timeoutMs });
  }

  // --- command palette, quick picks and input boxes ---------------------------------------------

  /** F1, `>title`, then runs the command whose palette label is exactly `title` ("Category: Title"). */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('Escape'); // close whatever quick input or menu is open
    await this.page.keyboard.press('F1');
    const input = this.page.locator(SELECTORS.quickInputBox);
    await input.waitFor({ state: 'visible', timeout: this.timeoutMs });
    await input.fill(`>${title}`);
    await this.pickQuickPickItem(title);
  }

  /** Labels of the quick pick's rendered rows. */
  async quickPickItems(): Promise<string[]> {
    await this.page.locator(SELECTORS.quickInput).waitFor({ state: 'visible', timeout: this.timeoutMs });
    return (await readRows(this.page.locator(SELECTORS.quickInputRow))).map((row) => row.label);
  }

  /** Clicks the quick-pick row whose label is exactly `label` (or matches the RegExp). */
  async pickQuickPickItem(label: string | RegExp): Promise<void> {
    const row = rowsLabelled(this.page.locator(SELECTORS.quickInputRow), label).first();
    await row.click({ timeout: this.timeoutMs });
  }

  /** Types into the open input box (showInputBox, or a quick pick's filter); Enter unless submit is false. */
  async typeInInputBox(text: string, options: { submit?: boolean } = {}): Promise<void> {
    const input = this.page.locator(SELECTORS.quickInputBox);
    await input.waitFor({ state: 'visible', timeout: this.timeoutMs });
    await input.fill(text);
    if (options.submit ?? true) await input.press('Enter');
  }

  /** The input box's prompt or validation message. */
  async inputBoxMessage(): Promise<string> {
    return ((await this.page.locator(SELECTORS.quickInputMessage).first().textContent()) ?? '').trim();
  }

  async waitForQuickInputClosed(timeoutMs = this.timeoutMs): Promise<void> {
    await this.page.locator(SELECTORS.quickInput).waitFor({ state: 'hidden', timeout: timeoutMs });
  }

  // --- notifications ---------------------------------------------------------------------------

  /** Messages of the notifications currently shown (as toasts, or in the center: see WorkbenchOptions.notifications). */
  async notifications(): Promise<string[]> {
    await this.showNotificationCenter();
    const messages = await this.page.locator(`${this.notificationSelector()} ${SELECTORS.toastMessage}`).allTextContents();
    return messages.map((message) => message.trim());
  }

  /** The notification (a toast, or an item of the center) whose message contains `text` (or matches the RegExp), once shown. */
  async waitForNotification(text: string | RegExp, timeoutMs = this.timeoutMs): Promise<Locator> {
    const toast = this.page
      .locator(this.notificationSelector())
      .filter({ has: this.page.locator(SELECTORS.toastMessage).filter({ hasText: text }) })
      .first();
    if (this.notificationsIn === 'toasts') {
      await toast.waitFor({ state: 'visible', timeout: timeoutMs });
      return toast;
    }
    // The center hides itself when its last notification goes (one whose button was just clicked,
    // say): it is opened again for as long as the notification has not come.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.showNotificationCenter();
      if (await toast.isVisible()) return toast;
      if (Date.now() > deadline) {
        await toast.waitFor({ state: 'visible', timeout: 1 }); // fails with Playwright's own description
        return toast;
      }
      await this.page.waitForTimeout(250);
    }
  }

  private notificationSelector(): string {
    return this.notificationsIn === 'center' ? SELECTORS.notificationCenterItem : SELECTORS.toast;
  }

  /** Where notifications are only in the center: opens it (Notifications: Show Notifications) unless it is open. */
  private async showNotificationCenter(): Promise<void> {
    if (this.notificationsIn !== 'center' || (await this.page.locator(SELECTORS.notificationCenter).isVisible())) return;
    await this.runCommand('Notifications: Show Notifications');
    await this.page.locator(SELECTORS.notificationCenter).waitFor({ state: 'visible', timeout: this.timeoutMs });
  }

  /** Clicks the action button `buttonLabel` ("Show Log", "Retry") of the toast matching `text`. */
  async clickNotificationButton(text: string | RegExp, buttonLabel: string): Promise<void> {
    const toast = await this.waitForNotification(text);
    await toast.locator(SELECTORS.toastButton).getByText(buttonLabel, { exact: true }).click({ timeout: this.timeoutMs });
  }

  // --- modal dialogs ---------------------------------------------------------------------------

  /** The open modal dialog's message and detail. */
  async dialogText(): Promise<{ message: string; detail: string }> {
    await this.page.locator(SELECTORS.dialog).waitFor({ state: 'visible', timeout: this.timeoutMs });
    const message = (await this.page.locator(SELECTORS.dialogMessage).first().textContent()) ?? '';
    const detail = (await this.page.locator(SELECTORS.dialogDetail).first().textContent().catch(() => '')) ?? '';
    return { message: message.trim(), detail: detail.trim() };
  }

  /** Clicks the modal dialog's button labelled exactly `label` and waits for the dialog to close. */
  async clickDialogButton(label: string): Promise<void> {
    await this.page.locator(SELECTORS.dialogButton).getByText(label, { exact: true }).click({ timeout: this.timeoutMs });
    await this.page.locator(SELECTORS.dialog).waitFor({ state: 'hidden', timeout: this.timeoutMs });
  }

  // --- editors ---------------------------------------------------------------------------------

  /** The text the active editor shows (Monaco renders the lines in view only). */
  async editorText(): Promise<string> {
    const lines = this.page.locator(SELECTORS.editorLines).first();
    await lines.waitFor({ state: 'visible', timeout: this.timeoutMs });
    return (await lines.innerText()).replace(/\u00a0/g, ' ');
  }

  /**
   * The activation time the extension host measured for extension `id`, as "Developer: Show
   * Running Extensions" lists it ("Activation: 160ms": loading the extension's code and its
   * activate() call). Throws when the extension is not listed, i.e. not activated.
   */
  async extensionActivationMs(id: string): Promise<{ ms: number; text: string }> {
    await this.runCommand('Developer: Show Running Extensions');
    const row = this.page.locator(SELECTORS.runningExtensionRow).filter({ hasText: id }).first();
    const time = row.locator(SELECTORS.activationTime);
    await time.filter({ hasText: /Activation: \d+ms/ }).waitFor({ state: 'visible', timeout: this.timeoutMs });
    const text = ((await time.textContent()) ?? '').trim();
    const ms = /Activation: (\d+)ms/.exec(text)?.[1];
    if (ms === undefined) throw new Error(`Running Extensions shows no activation time for ${id}: "${text}"`);
    return { ms: Number(ms), text };
  }

  // --- screenshots -----------------------------------------------------------------------------

  /** Saves a PNG of the page as `<screenshotsDir>/<name>.png` and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(this.screenshotsDir, { recursive: true });
    const file = path.join(this.screenshotsDir, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}

function rowsLabelled(rows: Locator, label: string | RegExp): Locator {
  const page = rows.page();
  const name = typeof label === 'string' ? page.locator(SELECTORS.labelName).getByText(label, { exact: true }) : page.locator(SELECTORS.labelName).filter({ hasText: label });
  return rows.filter({ has: name });
}

async function readRows(rows: Locator): Promise<ListRow[]> {
  const result: ListRow[] = [];
  for (const [index, row] of (await rows.all()).entries()) {
    const ariaLabel = (await row.getAttribute('aria-label')) ?? '';
    const labelName = row.locator(SELECTORS.labelName).first();
    const description = row.locator(SELECTORS.labelDescription).first();
    const label = (await labelName.count()) > 0 ? ((await labelName.textContent()) ?? '').trim() : ariaLabel;
    const level = await row.getAttribute('aria-level');
    const expanded = await row.getAttribute('aria-expanded');
    result.push({
      index,
      label,
      description: (await description.count()) > 0 ? ((await description.textContent()) ?? '').trim() : '',
      ariaLabel,
      level: level === null ? undefined : Number(level),
      expanded: expanded === null ? undefined : expanded === 'true',
      selected: (await row.getAttribute('aria-selected')) === 'true',
    });
  }
  return result;
}

function cssString(value: string): string {
  return JSON.stringify(value);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
