import * as vscode from 'vscode';
import { uniqueHostName, type ConfiguredHost } from '../../settings/configuredHosts';
import { sshConfigAliases } from '../../hosts/sshConfigHosts';
import type { Services } from '../../services';
import { reasonOf } from '../../failure';

/** Import from SSH Config… — adds several Host aliases of the ssh config at once. */
export async function importHosts(services: Services): Promise<void> {
  const configPath = services.settings.current.sshConfigPath ?? '~/.ssh/config';
  let aliases: string[];
  try {
    aliases = await sshConfigAliases(services.settings.current.sshConfigPath);
  } catch (error) {
    services.log.error(`Could not read ${configPath}: ${reasonOf(error)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not read {0}: {1}', configPath, reasonOf(error)));
    return;
  }
  const existing = services.settings.hosts;
  const fresh = aliases.filter((a) => !existing.some((h) => h.destination === a || h.name === a));
  if (fresh.length === 0) {
    void vscode.window.showInformationMessage(
      aliases.length === 0 ? vscode.l10n.t('{0} has no Host entries to import.', configPath) : vscode.l10n.t('Every Host of {0} is already in Docker Firewall.', configPath),
    );
    return;
  }
  const picked = await vscode.window.showQuickPick(
    fresh.map((alias) => ({ label: alias })),
    { title: vscode.l10n.t('Import hosts from {0}', configPath), placeHolder: vscode.l10n.t('Which hosts run Docker?'), canPickMany: true },
  );
  if (picked === undefined || picked.length === 0) return;
  const added: ConfiguredHost[] = [];
  for (const { label } of picked) added.push({ name: uniqueHostName(label, [...existing, ...added]), destination: label });
  await services.settings.add(added);
  services.log.info(`Imported ${added.map((h) => h.name).join(', ')} from ${configPath}.`);
}
