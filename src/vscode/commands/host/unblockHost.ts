import * as vscode from 'vscode';
import { reportHistoryFailure } from '../../ui/notify';
import { changes } from '../../../core/hosts/firewallEngine';
import type { Services } from '../../services';
import { confirm } from '../../ui/confirm';
import { resolveHost } from '../../ui/pickHost';
import { unblockConfirmation } from '../../ui/confirmations';
import { rereadHost, runOnHost } from '../../tasks/hostTask';

const VERB = 'remove the lockdown';

/** Host: Remove Lockdown. Every published port becomes reachable again, so it asks first. */
export async function unblockHost(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, 'Remove the lockdown from which host?');
  if (entry === undefined) return;
  const current = await runOnHost(services, entry, { verb: VERB, title: `Reading ${entry.name}…` }, (host, signal) => host.status(signal));
  if (current === undefined) return;
  const { firewall } = current;
  if (!firewall.locked && firewall.ipv4.rules.length === 0 && firewall.ipv6.rules.length === 0) {
    void vscode.window.showInformationMessage(`${entry.name} has no lockdown: nothing to remove.`);
    await rereadHost(services, entry);
    return;
  }
  const confirmation = unblockConfirmation(entry.name, firewall.ports, firewall.policy);
  if ((await confirm(services.settings.current.confirmDestructiveActions, confirmation)) !== confirmation.action) return;

  const report = await runOnHost(services, entry, { verb: VERB, title: `Removing the lockdown from ${entry.name}…` }, (host, signal) =>
    host.apply(changes.unblock(), { signal }),
  );
  await rereadHost(services, entry);
  if (report === undefined) return;
  reportHistoryFailure(services.log, entry.name, report.history);
  services.log.info(`${entry.name}: lockdown removed (${report.applied ? 'applied' : 'already so'}).`);
  void vscode.window.showInformationMessage(`The lockdown of ${entry.name} is removed: its published ports are reachable again.`);
}
