import * as vscode from 'vscode';
import { commandId } from '../ids';
import { hostNameFromArg } from '../tree/nodeArgs';
import type { ConfiguredHost } from '../settings/configuredHosts';
import { hostDisplayState } from '../hosts/hostSnapshot';
import type { HostReadCache } from '../hosts/hostReadCache';
import type { SettingsStore } from '../settings/settingsStore';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';

/** What picking a host needs: the configured hosts, and what is known of each (Services has both). */
export interface HostChoices {
  readonly settings: Pick<SettingsStore, 'hosts' | 'find'>;
  readonly reads: Pick<HostReadCache, 'get'>;
}

interface HostItem extends vscode.QuickPickItem {
  readonly entry: ConfiguredHost;
}

/** The host a command is about: the node's (or name's) host, else asked with a QuickPick. */
export async function resolveHost(services: HostChoices, arg: unknown, placeHolder: string): Promise<ConfiguredHost | undefined> {
  const name = hostNameFromArg(arg);
  if (name === undefined) return pickHost(services, placeHolder);
  const entry = services.settings.find(name);
  if (entry === undefined) void vscode.window.showWarningMessage(`Docker Firewall has no host named "${name}".`);
  return entry;
}

export async function pickHost(services: HostChoices, placeHolder: string): Promise<ConfiguredHost | undefined> {
  const hosts = services.settings.hosts;
  if (hosts.length === 0) {
    void vscode.window.showInformationMessage('No Docker hosts are configured yet.', 'Add Host').then((choice) => {
      if (choice !== undefined) void vscode.commands.executeCommand(commandId('addHost'));
    });
    return undefined;
  }
  const items = hosts.map((entry): HostItem => {
    const state = hostDisplayState(services.reads.get(entry.name));
    const icon = state === 'locked' ? '$(lock)' : state === 'open' ? '$(unlock)' : state === 'unreachable' ? '$(error)' : '$(server)';
    const description = state === 'locked' || state === 'open' || state === 'unreachable' ? `${entry.destination} · ${state}` : entry.destination;
    // A QuickPick renders $(icon) in labels and descriptions: only our icon may be one.
    return { label: `${icon} ${forDisplay(entry.name, DISPLAY_LIMIT.name)}`, description: forDisplay(description, DISPLAY_LIMIT.line), entry };
  });
  const picked = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  return picked?.entry;
}
