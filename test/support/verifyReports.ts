// Check From Here reports made the way the product makes them (core/verify/verifyHost.ts over a
// recorded lab host's real status), with a stand-in network that answers from a table instead of
// sockets: tests of the CLI's and the extension's renderings of a report start here.
import type { FirewallStatus } from '../../src/core/firewall/status';
import type { Observation, Prober } from '../../src/core/verify/observation';
import type { ProbeAddress } from '../../src/core/verify/targets';
import { verifyHost, type VerifyReport } from '../../src/core/verify/verifyHost';
import { lockedHost } from './recordedHosts';

export const H1_V4: ProbeAddress = { address: '192.0.2.1', family: 'ipv4', source: 'ssh' };
/** The lab's outside machine, where the probes leave from. */
export const CLIENT_V4 = '192.0.2.100';

/**
 * `address port/proto` → what a probe sees; any other TCP port is filtered (dropped), any other UDP
 * port open|filtered. The SSH port answers only when the table says so.
 */
export function tableProber(answers: Readonly<Record<string, Observation>>, timeoutMs = 50): Prober {
  return {
    tcp: (address, port) => {
      const observed = answers[`${address} ${port}/tcp`] ?? 'filtered';
      const detail = observed === 'open' ? 'connected' : observed === 'closed' ? 'refused (TCP reset)' : `no answer in ${timeoutMs} ms`;
      return Promise.resolve({ observed, detail, ms: 1, localAddress: observed === 'open' ? CLIENT_V4 : undefined });
    },
    udp: (address, port) => {
      const observed = answers[`${address} ${port}/udp`] ?? 'open|filtered';
      return Promise.resolve({ observed, detail: observed === 'open' ? 'replied (5 bytes)' : `no reply in ${timeoutMs} ms`, ms: 1 });
    },
  };
}

/**
 * A check of the recorded locked Docker 20.10 host (8080 allowed from anywhere, 8081 from
 * 192.0.2.100, 5353/udp from an IPv6 address) on its IPv4 address, from 192.0.2.100.
 */
export function lockedReport(answers: Readonly<Record<string, Observation>>, firewall: FirewallStatus = lockedHost('20').firewall): Promise<VerifyReport> {
  return verifyHost(
    { ports: firewall.ports, allows: firewall.policy.allows, addresses: [H1_V4], sshPort: 22 },
    { prober: tableProber(answers), timeoutMs: 50, machine: 'laptop' },
  );
}

/** What the recorded locked host answers as its rules say: SSH, 8080 and 8081 open, 8082 refused, the rest silent. */
export const AS_THE_RULES_SAY: Readonly<Record<string, Observation>> = {
  '192.0.2.1 22/tcp': 'open',
  '192.0.2.1 8080/tcp': 'open',
  '192.0.2.1 8081/tcp': 'open',
  '192.0.2.1 8082/tcp': 'closed',
};
