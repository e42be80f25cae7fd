import * as vscode from 'vscode';
import { reportHistoryFailure } from '../../ui/notify';
import { changes } from '../../../core/hosts/firewallEngine';
import type { Services } from '../../services';
import { confirm } from '../../ui/confirm';
import { resolveHost } from '../../ui/pickHost';
import { unblockConfirmation } from '../../ui/confirmations';
import { rereadHost, runOnHost } from '../../tasks/hostTask';
import { HOST_ACTIONS } from '../../failure';

/** Host: Remove Lockdown. Every published port becomes reachable again, so it asks first. */
export async function unblockHost(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, vscode.l10n.t('Remove the lockdown from which host?'));
  if (entry === undefined) return;
  const current = await runOnHost(services, entry, { action: HOST_ACTIONS.removeLockdown, title: vscode.l10n.t('Reading {0}…', entry.name) }, (host, signal) => host.status(signal));
  if (current === undefined) return;
  const { firewall } = current;
  if (!firewall.locked && firewall.ipv4.rules.length === 0 && firewall.ipv6.rules.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no lockdown: nothing to remove.', entry.name));
    await rereadHost(services, entry);
    return;
  }
  const confirmation = unblockConfirmation(entry.name, firewall.ports, firewall.policy);
  if ((await confirm(services.settings.current.confirmDestructiveActions, confirmation)) !== confirmation.action) return;

  const report = await runOnHost(services, entry, { action: HOST_ACTIONS.removeLockdown, title: vscode.l10n.t('Removing the lockdown from {0}…', entry.name) }, (host, signal) =>
    host.apply(changes.unblock(), { signal }),
  );
  await rereadHost(services, entry);
  if (report === undefined) return;
  reportHistoryFailure(services.log, entry.name, report.history);
  services.log.info(`${entry.name}: lockdown removed (${report.applied ? 'applied' : 'already so'}).`);
  void vscode.window.showInformationMessage(vscode.l10n.t('The lockdown of {0} is removed: its published ports are reachable again.', entry.name));
}
