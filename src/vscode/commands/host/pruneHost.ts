import * as vscode from 'vscode';
import { changes } from '../../../core/hosts/firewallEngine';
import type { Services } from '../../services';
import { endedAllows } from '../../tree/allowTimeText';
import { pruneNotice } from '../../ui/allowText';
import { resolveHost } from '../../ui/pickHost';
import { rereadHost, runOnHost } from '../../tasks/hostTask';

/**
 * Host, Chain Status warning or Command Palette: Clean Up Expired — removes the rules of allows that
 * have ended (the host's kernel already lets nothing through them). Nothing is sent when none has,
 * as `docker-firewall prune` does; the rest of the lockdown is applied as it stands.
 */
export async function pruneHost(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, 'Clean up ended allows on which host?');
  if (entry === undefined) return;
  const outcome = await runOnHost(services, entry, { verb: 'clean up ended allows', title: `Cleaning up ended allows on ${entry.name}…` }, async (host, signal) => {
    const reading = await host.read(signal);
    const firewall = host.statusOf(reading);
    const ended = endedAllows(firewall.policy.allows, firewall.now);
    if (ended.length === 0) return { ended, applied: false };
    const report = await host.apply(changes.reapply(), { signal, reading });
    return { ended, applied: report.applied };
  });
  await rereadHost(services, entry);
  if (outcome === undefined) return;
  const notice = pruneNotice(entry.name, outcome.ended, outcome.applied);
  services.log.info(notice);
  void vscode.window.showInformationMessage(notice);
}
