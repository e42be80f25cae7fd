import type * as vscode from 'vscode';
import type { HostCallbacks, HostTarget } from '../../core/hosts/hostTarget';
import type { HostConnection } from '../../core/hosts/openHost';
import { pathSetting, type Settings } from '../settings/settings';
import { hostEngine } from './hostEngine';
import { PRODUCT_VERSION } from '../../core/version';
import type { ConfiguredHost } from '../settings/configuredHosts';

/**
 * One HostConnection (an SSH connection and the firewall engine on it) per configured host, opened
 * on first use and kept: openHost connects lazily (the engine's code itself is loaded with the first
 * connection, see hostEngine.ts). A connection is closed when its host is removed, when the settings
 * that make its target change, and when the extension is deactivated.
 */
export class ConnectionPool implements vscode.Disposable {
  private readonly open = new Map<string, { readonly key: string; readonly connection: HostConnection }>();

  constructor(
    private readonly settings: () => Settings,
    private readonly callbacksFor: (hostName: string) => HostCallbacks,
  ) {}

  get(entry: ConfiguredHost): HostConnection {
    const target = hostTarget(entry, this.settings());
    const key = JSON.stringify(target);
    const existing = this.open.get(entry.name);
    if (existing !== undefined && existing.key === key) return existing.connection;
    existing?.connection.close();
    const connection = hostEngine().openHost(target, this.callbacksFor(entry.name));
    this.open.set(entry.name, { key, connection });
    return connection;
  }

  /** Closes connections whose host is gone or would now be opened differently; returns their names. */
  prune(settings: Settings): string[] {
    const closed: string[] = [];
    for (const [name, { key }] of this.open) {
      const entry = settings.hosts.find((h) => h.name === name);
      if (entry === undefined || JSON.stringify(hostTarget(entry, settings)) !== key) {
        this.close(name);
        closed.push(name);
      }
    }
    return closed;
  }

  close(hostName: string): void {
    this.open.get(hostName)?.connection.close();
    this.open.delete(hostName);
  }

  dispose(): void {
    for (const name of [...this.open.keys()]) this.close(name);
  }
}

export function hostTarget(entry: ConfiguredHost, settings: Settings): HostTarget {
  return {
    destination: entry.destination,
    label: entry.name,
    sshConfigPath: settings.sshConfigPath,
    knownHostsPath: settings.knownHostsPath,
    identityFiles: entry.identityFile === undefined ? undefined : [pathSetting(entry.identityFile) ?? entry.identityFile],
    chain: settings.chain,
    tool: { name: 'vscode', version: PRODUCT_VERSION },
  };
}
