import * as vscode from 'vscode';
import { exposedPorts, portKey, type ExposedPort } from '../../core/firewall/exposedPorts';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';
import { commandId } from '../ids';
import type { SettingsStore } from '../settings/settingsStore';
import { hostNode, type PortNode } from '../tree/nodes';
import type { HostReadCache } from '../hosts/hostReadCache';

/**
 * "web on prod-1 publishes 0.0.0.0:5432 to every network", once per host, container and port for
 * the session, when a read shows an exposed port that the host's earlier reads never had (a
 * container started since; not the ports found at the first read, nor ports a Remove Lockdown
 * opens again). `dockerFirewall.notifyExposedPorts` turns it off.
 */
export class ExposedPortNotices implements vscode.Disposable {
  /** Per host: every published port (container and port/proto) any read has shown. */
  private readonly seen = new Map<string, Set<string>>();
  private readonly notified = new Set<string>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly reads: HostReadCache,
    private readonly settings: SettingsStore,
  ) {
    this.subscriptions = [
      reads.onDidChange(({ hostName }) => this.noteRead(hostName)),
      settings.onDidChange(({ current }) => {
        for (const name of [...this.seen.keys()]) if (!current.hosts.some((h) => h.name === name)) this.seen.delete(name);
      }),
    ];
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private noteRead(hostName: string): void {
    const status = this.reads.get(hostName).status;
    if (status === undefined) return;
    const published = status.firewall.ports.filter((p) => p.origin === 'published').map(portKey);
    const known = this.seen.get(hostName);
    this.seen.set(hostName, new Set([...(known ?? []), ...published]));
    if (known === undefined || !this.settings.current.notifyExposedPorts) return;
    for (const exposed of exposedPorts(status.firewall.ports)) {
      const id = `${hostName} ${exposed.key}`;
      if (known.has(exposed.key) || this.notified.has(id)) continue;
      this.notified.add(id);
      void this.notify(hostName, exposed);
    }
  }

  private async notify(hostName: string, exposed: ExposedPort): Promise<void> {
    const container = forDisplay(exposed.container, DISPLAY_LIMIT.name);
    const block = vscode.l10n.t('Block External Access');
    const allow = vscode.l10n.t({ message: 'Allow', comment: ['Button: allow external access to the port'] });
    const message = vscode.l10n.t('{0} on {1} publishes {2} to every network', container, hostName, exposed.address);
    const choice = await vscode.window.showWarningMessage(message, block, allow, vscode.l10n.t('Ignore'));
    if (choice === block) await vscode.commands.executeCommand(commandId('blockHost'), hostNode(hostName));
    else if (choice === allow) {
      const port: PortNode = { kind: 'port', hostName, port: exposed.ports[0]!, locked: false, allows: [] };
      await vscode.commands.executeCommand(commandId('allowPortAccess'), port);
    }
  }
}
