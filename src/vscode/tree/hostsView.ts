import * as vscode from 'vscode';
import { commandId, VIEWS } from '../ids';
import type { SettingsStore } from '../settings/settingsStore';
import type { HostReadCache } from '../hosts/hostReadCache';
import type { CheckResults, PortCheckView } from '../hosts/checkResults';
import { withPortCheck } from './checkText';
import { nodeContextValue } from './contextValue';
import { childrenOf, portNodes } from './hostChildren';
import { containerItemText, errorItemText, hostItemText, portItemText, servicesItemText } from './hostTreeText';
import { hostNode, nodeId, type HostNode, type HostTreeNode, type PortNode } from './nodes';
import { allowClock, nextRedrawSeconds } from './allowTimeText';
import { RedrawTimer } from './redrawTimer';
import { treeItem } from './treeItem';
import { EXPOSED_LEGEND, portUri } from './exposedPortDecorationProvider';
import { ViewRefresh } from './viewRefresh';

const { Collapsed, Expanded, None } = vscode.TreeItemCollapsibleState;

/**
 * The Hosts view: hosts → containers → published ports. Hosts are read when the tree first shows
 * them (never at activation); a host that cannot be read gets an error child with a retry action.
 * Like ChainStatusView, it owns its TreeView and is redrawn through a ViewRefresh.
 */
export class HostsView implements vscode.TreeDataProvider<HostTreeNode>, vscode.Disposable {
  private readonly redraw = new ViewRefresh<HostTreeNode>();
  readonly onDidChangeTreeData = this.redraw.event;
  readonly treeView: vscode.TreeView<HostTreeNode>;
  /** The host nodes handed to VS Code, kept so that one host can be refreshed on its own. */
  private readonly hostNodes = new Map<string, HostNode>();
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
  refresh(node?: HostTreeNode): void {
    this.redraw.request(node);
  }

  getTreeItem(node: HostTreeNode): vscode.TreeItem {
    const item = this.itemFor(node);
    item.id = nodeId(node);
    item.contextValue = nodeContextValue(node, (name) => this.reads.get(name), Date.now());
    return item;
  }

  getChildren(node?: HostTreeNode): HostTreeNode[] {
    if (node === undefined) return this.hostChildren();
    switch (node.kind) {
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

  private itemFor(node: HostTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'host': {
        const entry = this.settings.find(node.hostName) ?? { name: node.hostName, destination: node.hostName };
        return treeItem(hostItemText(entry, this.reads.get(node.hostName)), Expanded);
      }
      case 'container':
        return treeItem(containerItemText(node.container, node.ports), node.ports.length > 0 ? Expanded : None);
      case 'services':
        return treeItem(servicesItemText(node.ports), Collapsed);
      case 'port': {
        const status = this.reads.get(node.hostName).status;
        const clock = status === undefined ? undefined : allowClock(status, Date.now());
        const text = withPortCheck(portItemText(node.port, node.allows, clock), node.check);
        const item = treeItem(node.port.exposure === 'exposed' ? { ...text, tooltip: `${text.tooltip ?? ''}\n\n${EXPOSED_LEGEND}` } : text, None);
        item.resourceUri = portUri(node.hostName, node.port);
        return item;
      }
      case 'error': {
        const item = treeItem(errorItemText(node.message), None);
        item.command = { command: commandId('retryHost'), title: 'Retry', arguments: [node] };
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

  private hostChildren(): HostNode[] {
    const names = new Set(this.settings.hosts.map((h) => h.name));
    for (const name of [...this.hostNodes.keys()]) if (!names.has(name)) this.hostNodes.delete(name);
    return this.settings.hosts.map((entry) => {
      let node = this.hostNodes.get(entry.name);
      if (node === undefined) {
        node = hostNode(entry.name);
        this.hostNodes.set(entry.name, node);
      }
      // Every host shows locked/open, so every visible host is read (each once; Refresh reads again).
      void this.reads.load(entry.name);
      return node;
    });
  }
}
