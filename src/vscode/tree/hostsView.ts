import * as vscode from 'vscode';
import { commandId, VIEWS } from '../ids';
import type { SettingsStore } from '../settings/settingsStore';
import type { HostReadCache } from '../hosts/hostReadCache';
import type { CheckResults, PortCheckView } from '../hosts/checkResults';
import { withPortCheck } from './checkText';
import { nodeContextValue } from './contextValue';
import { childrenOf, portNodes } from './hostChildren';
import { containerItemText, errorItemText, hostItemText, portItemText, servicesItemText } from './hostTreeText';
import { groupNodeId, hostNode, nodeId, type GroupNode, type HostNode, type HostTreeNode, type HostsViewNode, type PortNode } from './nodes';
import { contextValue } from './contextValue';
import { groupItemText, rootLayout } from './hostGroups';
import { hostDisplayState } from '../hosts/hostSnapshot';
import { allowClock, nextRedrawSeconds } from './allowTimeText';
import { RedrawTimer } from './redrawTimer';
import { treeItem } from './treeItem';
import { withWindowMark } from './windowHostText';
import { exposedLegend, portUri } from './exposedPortDecorationProvider';
import { ViewRefresh } from './viewRefresh';

const { Collapsed, Expanded, None } = vscode.TreeItemCollapsibleState;

/**
 * The Hosts view: hosts → containers → published ports. Hosts are read when the tree first shows
 * them (never at activation); a host that cannot be read gets an error child with a retry action.
 * Like ChainStatusView, it owns its TreeView and is redrawn through a ViewRefresh.
 */
export class HostsView implements vscode.TreeDataProvider<HostsViewNode>, vscode.Disposable {
  private readonly redraw = new ViewRefresh<HostsViewNode>();
  readonly onDidChangeTreeData = this.redraw.event;
  readonly treeView: vscode.TreeView<HostsViewNode>;
  /** The host nodes handed to VS Code, kept so that one host can be refreshed on its own. */
  private readonly hostNodes = new Map<string, HostNode>();
  /** The group nodes handed to VS Code, by group, redrawn with their hosts (their description counts states). */
  private readonly groupNodes = new Map<string, GroupNode>();
  private readonly subscriptions: vscode.Disposable[];
  /** Redraws hosts with allows that end, at each end and each minute before it. */
  private readonly allowTimer = new RedrawTimer(
    () => this.nextAllowRedraw(),
    () => this.redrawTimedHosts(),
  );

  constructor(
    private readonly settings: SettingsStore,
    private readonly reads: HostReadCache,
    private readonly checks?: CheckResults,
  ) {
    this.treeView = vscode.window.createTreeView(VIEWS.hosts, { treeDataProvider: this, showCollapseAll: true });
    this.subscriptions = [
      this.treeView,
      this.redraw,
      this.allowTimer,
      reads.onDidChange(({ hostName, quiet }) => {
        const node = this.hostNodes.get(hostName);
        if (!quiet && node !== undefined) this.refresh(node);
        const group = this.settings.find(hostName)?.group;
        const groupNode = group === undefined ? undefined : this.groupNodes.get(group);
        if (!quiet && groupNode !== undefined) this.refresh(groupNode);
        this.allowTimer.schedule();
      }),
      settings.onDidChange(() => this.refresh()),
    ];
    if (checks !== undefined) {
      this.subscriptions.push(
        checks.onDidChange((hostName) => {
          const node = this.hostNodes.get(hostName);
          if (node !== undefined) this.refresh(node);
        }),
      );
    }
  }

  /** Redraws one node and what is below it, or the whole tree. */
  refresh(node?: HostsViewNode): void {
    this.redraw.request(node);
  }

  getTreeItem(node: HostsViewNode): vscode.TreeItem {
    if (node.kind === 'group') return this.groupItem(node);
    const item = this.itemFor(node);
    item.id = nodeId(node);
    const windowHost = this.settings.current.windowHost;
    item.contextValue = nodeContextValue(node, (name) => this.reads.get(name), Date.now(), windowHost?.saved === false ? windowHost.name : undefined);
    return item;
  }

