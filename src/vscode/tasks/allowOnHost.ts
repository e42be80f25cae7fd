import * as vscode from 'vscode';
import { reportHistoryFailure } from '../ui/notify';
import { changes } from '../../core/hosts/firewallEngine';
import { describeAllow, type Allow } from '../../core/firewall/policy';
import type { ConfiguredHost } from '../settings/configuredHosts';
import type { Services } from '../services';
import { confirm } from '../ui/confirm';
import { allowOnOpenHostConfirmation } from '../ui/confirmations';
import { rereadHost, runOnHost } from './hostTask';
import { checkAfterChange } from './checkHost';

/**
 * Opens one port on a host: an allow on a locked host; on a host without lockdown, the lockdown
 * itself with this allow (after the same confirmation as Block External Access).
 */
export async function allowOnHost(services: Services, entry: ConfiguredHost, allow: Allow): Promise<void> {
  const what = describeAllow(allow);
  const work = { verb: `allow ${what}`, title: `Allowing ${what} on ${entry.name}…` };
  const first = await runOnHost(services, entry, work, async (host, signal) => {
    const reading = await host.read(signal);
    const firewall = host.statusOf(reading);
    if (!firewall.locked) return { kind: 'open', firewall, reading } as const;
    return { kind: 'applied', report: await host.apply(changes.allow(allow), { signal, reading }) } as const;
  });
  if (first === undefined) return;

  let applied: boolean;
  if (first.kind === 'open') {
    const confirmation = allowOnOpenHostConfirmation(entry.name, first.firewall.ports, allow);
    if ((await confirm(services.settings.current.confirmDestructiveActions, confirmation)) !== confirmation.action) return;
    const { reading } = first;
    const report = await runOnHost(services, entry, work, (host, signal) => host.apply(changes.block([allow]), { signal, reading }));
    if (report === undefined) return void (await rereadHost(services, entry));
    applied = report.applied;
    reportHistoryFailure(services.log, entry.name, report.history);
  } else {
    applied = first.report.applied;
    reportHistoryFailure(services.log, entry.name, first.report.history);
  }
  await rereadHost(services, entry);
  services.log.info(`${entry.name}: allowed ${what}${applied ? '' : ' (already so)'}.`);
  void vscode.window.showInformationMessage(applied ? `${entry.name}: ${what} is allowed.` : `${entry.name}: ${what} was already allowed.`);
  await checkAfterChange(services, entry);
}
