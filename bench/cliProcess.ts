import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Lab } from '../test/support/lab';
import { BENCH_CLI as CLI, countLogins, DockerCliEnv } from './lib/benchLab';
import { describeStep, medianTimeline, parseTrace, timeline, type TimelineStep } from './lib/cliTrace';
import { readOnHost } from './lib/readOnHost';
import { compare, variant, type Comparison, type Fact, type Section } from './lib/results';
import { interleave, middle } from './lib/stats';

const ROUNDS = 9;
/** Targets of issue 18, against `docker -H ssh:// ps` from a cold start. */
const PS_TARGET = 0.7;
const STATUS_TARGET = 1.0;

/** One process, timed from just before spawn to the moment its exit is seen, on the clock the CLI's trace uses. */
interface ProcessRun {
  readonly spawnedAt: number;
  readonly reapedAt: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const now = () => performance.timeOrigin + performance.now();

function runProcess(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const spawnedAt = now();
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let reapedAt = 0;
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', reject);
    // 'exit' is the process's end; 'close' (its pipes drained) comes after and is not the CLI's time.
    child.on('exit', () => (reapedAt = now()));
    child.on('close', (code) =>
      resolve({ spawnedAt, reapedAt: reapedAt || now(), code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }),
    );
  });
}

interface Sample {
  readonly ms: number;
  readonly logins: number;
  readonly steps?: TimelineStep[] | undefined;
  readonly containers?: number | undefined;
}

/**
 * The CLI as a user starts it: a new `node dist/cli.js` process per run, timed from spawn to exit,
 * with its own breakdown (DOCKER_FIREWALL_TRACE=1), side by side with OpenSSH's floor (`ssh HOST
 * true`: one handshake and one round trip), `ssh HOST iptables-save` and `docker -H ssh://HOST ps`.
 */
