import * as vscode from 'vscode';
import { pruneSummary } from '../../core/firewall/policy';
import { pruneNotice } from '../ui/changeNotices';
import { HOST_ACTIONS } from '../failure';
import type { ConfiguredHost } from '../settings/configuredHosts';
import type { Services } from '../services';
import { rereadHost, runOnHost } from './hostTask';

/** Clean Up Expired: FirewallEngine.prune (nothing is sent when no allow has ended), then the host read again. */
export async function pruneOnHost(services: Services, entry: ConfiguredHost): Promise<void> {
  const work = { action: HOST_ACTIONS.cleanUpEndedAllows, title: vscode.l10n.t('Cleaning up ended allows on {0}…', entry.name) };
  const outcome = await runOnHost(services, entry, work, async (host, signal) => {
    const { ended, report } = await host.prune({ signal });
    return { ended, applied: report?.applied ?? false };
  });
  await rereadHost(services, entry);
  if (outcome === undefined) return;
  services.log.info(pruneSummary(entry.name, outcome.ended, outcome.applied));
  void vscode.window.showInformationMessage(pruneNotice(entry.name, outcome.ended, outcome.applied));
}
