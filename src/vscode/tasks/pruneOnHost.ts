import * as vscode from 'vscode';
import { changes } from '../../core/hosts/firewallEngine';
import type { ConfiguredHost } from '../settings/configuredHosts';
import type { Services } from '../services';
import { endedAllows } from '../tree/allowTimeText';
import { pruneNotice } from '../ui/allowText';
import { rereadHost, runOnHost } from './hostTask';

/**
 * Removes the rules of allows that have ended (the host's kernel already lets nothing through them),
 * judged by the host's clock at a fresh read. Nothing is sent when none has, as `docker-firewall
 * prune` does; otherwise the lockdown in force is applied again, which leaves ended allows out.
 */
export async function pruneOnHost(services: Services, entry: ConfiguredHost): Promise<void> {
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
