import * as vscode from 'vscode';
import { CONTEXT_KEYS, VIEWS } from '../ids';
import type { SettingsStore } from '../settings/settingsStore';
import type { HostReadCache } from '../hosts/hostReadCache';
import { treeItem } from '../tree/treeItem';
import { ViewRefresh } from '../tree/viewRefresh';
import { RedrawTimer } from '../tree/redrawTimer';
import { allowClock, nextRedrawSeconds } from '../tree/allowTimeText';
import { endedAllows } from '../../core/firewall/expiry';
import { chainStatusRows, type StatusRow } from './chainStatusRows';

/**
 * The Chain Status view: the firewall of one host (the one selected in Hosts, or picked with
 * Select Host), re-read every `dockerFirewall.refreshInterval` seconds while the view is visible
 * and only then.
 */
export class ChainStatusView implements vscode.TreeDataProvider<StatusRow>, vscode.Disposable {
  private selected: string | undefined;
  private allowsEnded = false;
  private readonly redraw = new ViewRefresh<StatusRow>();
  readonly onDidChangeTreeData = this.redraw.event;
  readonly treeView: vscode.TreeView<StatusRow>;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly subscriptions: vscode.Disposable[];
  /** "47 min left" and "ended" change with time alone, also when the periodic read is off. */
  private readonly allowTimer = new RedrawTimer(
    () => this.nextAllowRedraw(),
    () => this.refresh(),
  );

  constructor(
    private readonly settings: SettingsStore,
    private readonly reads: HostReadCache,
  ) {
    this.treeView = vscode.window.createTreeView(VIEWS.chainStatus, { treeDataProvider: this });
    this.subscriptions = [
      this.treeView,
      this.redraw,
      this.allowTimer,
      this.treeView.onDidChangeVisibility(() => this.schedule(true)),
      reads.onDidChange(({ hostName, quiet }) => {
        if (hostName === this.selected && !quiet) this.refresh();
        if (hostName === this.selected) this.allowTimer.schedule();
      }),
      settings.onDidChange(({ previous, current }) => {
        if (this.selected !== undefined && !current.hosts.some((h) => h.name === this.selected)) this.select(undefined);
        else if (previous.refreshInterval !== current.refreshInterval) this.schedule(false);
      }),
    ];
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.chainStatusHostSelected, false);
  }

  get hostName(): string | undefined {
    return this.selected;
  }

  select(hostName: string | undefined): void {
    if (hostName === this.selected) return;
    this.selected = hostName;
    this.treeView.description = hostName ?? '';
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.chainStatusHostSelected, hostName !== undefined);
    this.refresh();
    this.schedule(true);
    this.allowTimer.schedule();
  }

  /** Redraws the rows from what is known (no read). */
  refresh(): void {
    this.redraw.request();
  }

  /** Reads the selected host again now. */
  async reload(): Promise<void> {
    if (this.selected !== undefined) await this.reads.load(this.selected, { force: true });
  }

  getTreeItem(row: StatusRow): vscode.TreeItem {
    const collapsible =
      row.children === undefined || row.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : row.expanded === true
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = treeItem(row, collapsible);
    item.id = `chainStatus:${row.id}`;
    if (row.contextValue !== undefined) item.contextValue = row.contextValue;
    return item;
  }

  getChildren(row?: StatusRow): StatusRow[] {
    if (row !== undefined) return [...(row.children ?? [])];
    const name = this.selected;
    if (name === undefined || this.settings.find(name) === undefined) {
      this.noteAllowsEnded(false);
      return [];
    }
    const snapshot = this.reads.get(name);
    const status = snapshot.status;
    this.noteAllowsEnded(status !== undefined && endedAllows(status.firewall.policy.allows, allowClock(status, Date.now()).now).length > 0);
    if (snapshot.status === undefined && snapshot.failure === undefined && !snapshot.loading) {
      void this.reads.load(name);
      return chainStatusRows(name, { ...snapshot, loading: true }, Date.now());
    }
    return chainStatusRows(name, snapshot, Date.now());
  }

  /** Offers Clean Up Expired in the title while the host shown has allows that ended (redrawn when one ends). */
  private noteAllowsEnded(ended: boolean): void {
    if (ended === this.allowsEnded) return;
    this.allowsEnded = ended;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.chainStatusAllowsEnded, ended);
  }

  private nextAllowRedraw(): number | undefined {
    const status = this.selected === undefined ? undefined : this.reads.get(this.selected).status;
    return status === undefined ? undefined : nextRedrawSeconds(status.firewall.policy.allows, allowClock(status, Date.now()).now);
  }

  dispose(): void {
    this.stopTimer();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  /** Starts or stops the periodic read to match visibility and the interval; `now` also reads a stale host at once. */
  private schedule(now: boolean): void {
    this.stopTimer();
    const name = this.selected;
    if (!this.treeView.visible || name === undefined) return;
    const seconds = this.settings.current.refreshInterval;
    if (now) {
      const status = this.reads.get(name).status;
      if (status !== undefined && Date.now() - status.readAt.getTime() > Math.min(seconds * 1000, 5000)) void this.reads.load(name, { force: true });
    }
    if (seconds === 0) return;
    this.timer = setInterval(() => {
      const current = this.selected;
      // Only a host that answered last time is polled: a failing one would reconnect (and prompt) every few seconds.
      if (current === undefined || !this.treeView.visible || this.reads.isLoading(current) || this.reads.get(current).status === undefined) return;
      void this.reads.load(current, { force: true });
    }, seconds * 1000);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
