import * as vscode from 'vscode';
import { commandId } from '../ids';
import { hostNameFromArg } from '../tree/nodeArgs';
import type { ConfiguredHost } from '../settings/configuredHosts';
import { hostDisplayState } from '../hosts/hostSnapshot';
import { hostStateLabel } from '../tree/hostTreeText';
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
  if (entry === undefined) void vscode.window.showWarningMessage(vscode.l10n.t('Docker Firewall has no host named "{0}".', name));
  return entry;
}

export async function pickHost(services: HostChoices, placeHolder: string): Promise<ConfiguredHost | undefined> {
  const hosts = services.settings.hosts;
  if (hosts.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No Docker hosts are configured yet.'), vscode.l10n.t('Add Host')).then((choice) => {
      if (choice !== undefined) void vscode.commands.executeCommand(commandId('addHost'));
    });
    return undefined;
  }
  const items = hosts.map((entry): HostItem => {
    const state = hostDisplayState(services.reads.get(entry.name));
    const icon = state === 'locked' ? '$(lock)' : state === 'open' ? '$(unlock)' : state === 'unreachable' ? '$(error)' : '$(server)';
    const stateText = state === 'locked' ? hostStateLabel.locked() : state === 'open' ? hostStateLabel.open() : state === 'unreachable' ? hostStateLabel.unreachable() : undefined;
    const description = stateText === undefined ? entry.destination : `${entry.destination} · ${stateText}`;
    // A QuickPick renders $(icon) in labels and descriptions: only our icon may be one.
    return { label: `${icon} ${forDisplay(entry.name, DISPLAY_LIMIT.name)}`, description: forDisplay(description, DISPLAY_LIMIT.line), entry };
  });
  const picked = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  return picked?.entry;
}
