import * as vscode from 'vscode';
import { reportHistoryFailure } from '../../ui/notify';
import { changes, type PolicyChange } from '../../../core/hosts/firewallEngine';
import { describeAllow, type Allow } from '../../../core/firewall/policy';
import { hostPortText } from '../../../core/firewall/port';
import type { ConfiguredHost } from '../../settings/configuredHosts';
import type { Services } from '../../services';
import { resolveHost } from '../../ui/pickHost';
import { portNodeFromArg } from '../../tree/nodeArgs';
import { rereadHost, runOnHost } from '../../tasks/hostTask';
import { checkAfterChange } from '../../tasks/checkHost';
import { blockAgainAction, HOST_ACTIONS } from '../../failure';

/**
 * Port: Block Again — removes the port's allows so that the lockdown covers it again. From the
 * Command Palette it asks for the host, then which of its allows to remove.
 */
export async function denyPort(services: Services, arg?: unknown): Promise<void> {
  const target = await allowsToRemove(services, arg);
  if (target === undefined) return;
  const { entry, allows } = target;
  const chosen = allows.length === 1 ? allows : await pickAllows(entry.name, allows);
  if (chosen === undefined || chosen.length === 0) return;

  const what = chosen.map(describeAllow).join('; ');
  const change: PolicyChange = (current, context) => chosen.reduce((policy, allow) => changes.deny(allow)(policy, context), current);
  const report = await runOnHost(services, entry, { action: blockAgainAction(what), title: vscode.l10n.t('Blocking {0} again on {1}…', what, entry.name) }, (host, signal) =>
    host.apply(change, { signal }),
  );
  await rereadHost(services, entry);
  if (report === undefined) return;
  reportHistoryFailure(services.log, entry.name, report.history);
  services.log.info(`${entry.name}: removed the allow ${what}${report.applied ? '' : ' (already gone)'}.`);
  void vscode.window.showInformationMessage(vscode.l10n.t('{0}: {1} is blocked again.', entry.name, what));
  await checkAfterChange(services, entry);
}

async function allowsToRemove(services: Services, arg: unknown): Promise<{ entry: ConfiguredHost; allows: readonly Allow[] } | undefined> {
  const node = portNodeFromArg(arg);
  if (node !== undefined) {
    const entry = services.settings.find(node.hostName);
    if (entry === undefined) return undefined;
    if (node.allows.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} on {1} has no allow to remove.', hostPortText(node.port), entry.name));
      return undefined;
    }
    return { entry, allows: node.allows };
  }
  const entry = await resolveHost(services, arg, vscode.l10n.t('Block a port again on which host?'));
  if (entry === undefined) return undefined;
  const current = await runOnHost(services, entry, { action: HOST_ACTIONS.listAllows, title: vscode.l10n.t('Reading {0}…', entry.name) }, (host, signal) => host.status(signal));
  if (current === undefined) return undefined;
  const allows = current.firewall.policy.allows;
  if (allows.length === 0) {
    void vscode.window.showInformationMessage(
      current.firewall.locked
        ? vscode.l10n.t('{0} has no allows: every published port is blocked.', entry.name)
        : vscode.l10n.t('{0} has no allows: every published port is open (no lockdown).', entry.name),
    );
    return undefined;
  }
  return { entry, allows };
}

async function pickAllows(hostName: string, allows: readonly Allow[]): Promise<Allow[] | undefined> {
  const items = allows.map((allow) => ({ label: describeAllow(allow), picked: true, allow }));
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Block again on {0}', hostName),
    placeHolder: vscode.l10n.t('Which allows should be removed?'),
    canPickMany: true,
  });
  return picked?.map((item) => item.allow);
}
