import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapBounded } from '../src/vscode/hosts/limiter';
import { labHost, REPO_ROOT, run, type Lab, type RunResult } from '../test/support/lab';
import { probeBlocked, probeOpen } from '../test/support/probes';
import { ansibleEnv } from '../test/support/ansible';
import { BENCH_CLI as CLI, countLogins, DockerCliEnv, firstHosts, FLEET_HOSTS } from './lib/benchLab';
import { extensionHostMemory, type ExtensionHostMemory } from './lib/fleetMemory';
import { adHocSucceeded, cliHosts, recapCounts } from './lib/fleetOutput';
import { measureOurs, msOf, ourCosts, withHandles, type OurSample } from './lib/ours';
import { compare, retriedNotes, round, variant, type Comparison, type Fact, type Section } from './lib/results';
import { interleave, median, middle, timed, type Contender } from './lib/stats';

/**
 * Rounds after one warm-up. Every run here is bound by this machine's CPU (50 hosts' sshd, dockerd
 * and iptables share its cores with the client): a round of the refresh takes minutes, a lockdown
 * of the fleet and its undo several, so the lockdown is measured once per contender.
 */
const REFRESH_ROUNDS = 2;
const BLOCK_ROUNDS = 1;
/** Fresh workbenches per number of hosts shown, for the memory of the extension host. */
const MEMORY_RUNS = 2;
/** What the extension and the CLI use unless told otherwise (dockerFirewall.maxParallelHosts, --parallel). */
const PARALLEL = 8;
const PLAYBOOK = join(REPO_ROOT, 'examples/ansible/playbook.yml');

