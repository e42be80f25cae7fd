import type { FirewallEngine } from '../core/hosts/firewallEngine';
import { externalHostAddresses, probeAddresses, sshEndpoint, type SshEndpoint } from '../core/verify/addresses';
import { verifyHost, type VerifyProgress, type VerifyReport, type VerifyVerdict } from '../core/verify/verifyHost';
import type { VerifyInvocation } from './args';
import { JSON_SCHEMA } from './json';
import { formatVerify, progressLine } from './verifyFormat';

export interface VerifyOutput {
  out(text: string): void;
  /** Rewrites the progress line (undefined clears it); absent when stderr is not a terminal. */
  progress?: ((line: string | undefined) => void) | undefined;
}

/**
 * verify HOST: reads the host's status over SSH, then probes its published ports from this machine
 * on the addresses SSH reaches it by, with the SSH port as the positive control. The verdict is for
 * main() to turn into the exit code (0 match, 5 mismatch, 1 cannot probe).
 */
export async function runVerify(inv: VerifyInvocation, engine: FirewallEngine, label: string, output: VerifyOutput): Promise<VerifyVerdict> {
  const { firewall, inventory, raw } = await engine.status();
  const endpoint = await sshEndpoint({ destination: inv.host, sshConfigPath: inv.options.sshConfig });
  // The host's own global addresses come after SSH's: a host with several, or one SSH reaches over IPv4 only.
  const addresses = probeAddresses(endpoint.addresses, externalHostAddresses(raw.facts.addresses, inventory));
  let report: VerifyReport;
  try {
    report = await verifyHost(
      { ports: firewall.ports, allows: firewall.policy.allows, addresses, sshPort: endpoint.port, addressProblem: endpoint.problem },
      {
        timeoutMs: inv.timeoutMs,
        parallel: inv.parallel,
        onPlanned: (plan) => output.progress?.(progressLine(label, { done: 0, total: plan.probes, elapsedMs: 0, budgetMs: plan.budgetMs })),
        onProgress: (progress: VerifyProgress) => output.progress?.(progressLine(label, progress)),
      },
    );
  } finally {
    output.progress?.(undefined);
  }
  output.out(inv.options.json ? JSON.stringify(verifyJson(label, report, endpoint), null, 2) : formatVerify(label, report, endpoint));
  return report.verdict;
}

/** `--json`: `{host, at, from, addresses[], results[{address, port, proto, container?, expected, observed, match}], mismatches}` and more. */
export function verifyJson(host: string, report: VerifyReport, endpoint: Pick<SshEndpoint, 'hostName' | 'port' | 'proxyJump'>) {
  return {
    schema: JSON_SCHEMA,
    host,
    at: report.at.toISOString(),
    from: report.from,
    ssh: { hostName: endpoint.hostName, port: endpoint.port, proxyJump: endpoint.proxyJump ?? null },
    addresses: report.addresses.map((a) => ({
      address: a.address,
      family: a.family,
      source: a.source,
      control: { port: a.control.port, before: a.control.before.observed, after: a.control.after?.observed ?? null },
      trusted: a.trusted,
    })),
    results: report.results.map((r) => {
      const container = r.bindings[0]?.container;
      return {
        address: r.address,
        port: r.port,
        proto: r.proto,
        ...(container ? { container } : {}),
        expected: r.expected,
        observed: r.observed,
        match: r.match,
        severity: r.severity ?? null,
        detail: r.detail,
        ...(r.expectedNote === undefined ? {} : { note: r.expectedNote }),
      };
    }),
    unprobed: report.unprobed.map((u) => ({ container: u.port.container, hostIp: u.port.hostIp, hostPort: u.port.hostPort, proto: u.port.proto, reason: u.reason })),
    mismatches: report.mismatches.errors + report.mismatches.warnings,
    verdict: report.verdict,
    reason: report.reason ?? null,
    probes: report.probes,
    timeoutMs: report.timeoutMs,
    parallel: report.parallel,
    budgetMs: report.budgetMs,
    usedMs: report.usedMs,
  };
}
