import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { changes, type PolicyChange } from '../src/core/hosts/firewallEngine';
import { normalizeAllows, type Allow } from '../src/core/firewall/policy';
import { cpus } from 'node:os';
import { onHost, run, tcpConnect, type Lab } from '../test/support/lab';
import { probeBlocked } from '../test/support/probes';
import { hostNamed } from './lib/benchLab';
import { withHandles } from './lib/ours';
import { compare, retriedNotes, round, variant, type Comparison, type Fact, type Section } from './lib/results';
import { onHostOk } from './lockdown';
import { interleave, medianInterval, retryingLostExit, summarize } from './lib/stats';

const HOST = 'h6';
const IMAGE = 'bench/iperf3:1';
const CONTAINER = 'bench-iperf3';
const PORT = 5201;
const ROUNDS = 10;
const SECONDS = 3;
const OMIT_SECONDS = 1;

/** Allows for other ports, all below the measured one: a new connection to it walks past every one of them. */
function allowsWith(count: number): Allow[] {
  const others = Array.from({ length: count - 1 }, (_, i): Allow => ({ port: 1001 + i, proto: 'tcp' }));
  return normalizeAllows([...others, { port: PORT, proto: 'tcp' }]);
}

const exactly = (allows: readonly Allow[]): PolicyChange => () => ({ locked: true, allows });

/**
 * An image with iperf3 and the libraries it links, built from this machine's files the way
 * lab/lib/images.sh builds its socat image: no registry.
 */
