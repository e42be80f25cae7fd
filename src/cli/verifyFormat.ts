import { endpointText } from '../core/firewall/port';
import type { SshEndpoint } from '../core/verify/addresses';
import type { PortCheck, VerifyProgress, VerifyReport } from '../core/verify/verifyHost';
import { table } from './format';

/** verify's output for a person: the table, mismatches first and marked, and a summary with the budget used. */
export function formatVerify(host: string, report: VerifyReport, endpoint: Pick<SshEndpoint, 'proxyJump'>): string {
  const from = report.from.sourceAddresses.length > 0 ? `${report.from.machine}, leaving from ${report.from.sourceAddresses.join(', ')}` : report.from.machine;
  const lines = [`${host}, checked from this machine (${from}) at ${report.at.toISOString()}`];
  for (const a of report.addresses) {
    const control = a.control;
    const state = a.trusted
      ? 'answered before and after the probes'
      : control.after === undefined
        ? `did not answer (${control.before.detail}): not probed`
        : `stopped answering during the check (${control.after.detail})`;
    lines.push(`  ${a.address}: SSH port ${control.port} ${state}`);
  }
  if (report.results.length > 0) lines.push('', indent(table([['RESULT', 'ADDRESS', 'PORT', 'CONTAINER', 'EXPECTED', 'OBSERVED', 'DETAIL'], ...report.results.map(row)])));
  if (report.unprobed.length > 0) {
    lines.push('', 'Not probed:');
    for (const [reason, ports] of groupBy(report.unprobed, (u) => u.reason)) {
      lines.push(`  ${ports.map((u) => `${endpointText(u.port)}${u.port.container ? ` (${u.port.container})` : ''}`).join(', ')}: ${reason}`);
    }
  }
  lines.push('', verdictText(host, report, endpoint));
  lines.push(`${report.probes} ${report.probes === 1 ? 'probe' : 'probes'} (${report.parallel} at once, ${report.timeoutMs} ms each): ${seconds(report.usedMs)} of a ${seconds(report.budgetMs)} budget.`);
  return lines.join('\n');
}

function row(r: PortCheck): string[] {
  const mark = r.severity === 'error' ? 'ERROR' : r.severity === 'warning' ? 'WARNING' : 'ok';
  const container = r.bindings.map((b) => b.container).filter((c) => c !== '').join(', ') || '-';
  const address = r.family === 'ipv6' ? `[${r.address}]` : r.address;
  return [mark, address, `${r.port}/${r.proto}`, container, r.expected, r.observed, r.expectedNote === undefined ? r.detail : `${r.detail}; ${r.expectedNote}`];
}

function verdictText(host: string, report: VerifyReport, endpoint: Pick<SshEndpoint, 'proxyJump'>): string {
  const { errors, warnings } = report.mismatches;
  switch (report.verdict) {
    case 'match':
      return `Match: every probe saw what the rules of ${host} say (reachability from this machine only).`;
    case 'mismatch': {
      const parts: string[] = [];
      if (errors > 0) parts.push(`${errors} ${errors === 1 ? 'port the rules close ANSWERS' : 'ports the rules close ANSWER'} from here (ERROR: the lockdown does not hold for ${errors === 1 ? 'it' : 'them'})`);
      if (warnings > 0) {
        parts.push(
          `${warnings} ${warnings === 1 ? 'port the rules open does' : 'ports the rules open do'} not answer from here (WARNING: something else filters ${warnings === 1 ? 'it' : 'them'}, such as a cloud firewall or this network, or the service is down)`,
        );
      }
      const late = report.reason === undefined ? '' : ` Also: ${report.reason}.`;
      return `MISMATCH: ${parts.join('; ')}.${late}`;
    }
    case 'cannot-probe': {
      const jump = endpoint.proxyJump === undefined ? '' : ` SSH reaches ${host} through the jump host ${endpoint.proxyJump}: its own address may not be reachable from this machine.`;
      return `Cannot probe from here: ${report.reason ?? 'no probe could be trusted'}.${jump}`;
    }
  }
}

/** `verify h1: 12/40 probes, 1.2 s of a 4.5 s budget` (stderr, on a terminal only). */
export function progressLine(host: string, progress: VerifyProgress): string {
  return `verify ${host}: ${progress.done}/${progress.total} probes, ${seconds(progress.elapsedMs)} of a ${seconds(progress.budgetMs)} budget`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
