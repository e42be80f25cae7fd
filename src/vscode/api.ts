import * as vscode from 'vscode';
import type { ConfiguredHost } from './settings/configuredHosts';
import type { HostDisplayState } from './hosts/hostSnapshot';
import { hostDisplayState } from './hosts/hostSnapshot';
import type { Services } from './services';

/**
 * What activate() returns, for extension-host tests (and other extensions): read what the views
 * show, without scraping the DOM. Nodes in a snapshot can be passed to
 * `vscode.commands.executeCommand('dockerFirewall.<command>', item.node)` as a click would.
 */
export interface DockerFirewallApi {
  readonly version: 1;
  readonly hosts: {
    /** The configured hosts, as the settings hold them (after validation). */
    list(): readonly ConfiguredHost[];
    add(entry: ConfiguredHost): Promise<void>;
    remove(name: string): Promise<void>;
    /** What the Hosts tree shows for the host right now, without reading it. */
    state(name: string): HostDisplayState;
    /**
     * For tests: the workspace folder URIs the Remote-SSH window's host is taken from, in place of
     * the window's own (undefined: the window's own again). See SettingsStore.useWindowFolders.
     */
    useWindowFolders(folders: readonly vscode.Uri[] | undefined): void;
  };
  /** Reads every configured host again; resolves when all reads have settled. */
  refresh(): Promise<void>;
  /** The Hosts tree, every level expanded (hosts not read yet are read first; failures are error items). */
  treeSnapshot(): Promise<TreeSnapshotItem[]>;
  /** The Chain Status view for the host it shows (see selectChainStatusHost). */
  chainStatusSnapshot(): Promise<TreeSnapshotItem[]>;
  selectChainStatusHost(name: string | undefined): void;
  /** The Hosts view's badge (exposed ports across the hosts read), and the hosts whose Docker events are followed. */
  live(): { readonly badge: { readonly value: number; readonly tooltip: string } | undefined; readonly followed: readonly string[] };
}

export interface TreeSnapshotItem {
  readonly label: string;
  readonly description: string;
  /** The tooltip's Markdown source. */
  readonly tooltip: string;
  readonly contextValue: string;
  /** Codicon id of the item's icon. */
  readonly icon: string | undefined;
  /** The element itself, to pass to executeCommand. */
  readonly node: unknown;
  readonly children: readonly TreeSnapshotItem[];
}

export function createApi(services: Services): DockerFirewallApi {
  return {
    version: 1,
    hosts: {
      list: () => services.settings.hosts,
      add: (entry) => services.settings.add([entry]),
      remove: (name) => services.settings.remove(name),
      state: (name) => hostDisplayState(services.reads.get(name)),
      useWindowFolders: (folders) => services.settings.useWindowFolders(folders),
    },
    refresh: async () => {
      await Promise.all(services.settings.hosts.map((h) => services.reads.load(h.name, { force: true })));
    },
    treeSnapshot: async () => {
      // The tree never waits for a host's read (see HostsView.getChildren): the snapshot does.
      await Promise.all(services.settings.hosts.map((h) => services.reads.load(h.name)));
      return snapshotOf(services.hostsView, undefined);
    },
    chainStatusSnapshot: async () => {
      const name = services.chainStatus.hostName;
      if (name !== undefined) await services.reads.load(name);
      return snapshotOf(services.chainStatus, undefined);
    },
    selectChainStatusHost: (name) => services.chainStatus.select(name),
    live: () => {
      const badge = services.hostsView.treeView.badge;
      return { badge: badge === undefined ? undefined : { value: badge.value, tooltip: badge.tooltip }, followed: services.events.hosts };
    },
  };
}

async function snapshotOf<T>(provider: vscode.TreeDataProvider<T>, parent: T | undefined): Promise<TreeSnapshotItem[]> {
  const children = (await provider.getChildren(parent)) ?? [];
  const items: TreeSnapshotItem[] = [];
  for (const node of children) {
    const item = await provider.getTreeItem(node);
    const expandable = item.collapsibleState !== undefined && item.collapsibleState !== vscode.TreeItemCollapsibleState.None;
    const below = expandable ? await snapshotOf(provider, node) : [];
    items.push({
      label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''),
      description: typeof item.description === 'string' ? item.description : '',
      tooltip: typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? ''),
      contextValue: item.contextValue ?? '',
      icon: item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined,
      node,
      children: below,
    });
  }
  return items;
}
