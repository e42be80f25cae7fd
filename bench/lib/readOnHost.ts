import { readFirewallCommand } from '../../src/core/firewall/readFirewall';
import { onHost, type Lab } from '../../test/support/lab';
import type { Fact } from './results';
import { median, timed } from './stats';

/**
 * The firewall read on the host itself, without SSH: the whole read script, and alone the programs
 * it starts that cost the most, each run inside the host's namespaces (nsenter) with the time of
 * `nsenter … true` taken off. This is the part of a CLI run spent on the host after the login, and
 * what it is made of. SSH_CONNECTION is set as sshd sets it, so that the script does not look for it
 * in the processes above.
 */
const PROGRAMS: readonly { readonly label: string; readonly argv: readonly string[] }[] = [
  { label: '`ss -Hlntup` (listening sockets with the processes holding them)', argv: ['ss', '-Hlntup'] },
  { label: '`nft list tables`', argv: ['nft', 'list', 'tables'] },
  { label: '`iptables-save -c -t filter`', argv: ['iptables-save', '-c', '-t', 'filter'] },
];

const SSH_CONNECTION = 'SSH_CONNECTION=198.51.100.1 50000 192.0.2.1 22';

export async function readOnHost(lab: Lab, host: string, runs = 9): Promise<Fact[]> {
  const sample = async (argv: readonly string[]): Promise<number | undefined> => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { ms, value } = await timed(() => onHost(host, argv, { lab, timeoutMs: 30_000 }));
      if (value.code !== 0) return undefined;
      samples.push(ms);
    }
    return median(samples);
  };
  const baseline = await sample(['true']);
  if (baseline === undefined) throw new Error(`${host}: nsenter … true failed`);
  const facts: Fact[] = [];
  const add = (id: string, title: string, ms: number | undefined) =>
    facts.push({
      id: `cli-${host}-on-host-${id}`,
      title: `${host}, on the host without SSH: ${title}`,
      value: ms === undefined ? 'did not run (missing or failed)' : `${(ms - baseline).toFixed(1)} ms (median of ${runs}; nsenter's own ${baseline.toFixed(1)} ms taken off)`,
    });
  add('read', 'the whole read script', await sample(['env', SSH_CONNECTION, ...readFirewallCommand().argv]));
  for (const [i, program] of PROGRAMS.entries()) add(`program-${i}`, `${program.label} alone`, await sample(program.argv));
  // ss -p looks through every process the host sees: on a real host its own, here the whole machine's.
  const count = await onHost(host, ['sh', '-c', 'ls -d /proc/[0-9]* | wc -l'], { lab });
  facts.push({
    id: `cli-${host}-on-host-processes`,
    title: `${host}, on the host: processes it sees, which \`ss -p\` looks through (the lab's hosts share one PID namespace)`,
    value: count.code === 0 ? count.stdout.trim() : 'could not be counted',
  });
  return facts;
}