/** The contenders, each of whose runs says on stderr how long it took: a fleet run is long, and the bench should not look stuck. */
function withProgress<S>(label: string, contenders: readonly { key: string; run: () => Promise<S> }[]): Contender<S>[] {
  return contenders.map(({ key, run }) => ({
    key,
    run: async (round: number) => {
      const started = Date.now();
      const sample = await run();
      process.stderr.write(`[bench] fleet: ${label}, ${key}, round ${round + 1}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      return sample;
    },
  }));
}

interface Sample {
  readonly ms: number;
  readonly logins: number;
  /** Share of the machine's CPU time (all cores) that was busy during the run, 0..1. */
  readonly busy?: number | undefined;
}

/** The machine's CPU time so far, busy and all, in clock ticks (the first line of /proc/stat). */
function cpuTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
  return { busy: total - fields[3]! - (fields[4] ?? 0), total };
}

/** Runs work and says how busy the whole machine was meanwhile: the client and all 50 hosts share its cores. */
async function withBusy<T extends object>(work: () => Promise<T>): Promise<T & { busy: number }> {
  const before = cpuTicks();
  const value = await work();
  const after = cpuTicks();
  return { ...value, busy: (after.busy - before.busy) / Math.max(1, after.total - before.total) };
}

interface EngineSample extends OurSample {
  readonly busy?: number | undefined;
  /** Each host's own time within the run. */
  readonly perHost: readonly number[];
  /** CPU time (user + system) of this process during the run: the client's own share. */
  readonly clientCpuMs: number;
}

/** Fails with the command's own words unless it exited 0. */
function checked(what: string, result: RunResult): RunResult {
  if (result.code !== 0) throw new Error(`${what} exited ${String(result.code)}${result.timedOut ? ' (timed out)' : ''}: ${(result.stderr || result.stdout).trim().slice(-2000)}`);
  return result;
}

/**
 * Ansible as a fleet user runs it against the lab: its own OpenSSH with the lab's ssh config, the
 * connection sharing it uses by default (ControlMaster, ControlPersist) in a folder new for every
 * run, so that each run starts cold, and its masters ended after the run (`ssh -O exit`).
 */
class AnsibleEnv {
  readonly dir = mkdtempSync(join(tmpdir(), 'dfwb-ansible-'));
  readonly inventory = join(this.dir, 'inventory.ini');

  constructor(
    private readonly lab: Lab,
    hosts: readonly string[],
  ) {
    writeFileSync(this.inventory, `[docker_hosts]\n${hosts.join('\n')}\n`);
    process.once('exit', () => this.dispose());
  }

  async run(argv: readonly string[], what: string): Promise<RunResult> {
    const control = mkdtempSync(join(this.dir, 'cp-'));
    try {
      return checked(
        what,
        await run(argv, {
          timeoutMs: 600_000,
          env: {
            ...ansibleEnv(this.dir, PARALLEL),
            ANSIBLE_SSH_ARGS: `-F ${this.lab.sshConfig} -o ControlMaster=auto -o ControlPersist=60s`,
            ANSIBLE_SSH_CONTROL_PATH_DIR: control,
          },
        }),
      );
    } finally {
      for (const socket of readdirSync(control)) await run(['ssh', '-S', join(control, socket), '-O', 'exit', 'master'], { timeoutMs: 10_000 });
      rmSync(control, { recursive: true, force: true });
    }
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Many hosts at once (issue 17): a cold refresh of the whole fleet by the CLI's parallel mode and by
 * the engine as the extension drives it, against `docker -H ssh://` in a shell loop and Ansible's own
 * parallel ad-hoc `docker ps`; the slowest host read alone; and a lockdown of the fleet by the CLI's
 * parallel mode and by the Ansible example playbook, each checked from outside.
 */
export async function measureFleet(lab: Lab): Promise<Section> {
  if (lab.hosts.length < FLEET_HOSTS) throw new Error(`the fleet section needs ${FLEET_HOSTS} hosts; lab ${lab.name} has ${lab.hosts.length}`);
  const hosts = firstHosts(FLEET_HOSTS);
  const docker = new DockerCliEnv(lab);
  const ansible = new AnsibleEnv(lab, hosts);
  const cli = (args: readonly string[]) => [process.execPath, CLI, '--ssh-config', lab.sshConfig, '--json', ...args];
  const comparisons: Comparison[] = [];
  const facts: Fact[] = [];
  const notes: string[] = [];
  const retried: string[] = [];
  try {
    const engine = (parallel: number) => (): Promise<EngineSample> =>
      withHandles(lab, hosts, async (handles) => {
        const perHost: number[] = [];
        const cpu = process.cpuUsage();
        const sample = await measureOurs(lab, handles, hosts, () =>
          mapBounded(handles, parallel, async (handle, i) => {
            perHost[i] = (await timed(() => handle.engine.status())).ms;
          }),
        );
        const used = process.cpuUsage(cpu);
        return { ...sample, perHost, clientCpuMs: (used.user + used.system) / 1000 };
      });
    const counted = async (work: () => Promise<void>): Promise<Sample> =>
      withBusy(async () => {
        const { value, logins } = await countLogins(lab, hosts, () => timed(work));
        return { ms: value.ms, logins };
      });
    const refresh = await interleave<EngineSample | Sample>(
      withProgress<EngineSample | Sample>('refresh', [
        { key: 'engine', run: () => withBusy(engine(PARALLEL)) },
        { key: 'alone', run: engine(1) },
        {
          key: 'cli',
          run: () =>
            counted(async () => {
              const result = checked('docker-firewall status (50 hosts)', await run(cli(['status', ...hosts]), { timeoutMs: 300_000 }));
              const read = cliHosts(result.stdout);
              if (read.ok !== hosts.length) throw new Error(`docker-firewall status read ${read.ok} of ${hosts.length} hosts: ${read.errors.join('; ')}`);
            }),
        },
        {
          key: 'docker',
          run: () =>
            counted(async () => {
              const loop = 'for h in "$@"; do docker -H "ssh://$h" ps --all >/dev/null || exit 1; done';
              checked('docker -H ssh:// ps loop', await run(['sh', '-c', loop, 'loop', ...hosts], { env: docker.env, timeoutMs: 300_000 }));
            }),
        },
        {
          key: 'ansible',
          run: () =>
            counted(async () => {
              const result = await ansible.run(['ansible', 'docker_hosts', '-i', ansible.inventory, '-m', 'ansible.builtin.command', '-a', 'docker ps --all'], 'ansible docker ps');
              const ok = adHocSucceeded(result.stdout);
              if (ok !== hosts.length) throw new Error(`ansible docker ps succeeded on ${ok} of ${hosts.length} hosts`);
            }),
        },
      ]),
      { rounds: REFRESH_ROUNDS, warmup: 1, timeoutMs: 600_000, label: `refresh ${hosts.length} hosts` },
    );
    retried.push(...refresh.retried);
    const ours = refresh.samples.get('engine') as EngineSample[];
    const alone = refresh.samples.get('alone') as EngineSample[];
    const of = (key: string) => refresh.samples.get(key) as Sample[];
    const what = `${hosts.length} hosts`;
    const engineV = variant(`ours: the engine, ${PARALLEL} hosts at once (as the extension's Refresh)`, msOf(ours), ourCosts(ours));
    const cliV = variant(`\`docker-firewall --json status\` of ${what}, one process (\`--parallel ${PARALLEL}\`)`, msOf(of('cli')), { sshConnections: middle(of('cli').map((s) => s.logins)) });
    const dockerV = variant(`\`docker -H ssh://\` ps, ${what} in a shell loop`, msOf(of('docker')), { sshConnections: middle(of('docker').map((s) => s.logins)) });
    const ansibleV = variant(`Ansible ad-hoc \`docker ps --all\`, ${PARALLEL} forks`, msOf(of('ansible')), { sshConnections: middle(of('ansible').map((s) => s.logins)) });
    const aloneV = variant(`ours: the engine, one host after another`, msOf(alone), ourCosts(alone));
    comparisons.push(
      compare('fleet-refresh-engine-docker', `Refresh ${what}, cold`, 'ms', engineV, dockerV),
      compare('fleet-refresh-engine-ansible', `Refresh ${what}, cold`, 'ms', engineV, ansibleV),
      compare('fleet-refresh-cli-docker', `Refresh ${what}, cold`, 'ms', cliV, dockerV),
      compare('fleet-refresh-cli-ansible', `Refresh ${what}, cold`, 'ms', cliV, ansibleV),
      compare('fleet-refresh-engine-alone', `Refresh ${what}, cold`, 'ms', engineV, aloneV),
    );
    const slowest = median(alone.map((r) => Math.max(...r.perHost)));
    const slowestHost = (r: EngineSample) => hosts[r.perHost.indexOf(Math.max(...r.perHost))]!;
    const total = engineV.summary.median;
    const busy = (samples: readonly (Sample | EngineSample)[]) => `${Math.round(100 * median(samples.map((x) => x.busy ?? 0)))}%`;
    const cliTotal = cliV.summary.median;
    facts.push({
      id: 'fleet-refresh-vs-slowest',
      title: `Refresh ${what} against the slowest host read alone`,
      value:
        `the engine, ${PARALLEL} at once: ${round(total)} ms = ${round(total / slowest, 2)}× the slowest host read alone (${round(slowest)} ms, ` +
        `${[...new Set(alone.map(slowestHost))].join(', ')}); the CLI, one process: ${round(cliTotal)} ms = ${round(cliTotal / slowest, 2)}×; ` +
        `the client's own CPU time in the engine's run ${round(median(ours.map((r) => r.clientCpuMs)))} ms; ` +
        `one host after another ${round(aloneV.summary.median)} ms. The machine's ${cpus().length} cores were ${busy(ours)} busy during the engine's runs ` +
        `(the CLI's ${busy(of('cli'))}, the docker loop's ${busy(of('docker'))}, Ansible's ${busy(of('ansible'))})`,
      target: 'within 3× the slowest single host',
      met: total <= 3 * slowest && cliTotal <= 3 * slowest,
    });

    // The lockdown of the whole fleet: each run from unlocked hosts, undone (untimed) before the next.
    const ends = [labHost(lab, hosts[0]!), labHost(lab, hosts.at(-1)!)];
    const closedFromOutside = async (what: string) => {
      for (const host of ends) {
        const verdict = await probeBlocked(lab.outside.ns, host, { port: 8081, family: 'ipv4' });
        if (verdict !== 'timeout') throw new Error(`after ${what}, 8081 on ${host.name} from outside: ${verdict} (expected no answer beside an answering sshd)`);
      }
    };
    const undo = async () => {
      const result = checked('docker-firewall unblock (50 hosts)', await run(cli(['unblock', ...hosts]), { timeoutMs: 300_000 }));
      if (cliHosts(result.stdout).ok !== hosts.length) throw new Error(`unblock: ${cliHosts(result.stdout).errors.join('; ')}`);
      for (const host of ends) {
        const outcome = await probeOpen(lab.outside.ns, host, { port: 8081, family: 'ipv4' });
        if (outcome !== 'open') throw new Error(`after unblock, 8081 on ${host.name} from outside: ${outcome}`);
      }
    };
    let checks = 0;
    const block = await interleave<Sample>(
      withProgress<Sample>('block', [
        {
          key: 'cli',
          run: async () => {
            const sample = await counted(async () => {
              const result = checked('docker-firewall block (50 hosts)', await run(cli(['block', ...hosts]), { timeoutMs: 300_000 }));
              const done = cliHosts(result.stdout);
              if (done.changed !== hosts.length) throw new Error(`docker-firewall block changed ${done.changed} of ${hosts.length} hosts: ${done.errors.join('; ')}`);
            });
            await closedFromOutside('docker-firewall block');
            checks++;
            await undo();
            return sample;
          },
        },
        {
          key: 'ansible',
          run: async () => {
            const sample = await counted(async () => {
              const argv = ['ansible-playbook', '-i', ansible.inventory, PLAYBOOK, '--tags', 'lockdown', '-e', `docker_firewall="${process.execPath} ${CLI} --ssh-config ${lab.sshConfig}"`];
              const recap = recapCounts((await ansible.run(argv, 'ansible-playbook (lockdown)')).stdout);
              if (recap.changed !== hosts.length || recap.failed !== 0) throw new Error(`the playbook changed ${recap.changed} of ${hosts.length} hosts, ${recap.failed} failed`);
            });
            await closedFromOutside('the Ansible playbook');
            checks++;
            await undo();
            return sample;
          },
        },
      ]),
      { rounds: BLOCK_ROUNDS, warmup: 0, timeoutMs: 900_000, label: `block ${hosts.length} hosts` },
    );
    retried.push(...block.retried);
    const blockOf = (key: string) => block.samples.get(key)!;
    comparisons.push(
      compare(
        'fleet-block',
        `Block ${what}`,
        'ms',
        variant(`\`docker-firewall --json block\` of ${what}, one process (\`--parallel ${PARALLEL}\`)`, msOf(blockOf('cli')), { sshConnections: middle(blockOf('cli').map((s) => s.logins)) }),
        variant(`the Ansible example playbook (\`--tags lockdown\`, ${PARALLEL} forks, the CLI per host)`, msOf(blockOf('ansible')), { sshConnections: middle(blockOf('ansible').map((s) => s.logins)) }),
      ),
    );
    notes.push(
      `Every lockdown run was checked from outside (${checks} runs): 8081 on ${ends.map((h) => h.name).join(' and ')} got no answer while their sshd answered, ` +
        `and every host's --json said changed; after each undo 8081 answered again.`,
    );

    // The extension host's memory, one host against the whole fleet shown, alternating.
    const memory: ExtensionHostMemory[] = [];
    for (let i = 0; i < MEMORY_RUNS; i++) for (const shown of [hosts.slice(0, 1), hosts]) memory.push(await extensionHostMemory(lab, shown));
    const growth = (n: number) => median(memory.filter((m) => m.hosts === n).map((m) => m.shownMiB - m.beforeMiB));
    const perHostMiB = (growth(hosts.length) - growth(1)) / (hosts.length - 1);
    const samples = memory.map((m) => `${m.hosts} host${m.hosts === 1 ? '' : 's'}: ${round(m.beforeMiB)} → ${round(m.shownMiB)} MiB, all read ${round(m.allReadMs / 1000, 1)} s after the view opened`).join('; ');
    facts.push({
      id: 'fleet-extension-memory',
      title: `The extension host's memory with ${what} shown (code-server, the Hosts view open, every host read)`,
      value:
        `${round(perHostMiB, 2)} MiB per further host: the extension host grew ${round(growth(hosts.length))} MiB with ${what} shown and ${round(growth(1))} MiB with one ` +
        `(medians of ${MEMORY_RUNS} fresh workbenches each; resident memory from /proc before the view was opened and once every host was read). Samples: ${samples}`,
      target: 'under 2 MB per host',
      met: perHostMiB * 1.048576 < 2,
    });
  } finally {
    docker.dispose();
    ansible.dispose();
  }
  notes.push(
    `The ${FLEET_HOSTS} hosts are network namespaces of this machine: their sshd, dockerd and iptables share its ${cpus().length} cores with the client, ` +
      "so hosts read at once slow one another down; on real hosts only the client's own CPU time would add up.",
  );
  return {
    id: 'fleet',
    title: `A fleet of ${FLEET_HOSTS} hosts`,
    method: fleetMethod(lab.extraContainers),
    runs: FLEET_RUNS,
    comparisons,
    facts,
    notes: [...notes, ...retriedNotes(retried)],
    lostExitStatus: retried.length,
  };
}

/** How many runs each contender had, for the report. */
export const FLEET_RUNS =
  `Refresh: ${REFRESH_ROUNDS} runs per contender after one warm-up round, thrown away, contenders alternating round by round. Block: ${BLOCK_ROUNDS} run per contender, no warm-up ` +
  '(a lockdown of the fleet, its checks from outside and its undo take minutes here), each from unlocked hosts.';

/** What the section measures and how, for the report (also to render it again for a run's results). */
export function fleetMethod(extraContainers: number): string[] {
  return [
    `All ${FLEET_HOSTS} hosts of the lab, each with its own sshd, dockerd (Docker 20.10, the lab's five containers${extraContainers > 0 ? `; h1 also ${extraContainers} more` : ''}) and iptables. Every run starts without connections.`,
    `Ours: the engine as the extension's Refresh drives it (a handle per host, \`status()\`, ${PARALLEL} at once: \`mapBounded\` with \`dockerFirewall.maxParallelHosts\`' default), ` +
      `the same one host after another (each host's own time gives the slowest host alone), and \`docker-firewall --json status h1 … h${FLEET_HOSTS}\` as one process (\`--parallel\` ${PARALLEL}, its default).`,
    'Baselines list containers only (no firewall): `docker -H ssh://HOST ps --all` for each host in a `sh` loop, and Ansible ad-hoc `ansible docker_hosts -m command -a "docker ps --all"` ' +
      `(ansible-core from Debian, ${PARALLEL} forks, OpenSSH with its default connection sharing in a new folder per run, the Python interpreter named so that none is discovered).`,
    `Block: \`docker-firewall --json block\` of every host in one process, against the Ansible example playbook (examples/ansible, \`--tags lockdown\`, ${PARALLEL} forks), which runs the CLI once per host on the controller.`,
    'SSH connections are the total over all hosts from their sshd logs ("Accepted publickey" lines).',
    `Memory: code-server with the extension in development mode and \`dockerFirewall.hosts\` naming h1 alone or all ${FLEET_HOSTS} hosts, a fresh workbench in Chromium each time; ` +
      "the extension host's resident memory (VmRSS of the process started with `--type=extensionHost`) once the workbench is up, and again once the Hosts view is open, " +
      'every host has logged in (its sshd log) and 5 s have passed. The growth with one host holds the loading of our code and libraries; the difference per further host is what each host costs.',
  ];
}
