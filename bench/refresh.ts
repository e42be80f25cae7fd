import { cpus } from 'node:os';
import type { Lab } from '../test/support/lab';
import { countLogins, DockerCliEnv, firstHosts } from './lib/benchLab';
import { measureOurs, msOf, ourCosts, withHandles, type OurSample } from './lib/ours';
import { compare, retriedNotes, round, variant, type Comparison, type Fact, type Section } from './lib/results';
import { interleave, median, middle, timed } from './lib/stats';

const ROUNDS = 7;

interface PerHostSample extends OurSample {
  /** Each host's own time within the run. */
  readonly perHost: readonly number[];
  /** CPU time (user + system) of this process during the run: the client's own share. */
  readonly clientCpuMs: number;
}

/** Runs fn with the handles, timing each host's own status() too. */
async function refreshAll(lab: Lab, hosts: readonly string[], parallel: boolean): Promise<PerHostSample> {
  return withHandles(lab, hosts, async (handles) => {
    const perHost: number[] = [];
    const read = async (i: number) => (perHost[i] = (await timed(() => handles[i]!.engine.status())).ms);
    const cpu = process.cpuUsage();
    const sample = await measureOurs(lab, handles, hosts, async () => {
      if (parallel) await Promise.all(handles.map((_, i) => read(i)));
      else for (let i = 0; i < handles.length; i++) await read(i);
    });
    const used = process.cpuUsage(cpu);
    return { ...sample, perHost, clientCpuMs: (used.user + used.system) / 1000 };
  });
}

interface CliSample {
  readonly ms: number;
  readonly logins: number;
}

/**
 * Refreshing several hosts from nothing (the first draw of the Hosts view, or a script): ours in
 * parallel, one new connection per host, against ours one host after another and against a loop of
 * `docker -H ssh://HOST ps`. h1, the host with the extra containers, is always among them.
 */
export async function measureRefresh(lab: Lab, counts: readonly number[]): Promise<Section> {
  const cli = new DockerCliEnv(lab);
  const comparisons: Comparison[] = [];
  const facts: Fact[] = [];
  const notes: string[] = [];
  const retried: string[] = [];
  try {
    for (const count of counts) {
      const hosts = firstHosts(count);
      const { samples, retried: again } = await interleave<PerHostSample | CliSample>(
        [
          { key: 'parallel', run: () => refreshAll(lab, hosts, true) },
          { key: 'sequential', run: () => refreshAll(lab, hosts, false) },
          {
            key: 'cli',
            run: async () => {
              const { value, logins } = await countLogins(lab, hosts, () =>
                timed(async () => {
                  for (const h of hosts) await cli.ps(h);
                }),
              );
              return { ms: value.ms, logins };
            },
          },
        ],
        { rounds: ROUNDS, warmup: 1, timeoutMs: 120_000, label: `refresh ${count}` },
      );
      retried.push(...again);
      const parallel = samples.get('parallel') as PerHostSample[];
      const sequential = samples.get('sequential') as PerHostSample[];
      const cliSamples = samples.get('cli') as CliSample[];
      const what = `${count} host${count === 1 ? '' : 's'}`;
      const parallelV = variant(count > 1 ? `ours: ${what} in parallel` : `ours: ${what}`, msOf(parallel), ourCosts(parallel));
      if (count > 1) {
        comparisons.push(
          compare(`refresh-${count}-sequential`, `Refresh ${what}, cold`, 'ms', parallelV, variant(`ours: ${what} one after another`, msOf(sequential), ourCosts(sequential))),
        );
      }
      comparisons.push(
        compare(
          `refresh-${count}-cli`,
          `Refresh ${what}, cold`,
          'ms',
          parallelV,
          variant(count > 1 ? `\`docker -H ssh://\` ps, ${what} one after another` : '`docker -H ssh://` ps', msOf(cliSamples), { sshConnections: middle(cliSamples.map((s) => s.logins)) }),
        ),
      );
      if (count > 1) {
        // The slowest host read on its own (in the sequential runs) against the parallel whole.
        const total = parallelV.summary.median;
        const slowestAlone = median(sequential.map((r) => Math.max(...r.perHost)));
        const sum = median(msOf(sequential));
        const cpu = median(parallel.map((r) => r.clientCpuMs));
        facts.push({
          id: `refresh-${count}-vs-slowest`,
          title: `Refresh ${what} in parallel, against the slowest host read alone and the sum`,
          value:
            `${round(total)} ms in parallel = ${round(total / slowestAlone, 2)}× the slowest host alone (${round(slowestAlone)} ms) ` +
            `and ${round(total / sum, 2)}× all of them one after another (${round(sum)} ms); the client's own CPU time in the parallel run ${round(cpu)} ms`,
          target: 'nearer the slowest host alone than the sum',
          met: total - slowestAlone < sum - total,
        });
      }
    }
  } finally {
    cli.dispose();
  }
  notes.push(
    `On this machine the hosts are not independent: their sshd, dockerd and iptables processes share the same ${cpus().length} cores as the client ` +
      "(and the other labs), so hosts read in parallel slow one another down; on real hosts only the client's own CPU time would add up.",
  );
  return {
    id: 'refresh',
    title: 'Refreshing several hosts',
    method: [
      `Hosts h1..hN (h1 has the lab's ${lab.extraContainers} extra containers). Every run starts without connections: ours opens a handle per host and calls ` +
        '`status()` on all of them at once (parallel) or one after the other (sequential); the baseline runs `docker -H ssh://HOST ps --all` ' +
        'for each host in turn, as a shell loop would (containers only, no firewall).',
      'SSH connections are totals for the whole refresh: ours from the session counters (checked against sshd), baselines from the hosts\' sshd logs.',
    ],
    comparisons,
    facts,
    notes: [...notes, ...retriedNotes(retried)],
    lostExitStatus: retried.length,
  };
}
