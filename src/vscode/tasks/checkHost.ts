import * as vscode from 'vscode';
import { externalHostAddresses, probeAddresses, sshEndpoint } from '../../core/verify/addresses';
import { verifyHost, type VerifyReport } from '../../core/verify/verifyHost';
import { policyKey } from '../hosts/checkResults';
import { commandId } from '../ids';
import type { ConfiguredHost } from '../settings/configuredHosts';
import type { Services } from '../services';
import { checkNotice, previewRulesAction, showChainStatusAction } from '../ui/checkNotice';
import { HOST_ACTIONS } from '../failure';
import { reportFailure } from '../ui/notify';
import { withCancellableProgress } from '../ui/progress';

/**
 * Check From Here: every published port of the host probed from this machine (the extension host's)
 * and compared with the exposure its rules give. The ports are those of the host's last read
 * (`reread` reads it first); the addresses those SSH reaches it by, with the SSH port as the
 * positive control. The result is kept for the port items and, on a mismatch, announced.
 */
export async function checkHost(services: Services, entry: ConfiguredHost, options: { readonly explicit: boolean; readonly reread: boolean }): Promise<VerifyReport | undefined> {
  try {
    const checked = await withCancellableProgress(vscode.l10n.t('Checking {0} from this machine…', entry.name), async (signal, progress) => {
      const snapshot = options.reread ? await services.reads.load(entry.name, { force: true }) : await services.reads.load(entry.name);
      if (snapshot.status === undefined) throw new Error(snapshot.failure?.message ?? vscode.l10n.t('{0} could not be read', entry.name));
      const { firewall, inventory, facts } = snapshot.status;
      const endpoint = await sshEndpoint({ destination: entry.destination, sshConfigPath: services.settings.current.sshConfigPath });
      // The host's own global addresses come after SSH's: a host with several, or one SSH reaches over IPv4 only.
      const addresses = probeAddresses(endpoint.addresses, externalHostAddresses(facts.addresses, inventory));
      const report = await verifyHost(
        { ports: firewall.ports, allows: firewall.policy.allows, addresses, sshPort: endpoint.port, addressProblem: endpoint.problem },
        { signal, timeoutMs: services.settings.current.checkTimeoutMs, onProgress: ({ done, total }) => progress.report({ message: vscode.l10n.t('{0} of {1} probes', done, total) }) },
      );
      return { report, policy: policyKey(firewall.policy) };
    });
    const { report } = checked;
    services.checks.set(entry.name, { destination: entry.destination, policy: checked.policy, report });
    logReport(services.log, entry.name, report);
    announce(entry.name, report, options.explicit);
    return report;
  } catch (error) {
    void reportFailure(services.log, HOST_ACTIONS.checkFromHere, entry.name, error);
    return undefined;
  }
}

/** After Block, Allow and Block Again: the check, when `dockerFirewall.verifyAfterChange` is on. */
export async function checkAfterChange(services: Services, entry: ConfiguredHost): Promise<void> {
  if (!services.settings.current.verifyAfterChange) return;
  await checkHost(services, entry, { explicit: false, reread: false });
}

function announce(hostName: string, report: VerifyReport, explicit: boolean): void {
  const notice = checkNotice(hostName, report, explicit);
  if (notice === undefined) return;
  const show = notice.level === 'error' ? vscode.window.showErrorMessage : notice.level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(notice.message, ...notice.actions).then((choice) => {
    if (choice === showChainStatusAction()) void vscode.commands.executeCommand(commandId('showChainStatus'), hostName);
    if (choice === previewRulesAction()) void vscode.commands.executeCommand(commandId('previewRules'), hostName);
  });
}

function logReport(log: vscode.LogOutputChannel, hostName: string, report: VerifyReport): void {
  const { errors, warnings } = report.mismatches;
  log.info(
    `${hostName}: checked from this machine (${report.from.machine}): ${report.verdict}, ${report.probes} probes on ${report.addresses.map((a) => `${a.address}${a.trusted ? '' : ' (no answer on its SSH port)'}`).join(', ') || 'no address'} in ${report.usedMs} ms (budget ${report.budgetMs} ms).`,
  );
  if (report.reason !== undefined) log.warn(`${hostName}: ${report.reason}.`);
  for (const r of report.results) {
    if (r.match) continue;
    const line = `${hostName}: ${r.port}/${r.proto} on ${r.address}: expected ${r.expected}, observed ${r.observed} (${r.detail}).`;
    if (r.severity === 'error') log.error(line);
    else log.warn(line);
  }
  if (errors + warnings === 0) log.debug(`${hostName}: every probe matched.`);
}
