import { hostPortText } from '../../core/firewall/port';
import type { PortCheck, VerifyReport } from '../../core/verify/verifyHost';

/** The notification after Check From Here (pure, unit-tested; tasks/checkHost.ts shows it). */
export interface CheckNotice {
  readonly level: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly actions: readonly string[];
}

export const SHOW_CHAIN_STATUS = 'Show Chain Status';
export const PREVIEW_RULES = 'Preview Rules';

/**
 * A blocked port that answers is an error (loud: the lockdown does not hold); an allowed port that
 * does not answer from here a warning; a check that could not probe a warning too. A check that
 * matched is said only when the user asked for it: after a change, the port items say it.
 */
export function checkNotice(hostName: string, report: VerifyReport, explicit: boolean): CheckNotice | undefined {
  const errors = report.results.filter((r) => r.severity === 'error');
  const warnings = report.results.filter((r) => r.severity === 'warning');
  const actions = [SHOW_CHAIN_STATUS, PREVIEW_RULES];
  if (errors.length > 0) {
    const more = warnings.length > 0 ? ` Also, ${portCount(warnings.length, 'allowed port')} ${warnings.length === 1 ? 'does' : 'do'} not answer from here: ${ports(warnings)}.` : '';
    return {
      level: 'error',
      message: `${hostName}: ${errors.length === 1 ? 'a port the rules block answers' : `${errors.length} ports the rules block answer`} from this machine: ${ports(errors)}. The lockdown does not hold for ${errors.length === 1 ? 'it' : 'them'}.${more}`,
      actions,
    };
  }
  if (warnings.length > 0) {
    return {
      level: 'warning',
      message: `${hostName}: ${warnings.length === 1 ? 'an allowed port does' : `${warnings.length} allowed ports do`} not answer from this machine: ${ports(warnings)}. Something else filters ${warnings.length === 1 ? 'it' : 'them'} (a cloud firewall, this network), or the service is down.`,
      actions,
    };
  }
  if (report.verdict === 'cannot-probe') {
    return { level: 'warning', message: `Could not check ${hostName} from this machine: ${report.reason ?? 'no probe could be trusted'}.`, actions: [] };
  }
  if (!explicit) return undefined;
  return {
    level: 'info',
    message: `${hostName}: checked from this machine, every port behaves as the rules say (${portCount(report.probes, 'probe')}, reachability from here only).`,
    actions: [],
  };
}

/** `8081/tcp (app) on 192.0.2.1`, at most three, then how many more. */
function ports(results: readonly PortCheck[]): string {
  const named = results.map((r) => {
    const container = r.bindings[0]?.container;
    return `${hostPortText({ hostPort: r.port, proto: r.proto })}${container ? ` (${container})` : ''} on ${r.family === 'ipv6' ? `[${r.address}]` : r.address}`;
  });
  return named.length <= 3 ? named.join(', ') : `${named.slice(0, 3).join(', ')} and ${named.length - 3} more`;
}

function portCount(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
