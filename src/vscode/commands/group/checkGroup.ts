import * as vscode from 'vscode';
import { DISPLAY_LIMIT, forDisplay } from '../../../core/text/hostText';
import type { VerifyReport, VerifyVerdict } from '../../../core/verify/verifyHost';
import type { Services } from '../../services';
import { resolveGroup } from '../../ui/pickGroup';
import { checkHost } from '../../tasks/checkHost';
import { mapBounded } from '../../hosts/limiter';

/** Each host's report, or undefined when it could not be checked (resolved for tests). */
export interface GroupCheckReport {
  readonly group: string;
  readonly hosts: readonly { readonly hostName: string; readonly report: VerifyReport | undefined }[];
}

/**
 * Group: Check Every Host From Here — Check From Here on each host of the group, at most
 * dockerFirewall.maxParallelHosts at once, each on its own (a host that cannot be read gets its own
 * "Could not…" notification, the others go on); then one summary of the verdicts.
 */
export async function checkGroup(services: Services, arg?: unknown): Promise<GroupCheckReport | undefined> {
  const chosen = await resolveGroup(services.settings, arg, vscode.l10n.t('Check every host of which group from this machine?'));
  if (chosen === undefined) return undefined;
  const { group, hosts } = chosen;
  const results = await mapBounded(hosts, services.settings.current.maxParallelHosts, async (entry) => ({
    hostName: entry.name,
    report: await checkHost(services, entry, { explicit: false, reread: true }),
  }));
  const text = results.map(({ hostName, report }) => verdictText(forDisplay(hostName, DISPLAY_LIMIT.name), report?.verdict));
  const message = vscode.l10n.t('{0}, checked from this machine: {1}.', forDisplay(group, DISPLAY_LIMIT.name), text.join(', '));
  const trouble = results.some((r) => r.report === undefined || r.report.verdict !== 'match');
  if (trouble) void vscode.window.showWarningMessage(message, vscode.l10n.t('Show Log')).then((choice) => choice !== undefined && services.log.show(true));
  else void vscode.window.showInformationMessage(message);
  return { group, hosts: results };
}

/** "prod-1 match": a host and its verdict in the words of `docker-firewall verify` (undefined: it could not be checked). */
function verdictText(hostName: string, verdict: VerifyVerdict | undefined): string {
  switch (verdict) {
    case 'match':
      return vscode.l10n.t({ message: '{0} match', args: [hostName], comment: ['A host whose ports all behave as its rules say, checked from this machine'] });
    case 'mismatch':
      return vscode.l10n.t({ message: '{0} mismatch', args: [hostName], comment: ['A host with a port that does not behave as its rules say, checked from this machine'] });
    case 'cannot-probe':
      return vscode.l10n.t({ message: '{0} cannot-probe', args: [hostName], comment: ['A host that could not be probed from this machine (the verdict word of the CLI)'] });
    case undefined:
      return vscode.l10n.t('{0} could not be checked', hostName);
  }
}
