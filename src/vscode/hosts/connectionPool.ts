import type * as vscode from 'vscode';
import type { HostCallbacks, HostTarget } from '../../core/hosts/hostTarget';
import type { HostConnection, openHost } from '../../core/hosts/openHost';
import { pathSetting, type Settings } from '../settings/settings';
import { hostEngine } from './hostEngine';
import { PRODUCT_VERSION } from '../../core/version';
import type { ConfiguredHost } from '../settings/configuredHosts';

/**
 * One HostConnection (an SSH connection and the firewall engine on it) per configured host, opened
 * on first use and kept: openHost connects lazily (the engine's code itself is loaded with the first
 * connection, see hostEngine.ts). A connection is closed when its host is removed, when the settings
 * that make its target change, when its host has not been shown for a while and nothing runs on it
 * (closeIdle, see HostEventStreams), and when the extension is deactivated. The next use opens a new one.
 */
export class ConnectionPool implements vscode.Disposable {
  private readonly open = new Map<string, { readonly key: string; readonly connection: HostConnection }>();
  /** Work running on each host's connection (see use): such a connection is never closed as idle. */
  private readonly busy = new Map<string, number>();

  constructor(
    private readonly settings: () => Settings,
    private readonly callbacksFor: (hostName: string) => HostCallbacks,
    private readonly openConnection: typeof openHost = (target, callbacks) => hostEngine().openHost(target, callbacks),
  ) {}

  get(entry: ConfiguredHost): HostConnection {
    const target = hostTarget(entry, this.settings());
    const key = JSON.stringify(target);
    const existing = this.open.get(entry.name);
    if (existing !== undefined && existing.key === key) return existing.connection;
    existing?.connection.close();
    const connection = this.openConnection(target, this.callbacksFor(entry.name));
    this.open.set(entry.name, { key, connection });
    return connection;
  }

  /** Runs work on the host's connection; while it runs, closeIdle leaves the connection open. */
  async use<T>(entry: ConfiguredHost, work: (connection: HostConnection) => Promise<T>): Promise<T> {
    const connection = this.get(entry);
    this.busy.set(entry.name, (this.busy.get(entry.name) ?? 0) + 1);
    try {
      return await work(connection);
    } finally {
      const left = (this.busy.get(entry.name) ?? 1) - 1;
      if (left > 0) this.busy.set(entry.name, left);
      else this.busy.delete(entry.name);
    }
  }

  /**
   * Closes the host's connection unless work runs on it. True when no connection is left open (closed
   * now, or none was open); false when it is in use.
   */
  closeIdle(hostName: string): boolean {
    if (this.busy.has(hostName)) return false;
    this.close(hostName);
    return true;
  }

  /** Whether a connection of the host is open (tests, the log). */
  isOpen(hostName: string): boolean {
    return this.open.has(hostName);
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
