import * as vscode from 'vscode';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';
import type { ConfiguredHost } from '../settings/configuredHosts';
import type { SettingsStore } from '../settings/settingsStore';
import { groupNames, hostsOfGroup } from '../tree/hostGroups';
import { groupNameFromArg } from '../tree/nodeArgs';

/** The group a command is about and its hosts: the node's (or name's), else asked with a QuickPick. */
export async function resolveGroup(
  settings: Pick<SettingsStore, 'hosts'>,
  arg: unknown,
  placeHolder: string,
): Promise<{ readonly group: string; readonly hosts: readonly ConfiguredHost[] } | undefined> {
  const named = groupNameFromArg(arg);
  const groups = groupNames(settings.hosts);
  if (named !== undefined) {
    const hosts = hostsOfGroup(settings.hosts, named);
    if (hosts.length === 0) {
      void vscode.window.showWarningMessage(vscode.l10n.t('No host of dockerFirewall.hosts is in a group named "{0}".', forDisplay(named, DISPLAY_LIMIT.name)));
      return undefined;
    }
    return { group: named, hosts };
  }
  if (groups.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No host is in a group yet: give hosts a "group" in the dockerFirewall.hosts setting.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    groups.map((group) => ({
      label: forDisplay(group, DISPLAY_LIMIT.name),
      description: forDisplay(hostsOfGroup(settings.hosts, group).map((h) => h.name).join(', '), DISPLAY_LIMIT.line),
      group,
    })),
    { placeHolder },
  );
  return picked === undefined ? undefined : { group: picked.group, hosts: hostsOfGroup(settings.hosts, picked.group) };
}