export async function measureCliProcess(lab: Lab, hosts: readonly string[]): Promise<Section> {
  const docker = new DockerCliEnv(lab);
  const comparisons: Comparison[] = [];
  const facts: Fact[] = [];
  const notes: string[] = [];
  const env = { ...process.env, ...docker.env };
  const checked = async (name: string, what: string, argv: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ run: ProcessRun; logins: number }> => {
    const { value, logins } = await countLogins(lab, [name], () => runProcess(argv, { ...env, ...extraEnv }));
    if (value.code !== 0) throw new Error(`${what} on ${name} exited ${String(value.code)}: ${value.stderr.trim()}`);
    return { run: value, logins };
  };
  // The CLI's compile cache (src/cli/compileCache.ts) in a folder of this run: written by the first run (the warm-up round), used by the rest.
  const cacheHome = mkdtempSync(join(tmpdir(), 'dfw-bench-cache-'));
  const ours = (name: string, command: 'ps' | 'status', compileCache = true) => async (): Promise<Sample> => {
    const { run, logins } = await checked(name, `docker-firewall ${command}`, [process.execPath, CLI, '--ssh-config', lab.sshConfig, '--json', command, name], {
      DOCKER_FIREWALL_TRACE: '1',
      XDG_CACHE_HOME: cacheHome,
      ...(compileCache ? {} : { DOCKER_FIREWALL_COMPILE_CACHE: '0' }),
    });
    const json = JSON.parse(run.stdout) as { containers?: unknown[] };
    return { ms: run.reapedAt - run.spawnedAt, logins, steps: timeline(parseTrace(run.stderr), run.spawnedAt, run.reapedAt), containers: json.containers?.length };
  };
  const theirs = (name: string, what: string, argv: readonly string[]) => async (): Promise<Sample> => {
    const { run, logins } = await checked(name, what, argv);
    return { ms: run.reapedAt - run.spawnedAt, logins, containers: what === 'docker' ? run.stdout.trim().split('\n').length - 1 : undefined };
  };
  try {
    for (const name of hosts) {
      const { samples } = await interleave<Sample>(
        [
          { key: 'ps', run: ours(name, 'ps') },
          { key: 'status', run: ours(name, 'status') },
          { key: 'ps-uncached', run: ours(name, 'ps', false) },
          { key: 'docker', run: theirs(name, 'docker', ['docker', '-H', `ssh://${name}`, 'ps', '--all']) },
          { key: 'ssh-true', run: theirs(name, 'ssh true', ['ssh', '-F', lab.sshConfig, name, 'true']) },
          { key: 'ssh-save', run: theirs(name, 'ssh iptables-save', ['ssh', '-F', lab.sshConfig, name, 'iptables-save']) },
        ],
        { rounds: ROUNDS, warmup: 1, timeoutMs: 60_000, label: `cli process ${name}` },
      );
      const of = (key: string) => samples.get(key)!;
      const v = (key: string, label: string) => variant(label, of(key).map((s) => s.ms), { sshConnections: middle(of(key).map((s) => s.logins)) });
      const ps = v('ps', '`docker-firewall --json ps`, a new process');
      const status = v('status', '`docker-firewall --json status`, a new process');
      const dockerPs = v('docker', '`docker -H ssh://` ps');
      const sshTrue = v('ssh-true', '`ssh HOST true` (one handshake and round trip)');
      const sshSave = v('ssh-save', '`ssh HOST iptables-save`');
      const psUncached = v('ps-uncached', '`docker-firewall --json ps`, a new process without the compile cache (as a first run)');
      const title = `CLI process, ${name}`;
      const psVsDocker = compare(`cli-${name}-ps-vs-docker`, title, 'ms', ps, dockerPs);
      const statusVsDocker = compare(`cli-${name}-status-vs-docker`, title, 'ms', status, dockerPs);
      comparisons.push(
        psVsDocker,
        statusVsDocker,
        compare(`cli-${name}-ps-vs-ssh-true`, title, 'ms', ps, sshTrue),
        compare(`cli-${name}-status-vs-ssh-save`, title, 'ms', status, sshSave),
        compare(`cli-${name}-ps-uncached-vs-docker`, title, 'ms', psUncached, dockerPs),
      );
      facts.push(
        {
          id: `cli-${name}-ps-target`,
          title: `${name}: \`--json ps\` / \`docker -H ssh:// ps\`, from a cold start`,
          value: `${psVsDocker.ratio.toFixed(2)}×`,
          target: `≤ ${PS_TARGET}×`,
          met: psVsDocker.ratio <= PS_TARGET,
        },
        {
          id: `cli-${name}-status-target`,
          title: `${name}: \`--json status\` / \`docker -H ssh:// ps\`, from a cold start`,
          value: `${statusVsDocker.ratio.toFixed(2)}×`,
          target: `≤ ${STATUS_TARGET}×`,
          met: statusVsDocker.ratio <= STATUS_TARGET,
        },
        {
          id: `cli-${name}-floor`,
          title: `${name}: the floor, OpenSSH's one handshake and round trip (\`ssh HOST true\`)`,
          value: `${sshTrue.summary.median.toFixed(0)} ms; \`--json ps\` is ${(ps.summary.median - sshTrue.summary.median).toFixed(0)} ms above it (${(ps.summary.median / sshTrue.summary.median).toFixed(2)}×)`,
        },
      );
      for (const command of ['ps', 'status'] as const) {
        const { steps, partial } = medianTimeline(of(command).map((s) => s.steps ?? []));
        for (const step of steps) {
          if (step.name === 'spawned') continue;
          facts.push({
            id: `cli-${name}-${command}-step-${step.name}`,
            title: `${name}, \`${command}\` breakdown: ${describeStep(step.name)}`,
            value: `+${step.gapMs.toFixed(1)} ms (at ${step.offsetMs.toFixed(1)} ms)`,
          });
        }
        if (partial.length > 0) notes.push(`${name}, ${command}: steps not in every run, left out of the breakdown: ${partial.join(', ')}.`);
      }
      facts.push(...(await readOnHost(lab, name)));
      const listed = (key: string) => middle(of(key).map((s) => s.containers ?? -1));
      notes.push(`${name}: \`docker-firewall --json ps\` listed ${listed('ps')} containers, \`docker ps --all\` ${listed('docker')}.`);
    }
  } finally {
    docker.dispose();
    rmSync(cacheHome, { recursive: true, force: true });
  }
  return {
    id: 'cli',
    title: 'The CLI as a process, from a cold start',
    method: [
      'Each run is a new process started from this machine as a script would: `node dist/cli.js --ssh-config <lab config> --json ps|status HOST` ' +
        '(a new SSH connection, ssh config, known_hosts and key read every time), timed from just before spawn to its exit. ' +
        'Side by side: `docker -H ssh://HOST ps --all` (containers only), `ssh HOST true` (the floor: one OpenSSH handshake and one round trip) ' +
        'and `ssh HOST iptables-save` (what our firewall read stands beside), all new processes.',
      'Ours runs with DOCKER_FIREWALL_TRACE=1: the CLI records when each phase ended (`performance.mark`, a boolean test when off) and prints ' +
        'the marks to stderr at exit. The breakdown is the median, over the runs, of when each phase ended after the spawn and of the time since ' +
        'the phase before; remote calls run in parallel, so their times overlap.',
      'The CLI loads its bundle with the V8 code cache its first run writes (src/cli/compileCache.ts; Node 20 has no built-in compile cache): ' +
        'the warm-up round writes it in a folder of this run, the measured runs use it. `ps` without it (DOCKER_FIREWALL_COMPILE_CACHE=0, ' +
        'what the very first run costs) is measured in the same rounds.',
      'Then, on each host itself (its namespaces, no SSH), the read script alone and the programs in it that cost the most, each alone, ' +
        "with the time nsenter itself takes taken off: the part of a run spent on the host after the login, and what it is made of.",
    ],
    comparisons,
    facts,
    notes,
  };
}
