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
  const report = await runOnHost(services, entry, { verb: `block ${what} again`, title: `Blocking ${what} again on ${entry.name}…` }, (host, signal) =>
    host.apply(change, { signal }),
  );
  await rereadHost(services, entry);
  if (report === undefined) return;
  reportHistoryFailure(services.log, entry.name, report.history);
  services.log.info(`${entry.name}: removed the allow ${what}${report.applied ? '' : ' (already gone)'}.`);
  void vscode.window.showInformationMessage(`${entry.name}: ${what} is blocked again.`);
  await checkAfterChange(services, entry);
}

async function allowsToRemove(services: Services, arg: unknown): Promise<{ entry: ConfiguredHost; allows: readonly Allow[] } | undefined> {
  const node = portNodeFromArg(arg);
  if (node !== undefined) {
    const entry = services.settings.find(node.hostName);
    if (entry === undefined) return undefined;
    if (node.allows.length === 0) {
      void vscode.window.showInformationMessage(`${hostPortText(node.port)} on ${entry.name} has no allow to remove.`);
      return undefined;
    }
    return { entry, allows: node.allows };
  }
  const entry = await resolveHost(services, arg, 'Block a port again on which host?');
  if (entry === undefined) return undefined;
  const current = await runOnHost(services, entry, { verb: 'list the allows', title: `Reading ${entry.name}…` }, (host, signal) => host.status(signal));
  if (current === undefined) return undefined;
  const allows = current.firewall.policy.allows;
  if (allows.length === 0) {
    void vscode.window.showInformationMessage(`${entry.name} has no allows: every published port is ${current.firewall.locked ? 'blocked' : 'open (no lockdown)'}.`);
    return undefined;
  }
  return { entry, allows };
}

async function pickAllows(hostName: string, allows: readonly Allow[]): Promise<Allow[] | undefined> {
  const items = allows.map((allow) => ({ label: describeAllow(allow), picked: true, allow }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Block again on ${hostName}`,
    placeHolder: 'Which allows should be removed?',
    canPickMany: true,
  });
  return picked?.map((item) => item.allow);
}
