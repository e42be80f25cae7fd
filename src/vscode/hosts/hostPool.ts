import type * as vscode from 'vscode';
import type { HostCallbacks, HostSpec } from '../../core/hosts/hostSpec';
import type { HostHandle } from '../../core/hosts/openHost';
import { pathSetting, type Settings } from '../settings';
import { hostEngine } from './hostEngine';
import type { HostEntry } from './hostEntries';

/**
 * One engine per configured host, opened on first use and kept: openHost connects lazily and keeps
 * one SSH connection per host (the engine's code itself is loaded with the first handle, see
 * hostEngine.ts). A handle is closed when its host is removed, when the settings that make its spec
 * change, and when the extension is deactivated.
 */
export class HostPool implements vscode.Disposable {
  private readonly handles = new Map<string, { readonly key: string; readonly handle: HostHandle }>();

  constructor(
    private readonly settings: () => Settings,
    private readonly callbacksFor: (hostName: string) => HostCallbacks,
  ) {}

  get(entry: HostEntry): HostHandle {
    const spec = hostSpec(entry, this.settings());
    const key = JSON.stringify(spec);
    const existing = this.handles.get(entry.name);
    if (existing !== undefined && existing.key === key) return existing.handle;
    existing?.handle.close();
    const handle = hostEngine().openHost(spec, this.callbacksFor(entry.name));
    this.handles.set(entry.name, { key, handle });
    return handle;
  }

  /** Closes handles whose host is gone or would now be opened differently; returns their names. */
  prune(settings: Settings): string[] {
    const closed: string[] = [];
    for (const [name, { key }] of this.handles) {
      const entry = settings.hosts.find((h) => h.name === name);
      if (entry === undefined || JSON.stringify(hostSpec(entry, settings)) !== key) {
        this.close(name);
        closed.push(name);
      }
    }
    return closed;
  }

  close(hostName: string): void {
    this.handles.get(hostName)?.handle.close();
    this.handles.delete(hostName);
  }

  dispose(): void {
    for (const name of [...this.handles.keys()]) this.close(name);
  }
}

export function hostSpec(entry: HostEntry, settings: Settings): HostSpec {
  return {
    destination: entry.destination,
    label: entry.name,
    sshConfigPath: settings.sshConfigPath,
    knownHostsPath: settings.knownHostsPath,
    identityFiles: entry.identityFile === undefined ? undefined : [pathSetting(entry.identityFile) ?? entry.identityFile],
    chain: settings.chain,
  };
}