async function buildIperfImage(lab: Lab): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dfwb-iperf3-'));
  try {
    const root = join(dir, 'rootfs');
    mkdirSync(join(root, 'bin'), { recursive: true });
    mkdirSync(join(root, 'tmp'));
    chmodSync(join(root, 'tmp'), 0o1777); // iperf3 keeps each stream's buffer in a file there
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/:/bin/iperf3\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    copyFileSync('/usr/bin/iperf3', join(root, 'bin/iperf3'));
    chmodSync(join(root, 'bin/iperf3'), 0o755);
    const ldd = await run(['ldd', '/usr/bin/iperf3']);
    for (const lib of ldd.stdout.match(/\/\S+/g) ?? []) {
      mkdirSync(join(root, dirname(lib)), { recursive: true });
      copyFileSync(realpathSync(lib), join(root, lib));
    }
    const tar = join(dir, 'rootfs.tar');
    const packed = await run(['tar', '-C', root, '-cf', tar, '.']);
    if (packed.code !== 0) throw new Error(`tar: ${packed.stderr}`);
    const result = await onHost(HOST, ['docker', 'import', '-', IMAGE], { lab, input: readFileSync(tar), timeoutMs: 60_000 });
    if (result.code !== 0) throw new Error(`${HOST}: docker import failed: ${result.stderr.trim()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface IperfResult {
  readonly gbits: number;
}

async function iperf(address: string): Promise<IperfResult> {
  const result = await run(
    ['iperf3', '--client', address, '--port', String(PORT), '--time', String(SECONDS), '--omit', String(OMIT_SECONDS), '--json', '--connect-timeout', '3000'],
    { timeoutMs: (SECONDS + OMIT_SECONDS + 15) * 1000 },
  );
  let parsed: { error?: string; end?: { sum_received?: { bits_per_second?: number } } };
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch {
    throw new Error(`iperf3 to ${address}:${PORT} printed no JSON (exit ${String(result.code)}): ${result.stderr.trim()}`);
  }
  const bps = parsed.end?.sum_received?.bits_per_second;
  if (parsed.error !== undefined || typeof bps !== 'number') throw new Error(`iperf3 to ${address}:${PORT}: ${parsed.error ?? 'no result'}`);
  return { gbits: bps / 1e9 };
}

/**
 * Forwarded throughput to a published container port, through the host's FORWARD path (DNAT to the
 * container on docker0): unlocked, and locked with 1, 10 and 100 allows (the measured port always
 * allowed, sorted last). Rounds alternate the four states so that drift falls on all of them.
 */
export async function measureThroughput(lab: Lab): Promise<Section> {
  const address = hostNamed(lab, HOST).ipv4;
  const notes: string[] = [];
  const facts: Fact[] = [];
  await buildIperfImage(lab);
  await onHostOk(lab, HOST, ['docker', 'run', '--detach', '--name', CONTAINER, '--publish', `${PORT}:${PORT}`, IMAGE, '/bin/iperf3', '--server']);
  try {
    return await withHandles(lab, [HOST], async ([handle]) => {
      const host = handle!.engine;
      const states: { key: string; change: PolicyChange; label: string }[] = [
        { key: 'open', change: changes.unblock(), label: 'unlocked' },
        { key: 'locked-1', change: exactly(allowsWith(1)), label: `locked, 1 allow (${PORT})` },
        { key: 'locked-10', change: exactly(allowsWith(10)), label: 'locked, 10 allows' },
        { key: 'locked-100', change: exactly(allowsWith(100)), label: 'locked, 100 allows' },
      ];
      // The server needs a moment after `docker run`.
      for (let i = 0; i < 50 && (await tcpConnect(lab.outside.ns, address, PORT, 1000)) !== 'open'; i++) await sleep(200);
      const retried: string[] = [];
      const apply = (change: PolicyChange) => retryingLostExit(() => host.apply(change), retried);
      const { samples, retried: again } = await interleave<number>(
        states.map(({ key, change }) => ({
          key,
          run: async () => {
            await apply(change);
            return (await iperf(address)).gbits;
          },
        })),
        { rounds: ROUNDS, warmup: 1, timeoutMs: 60_000, label: 'throughput' },
      );
      retried.push(...again);

      // With 100 allows, the chain really holds them all; with none, the port is really closed.
      await apply(exactly(allowsWith(100)));
      const chain = await onHostOk(lab, HOST, ['iptables', '-S', 'PRE_DOCKER']);
      const rules = chain.split('\n').filter((l) => l.startsWith('-A PRE_DOCKER ')).length;
      await apply(exactly([]));
      // 'timeout' only while the host's sshd answers the same client (the positive control).
      const closed = await probeBlocked(lab.outside.ns, hostNamed(lab, HOST), { port: PORT, family: 'ipv4' });
      notes.push(
        `Check: with 100 allows our IPv4 chain held ${rules} rules; locked with no allow, port ${PORT} was "${closed}" from outside ` +
          '(so "0 allows" has no throughput to measure: the port is closed, as it should be).',
      );
      if (closed !== 'timeout') notes.push('**The check above did not come out as expected.**');
      await apply(changes.unblock());

      const open = variant('unlocked', samples.get('open')!);
      const comparisons: Comparison[] = states
        .filter((s) => s.key !== 'open')
        .map((s) => compare(`throughput-${s.key}`, 'Forwarded TCP throughput (iperf3, 1 stream)', 'Gbit/s', variant(s.label, samples.get(s.key)!), open));
      // The target is about 100 allows; the other states have fewer rules, so a lower ratio there is noise.
      // Each locked run is paired with the unlocked run of its own round, which takes out slow drifts.
      const hundred = comparisons.find((c) => c.id === 'throughput-locked-100')!;
      const unlocked = samples.get('open')!;
      const paired = samples.get('locked-100')!.map((g, i) => g / unlocked[i]!);
      const pairedMedian = summarize(paired).median;
      const interval = medianInterval(paired);
      facts.push({
        id: 'throughput-100-ratio',
        title: 'Locked with 100 allows / unlocked: median of the per-round ratios (each locked run over the unlocked run of its round)',
        value:
          `${round(pairedMedian, 3)} (95% bootstrap interval ${round(interval.low, 3)}–${round(interval.high, 3)}; ` +
          `per-round ratios ${round(summarize(paired).min, 2)}–${round(summarize(paired).max, 2)}; ` +
          `ratio of medians ${round(hundred.ratio, 3)}: ${round(hundred.ours.summary.median, 2)} vs ${round(open.summary.median, 2)} Gbit/s)`,
        target: 'within a few percent (≥ 0.95)',
        met: pairedMedian >= 0.95,
      });
      notes.push(
        interval.low <= 1 && interval.high >= 1
          ? 'The interval of the paired ratio includes 1: no cost of the lockdown is detectable at this machine\'s noise level.'
          : `The interval of the paired ratio excludes 1: the lockdown cost this run about ${round((1 - pairedMedian) * 100, 1)}% of throughput.`,
      );
      const lowest = comparisons.reduce((a, b) => (b.ratio < a.ratio ? b : a));
      if (lowest !== hundred) {
        notes.push(
          `The lowest ratio this run was "${lowest.ours.label}" (${round(lowest.ratio, 3)}), below 100 allows (${round(hundred.ratio, 3)}), ` +
            'which has strictly more rules: the differences between the states are noise, not rule cost.',
        );
      }
      const spread = summarize(samples.get('open')!);
      notes.push(
        `Unlocked runs alone spread from ${round(spread.min, 2)} to ${round(spread.max, 2)} Gbit/s: differences smaller than that are noise of this shared ${cpus().length}-core machine.`,
      );
      return {
        id: 'throughput',
        title: 'Forwarded throughput through a locked host',
        method: [
          `iperf3 server in a container on ${HOST} (image built from this machine's iperf3 and its libraries), published on ${PORT}; ` +
            `the client runs in the outside namespace, so every packet is DNATed and forwarded by the host to docker0. ` +
            `${SECONDS} s per run after ${OMIT_SECONDS} s of TCP warm-up (\`--omit\`, not counted).`,
          'The other allows are for ports below the measured one, so the connection\'s first packet passes all of them; ' +
            'later packets match the first rule of our chain (RELATED,ESTABLISHED) and return at once.',
        ],
        comparisons,
        facts,
        notes: [...notes, ...retriedNotes(retried)],
        lostExitStatus: retried.length,
      };
    });
  } finally {
    await onHost(HOST, ['docker', 'rm', '--force', CONTAINER], { lab });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
