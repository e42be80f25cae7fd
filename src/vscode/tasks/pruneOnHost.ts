import * as vscode from 'vscode';
import { pruneSummary } from '../../core/firewall/policy';
import type { ConfiguredHost } from '../settings/configuredHosts';
import type { Services } from '../services';
import { rereadHost, runOnHost } from './hostTask';

/** Clean Up Expired: FirewallEngine.prune (nothing is sent when no allow has ended), then the host read again. */
export async function pruneOnHost(services: Services, entry: ConfiguredHost): Promise<void> {
  const outcome = await runOnHost(services, entry, { verb: 'clean up ended allows', title: `Cleaning up ended allows on ${entry.name}…` }, async (host, signal) => {
    const { ended, report } = await host.prune({ signal });
    return { ended, applied: report?.applied ?? false };
  });
  await rereadHost(services, entry);
  if (outcome === undefined) return;
  const notice = pruneSummary(entry.name, outcome.ended, outcome.applied);
  services.log.info(notice);
  void vscode.window.showInformationMessage(notice);
}
