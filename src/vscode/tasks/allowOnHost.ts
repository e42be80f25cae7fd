import * as vscode from 'vscode';
import { reportHistoryFailure } from '../ui/notify';
import { changeContext, changes } from '../../core/hosts/firewallEngine';
import { resolveAllow, type AllowRequest } from '../../core/firewall/allowRequest';
import { sameAllow, type Allow } from '../../core/firewall/policy';
import type { ConfiguredHost } from '../settings/configuredHosts';
import type { Services } from '../services';
import { confirm } from '../ui/confirm';
import { allowOnOpenHostConfirmation } from '../ui/confirmations';
import { allowAction, allowedLogLine, allowedNotice, requestLabel } from '../ui/allowText';
import { rereadHost, runOnHost } from './hostTask';
import { checkAfterChange } from './checkHost';

/**
 * Opens one port on a host: an allow on a locked host; on a host without lockdown, the lockdown
 * itself with this allow (after the same confirmation as Block External Access). "From me" and
 * "for a while" are resolved by the host's read at the moment of the change (AllowRequest).
 */
export async function allowOnHost(services: Services, entry: ConfiguredHost, request: AllowRequest): Promise<void> {
  const work = { action: allowAction(request), title: vscode.l10n.t('Allowing {0} on {1}…', requestLabel(request), entry.name) };
  const first = await runOnHost(services, entry, work, async (host, signal) => {
    const reading = await host.read(signal);
    const firewall = host.statusOf(reading);
    // Resolved here so that a host that does not say where we come from fails before any question.
    const allow = resolveAllow(request, changeContext(reading));
    if (!firewall.locked) return { kind: 'open', firewall, reading, allow } as const;
    return { kind: 'applied', report: await host.apply(changes.allow(request), { signal, reading }), allow } as const;
  });
  if (first === undefined) return;

  let applied: boolean;
  if (first.kind === 'open') {
    const confirmation = allowOnOpenHostConfirmation(entry.name, first.firewall.ports, first.allow);
    if ((await confirm(services.settings.current.confirmDestructiveActions, confirmation)) !== confirmation.action) return;
    const { reading } = first;
    const report = await runOnHost(services, entry, work, (host, signal) => host.apply(changes.block([request]), { signal, reading }));
    if (report === undefined) return void (await rereadHost(services, entry));
    applied = report.applied;
    reportHistoryFailure(services.log, entry.name, report.history);
  } else {
    applied = first.report.applied;
    reportHistoryFailure(services.log, entry.name, first.report.history);
  }
  await rereadHost(services, entry);
  const { allow, now } = standing(services, entry, first.allow);
  services.log.info(allowedLogLine(entry.name, allow, now, applied));
  void vscode.window.showInformationMessage(allowedNotice(entry.name, allow, now, applied));
  await checkAfterChange(services, entry);
}

/** The allow as the host now has it (with the end the host gave it), and the host's clock at that read. */
function standing(services: Services, entry: ConfiguredHost, planned: Allow): { allow: Allow; now: number } {
  const status = services.reads.get(entry.name).status;
  if (status === undefined) return { allow: planned, now: Math.floor(Date.now() / 1000) };
  return { allow: status.firewall.policy.allows.find((a) => sameAllow(a, planned)) ?? planned, now: status.firewall.now };
}
