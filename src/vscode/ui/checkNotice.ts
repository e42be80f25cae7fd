import * as l10n from '@vscode/l10n';
import { hostPortText } from '../../core/firewall/port';
import type { PortCheck, VerifyReport } from '../../core/verify/verifyHost';

/** The notification after Check From Here (pure, unit-tested; tasks/checkHost.ts shows it). */
export interface CheckNotice {
  readonly level: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly actions: readonly string[];
}

/** The notification's buttons, in the display language (tasks/checkHost.ts compares the choice with them). */
export const showChainStatusAction = (): string => l10n.t('Show Chain Status');
export const previewRulesAction = (): string => l10n.t('Preview Rules');

/**
 * A blocked port that answers is an error (loud: the lockdown does not hold); an allowed port that
 * does not answer from here a warning; a check that could not probe a warning too. A check that
 * matched is said only when the user asked for it: after a change, the port items say it.
 */
export function checkNotice(hostName: string, report: VerifyReport, explicit: boolean): CheckNotice | undefined {
  const errors = report.results.filter((r) => r.severity === 'error');
  const warnings = report.results.filter((r) => r.severity === 'warning');
  const actions = [showChainStatusAction(), previewRulesAction()];
  if (errors.length > 0) {
    const answers =
      errors.length === 1
        ? l10n.t('{0}: a port the rules block answers from this machine: {1}. The lockdown does not hold for it.', hostName, ports(errors))
        : l10n.t('{0}: {1} ports the rules block answer from this machine: {2}. The lockdown does not hold for them.', hostName, errors.length, ports(errors));
    const silent =
      warnings.length === 0
        ? undefined
        : warnings.length === 1
          ? l10n.t('Also, 1 allowed port does not answer from here: {0}.', ports(warnings))
          : l10n.t('Also, {0} allowed ports do not answer from here: {1}.', warnings.length, ports(warnings));
    return { level: 'error', message: silent === undefined ? answers : `${answers} ${silent}`, actions };
  }
  if (warnings.length > 0) {
    return {
      level: 'warning',
      message:
        warnings.length === 1
          ? l10n.t('{0}: an allowed port does not answer from this machine: {1}. Something else filters it (a cloud firewall, this network), or the service is down.', hostName, ports(warnings))
          : l10n.t(
              '{0}: {1} allowed ports do not answer from this machine: {2}. Something else filters them (a cloud firewall, this network), or the service is down.',
              hostName,
              warnings.length,
              ports(warnings),
            ),
      actions,
    };
  }
  if (report.verdict === 'cannot-probe') {
    return { level: 'warning', message: l10n.t('Could not check {0} from this machine: {1}.', hostName, report.reason ?? l10n.t('no probe could be trusted')), actions: [] };
  }
  if (!explicit) return undefined;
  return {
    level: 'info',
    message:
      report.probes === 1
        ? l10n.t('{0}: checked from this machine, every port behaves as the rules say (1 probe, reachability from here only).', hostName)
        : l10n.t('{0}: checked from this machine, every port behaves as the rules say ({1} probes, reachability from here only).', hostName, report.probes),
    actions: [],
  };
}

/** `8081/tcp (app) on 192.0.2.1`, at most three, then how many more. */
function ports(results: readonly PortCheck[]): string {
  const named = results.map((r) => {
    const port = hostPortText({ hostPort: r.port, proto: r.proto });
    const container = r.bindings[0]?.container;
    const address = r.family === 'ipv6' ? `[${r.address}]` : r.address;
    return container ? l10n.t('{0} ({1}) on {2}', port, container, address) : l10n.t('{0} on {1}', port, address);
  });
  return named.length <= 3 ? named.join(', ') : l10n.t('{0} and {1} more', named.slice(0, 3).join(', '), named.length - 3);
}
