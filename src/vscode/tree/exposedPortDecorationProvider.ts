import * as vscode from 'vscode';
import { exposedPorts } from '../../core/firewall/exposedPorts';
import type { PortExposure } from '../../core/firewall/exposure';
import { hostPortText } from '../../core/firewall/port';
import type { HostReadCache } from '../hosts/hostReadCache';
import type { SettingsStore } from '../settings/settingsStore';

/** The scheme of port items' resourceUri: it carries the exposure for the decoration, nothing else. */
export const PORT_SCHEME = 'docker-firewall-port';
export const EXPOSED_COLOR = 'list.errorForeground';
/** The legend, in the port's tooltip. */
export const exposedLegend = (): string => vscode.l10n.t('Shown in red: exposed to every network.');

/** The resourceUri of a port item: `docker-firewall-port:/host/container/8080/tcp/0.0.0.0?exposed`. */
export function portUri(hostName: string, port: PortExposure): vscode.Uri {
  const path = ['', hostName, port.container, hostPortText(port), port.hostIp].map(encodeURIComponent).join('/');
  return vscode.Uri.from({ scheme: PORT_SCHEME, path, query: port.exposure === 'exposed' ? 'exposed' : '' });
}

/** Colours the exposed port items (their resourceUri says so), as Git colours changed files. */
export class ExposedPortDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== PORT_SCHEME || uri.query !== 'exposed') return undefined;
    return new vscode.FileDecoration(undefined, vscode.l10n.t('Exposed to every network'), new vscode.ThemeColor(EXPOSED_COLOR));
  }
}

/** Keeps the Hosts view's badge at the number of exposed ports across the hosts read. */
export class ExposedPortBadge implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly treeView: vscode.TreeView<unknown>,
    private readonly reads: HostReadCache,
    private readonly settings: SettingsStore,
  ) {
    this.subscriptions = [reads.onDidChange(() => this.update()), settings.onDidChange(() => this.update())];
  }

  count(): number {
    return this.settings.hosts.reduce((sum, { name }) => sum + exposedPorts(this.reads.get(name).status?.firewall.ports ?? []).length, 0);
  }

  update(): void {
    const count = this.count();
    const tooltip = count === 1 ? vscode.l10n.t('1 port exposed to every network') : vscode.l10n.t('{0} ports exposed to every network', count);
    this.treeView.badge = count === 0 ? undefined : { value: count, tooltip };
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