  getChildren(node?: HostsViewNode): HostsViewNode[] {
    if (node === undefined) return this.rootChildren();
    switch (node.kind) {
      case 'group':
        return this.groupHosts(node.group);
      case 'host': {
        // Never wait for the read here: its end redraws this node, and VS Code must not be fetching
        // the same children twice at once (it would see every id registered twice).
        const snapshot = this.reads.get(node.hostName);
        if (snapshot.status === undefined && snapshot.failure === undefined) void this.reads.load(node.hostName);
        return childrenOf(node.hostName, snapshot);
      }
      case 'container':
      case 'services':
        return portNodes(node).map((port) => ({ ...port, check: this.portCheck(port) }));
      case 'error':
      case 'info':
      case 'port':
        return [];
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private groupItem(node: GroupNode): vscode.TreeItem {
    const members = this.groupHosts(node.group).map(({ hostName }) => ({ name: hostName, state: hostDisplayState(this.reads.get(hostName)) }));
    const item = treeItem(groupItemText(node.group, members), Expanded);
    item.id = groupNodeId(node.group);
    item.contextValue = contextValue({ kind: 'group' });
    return item;
  }

  private itemFor(node: HostTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'host': {
        const entry = this.settings.find(node.hostName) ?? { name: node.hostName, destination: node.hostName };
        const text = hostItemText(entry, this.reads.get(node.hostName));
        const windowHost = this.settings.current.windowHost;
        return treeItem(windowHost?.name === node.hostName ? withWindowMark(text, windowHost) : text, Expanded);
      }
      case 'container':
        return treeItem(containerItemText(node.container, node.ports), node.ports.length > 0 ? Expanded : None);
      case 'services':
        return treeItem(servicesItemText(node.ports), Collapsed);
      case 'port': {
        const status = this.reads.get(node.hostName).status;
        const clock = status === undefined ? undefined : allowClock(status, Date.now());
        const text = withPortCheck(portItemText(node.port, node.allows, clock), node.check);
        const item = treeItem(node.port.exposure === 'exposed' ? { ...text, tooltip: `${text.tooltip ?? ''}\n\n${exposedLegend()}` } : text, None);
        item.resourceUri = portUri(node.hostName, node.port);
        return item;
      }
      case 'error': {
        const item = treeItem(errorItemText(node.message), None);
        item.command = { command: commandId('retryHost'), title: vscode.l10n.t('Retry'), arguments: [node] };
        return item;
      }
      case 'info':
        return treeItem({ label: node.message, icon: { id: 'info' } }, None);
    }
  }

  /** The last Check From Here of the port, if it was made under the rules in force. */
  private portCheck(node: PortNode): PortCheckView | undefined {
    const policy = this.reads.get(node.hostName).status?.firewall.policy;
    return policy === undefined ? undefined : this.checks?.forPort(node.hostName, node.port, policy);
  }

  /** Seconds to the next change of a timed allow's text, over every host read. */
  private nextAllowRedraw(): number | undefined {
    const delays = this.settings.hosts.flatMap(({ name }) => {
      const status = this.reads.get(name).status;
      const seconds = status === undefined ? undefined : nextRedrawSeconds(status.firewall.policy.allows, allowClock(status, Date.now()).now);
      return seconds === undefined ? [] : [seconds];
    });
    return delays.length === 0 ? undefined : Math.min(...delays);
  }

  private redrawTimedHosts(): void {
    for (const [name, node] of this.hostNodes) {
      if (this.reads.get(name).status?.firewall.policy.allows.some((a) => a.until !== undefined) === true) this.refresh(node);
    }
  }

  /** The window's host, the groups, then the hosts of no group (hostGroups.ts). */
  private rootChildren(): HostsViewNode[] {
    const names = new Set(this.settings.hosts.map((h) => h.name));
    for (const name of [...this.hostNodes.keys()]) if (!names.has(name)) this.hostNodes.delete(name);
    const layout = rootLayout(this.settings.hosts, this.settings.current.windowHost?.name);
    const groups = new Set(layout.flatMap((e) => (e.kind === 'group' ? [e.group] : [])));
    for (const group of [...this.groupNodes.keys()]) if (!groups.has(group)) this.groupNodes.delete(group);
    return layout.map((entry) => {
      if (entry.kind === 'host') return this.hostNodeFor(entry.hostName);
      let node = this.groupNodes.get(entry.group);
      if (node === undefined) {
        node = { kind: 'group', group: entry.group };
        this.groupNodes.set(entry.group, node);
      }
      return node;
    });
  }

  private groupHosts(group: string): HostNode[] {
    const entry = rootLayout(this.settings.hosts, this.settings.current.windowHost?.name).find((e) => e.kind === 'group' && e.group === group);
    return entry?.kind === 'group' ? entry.hostNames.map((name) => this.hostNodeFor(name)) : [];
  }

  private hostNodeFor(hostName: string): HostNode {
    let node = this.hostNodes.get(hostName);
    if (node === undefined) {
      node = hostNode(hostName);
      this.hostNodes.set(hostName, node);
    }
    // Every host shows locked/open, so every visible host is read (each once; Refresh reads again),
    // at most dockerFirewall.maxParallelHosts at once (HostReadCache).
    void this.reads.load(hostName);
    return node;
  }
}
