import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLabUp, labHost, loadLab, type Lab, type LabHost } from '../support/lab';
import { saveAll } from '../support/cli';
import { applyCount, cli, labEngine, policyKey, setPolicy, statusJsonOf, statusPolicyKey, type CliRun, type LoggedHost } from '../support/engine';
import { envCount, runSeed, seededRandom, sleep } from '../support/faults';
import { measure } from '../support/figures';
import { needsLab, needsRoot } from '../support/requirements';
import { ConcurrentChange } from '../../src/core/firewall/errors';
import { changes, FirewallEngine, type PolicyChange } from '../../src/core/hosts/firewallEngine';
import { withAllow, withoutAllow, type Allow, type Policy } from '../../src/core/firewall/policy';
import { DEFAULT_CHAIN, parseCidr } from '../../src/core/validate';
import type { CommandRunner, ExecResult } from '../../src/core/remote/remoteCommand';
import type { Inventory } from '../../src/core/docker/inventoryModel';
import { writeReport } from '../../scripts/reliability-report';

/**
 * Two clients change one host at the same moment. Each change is planned on a read and applied as a
 * compare-and-swap transaction: the loser's transaction is refused whole, it reads again and
 * retries, or reports ConcurrentChange. Whatever the interleaving, the host ends holding exactly
 * the rendering of a policy that contains every change reported done, and no rule twice.
 */
const skip = needsLab('concurrent clients', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
// Fewer rounds by default than a long run takes (RELIABILITY_*_ROUNDS=N): CI's time is bounded (README).
const CLI_ROUNDS = envCount('RELIABILITY_CLI_ROUNDS', 2);
const ENGINE_ROUNDS = envCount('RELIABILITY_ENGINE_ROUNDS', 4);
// More clients than the engine's attempts (4): with all of them reading at once, some must give up.
const CROWD = envCount('RELIABILITY_CROWD', 6, 12);
const SEED = runSeed();

const LOCKED: Policy = { locked: true, allows: [] };
const tcp = (port: number, from?: string): Allow => ({ port, proto: 'tcp', from: from === undefined ? undefined : parseCidr(from) });

interface Contender {
  readonly args: (host: string) => string[];
  readonly change: PolicyChange;
  /** The policy with this change applied to it (the changes of one round commute). */
  readonly apply: (p: Policy) => Policy;
}
const allowOf = (allow: Allow, args: string[]): Contender => ({ args: (h) => ['allow', h, ...args], change: changes.allow(allow), apply: (p) => withAllow(p, allow) });
const denyOf = (allow: Allow, args: string[]): Contender => ({ args: (h) => ['deny', h, ...args], change: changes.deny(allow), apply: (p) => withoutAllow(p, allow) });
const unblockOf = (): Contender => ({ args: (h) => ['unblock', h], change: changes.unblock(), apply: () => ({ locked: false, allows: [] }) });

interface Round {
  readonly start: Policy;
  readonly contenders: readonly Contender[];
}
function rounds(lab: Lab): Round[] {
  const udp: Allow = { port: 5353, proto: 'udp' };
  return [
    { start: LOCKED, contenders: [allowOf(tcp(8080), ['8080']), allowOf(tcp(8081), ['8081'])] },
    { start: LOCKED, contenders: [allowOf(tcp(8080), ['8080']), allowOf(udp, ['5353/udp'])] },
    { start: withAllow(LOCKED, tcp(8080)), contenders: [denyOf(tcp(8080), ['8080']), allowOf(tcp(8081), ['8081'])] },
    {
      start: LOCKED,
      contenders: [
        allowOf(tcp(8081, `${lab.outside.ipv4}/32`), ['8081', '--from', `${lab.outside.ipv4}/32`]),
        allowOf(tcp(8081, `${lab.outside2.ipv6}/128`), ['8081', '--from', `${lab.outside2.ipv6}/128`]),
      ],
    },
  ];
}

/** Our chains' lines in an iptables-save, per family; a rule written twice shows up here. */
function duplicateRules(save: string): string[] {
  const seen = new Set<string>();
  const dup: string[] = [];
  let family = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('## ')) family = line;
    if (!/^-A PRE_DOCKER(_PROXY|_GUARD)? /.test(line) && !/-j PRE_DOCKER(_PROXY|_GUARD)?$/.test(line)) continue;
    const key = `${family} ${line}`;
    if (seen.has(key)) dup.push(key);
    seen.add(key);
  }
  return dup;
}

const isConflict = (r: CliRun) => r.code === 1 && /kept changing while this change was applied/.test(r.stderr);

// On h2 (Docker 28) only: what is tested is our iptables-restore transaction and its compare-and-swap,
// which no Docker version changes; one host keeps the whole test run under 45 minutes (README, Tests).
for (const name of ['h2']) {
  describe(`concurrent changes on ${name}`, { skip }, () => {
    let host: LabHost;
    let direct: LoggedHost;

    before(async () => {
      host = labHost(lab!, name);
      direct = labEngine(lab!, name);
      await setPolicy(direct, { locked: false, allows: [] });
    });
    after(async () => {
      await setPolicy(direct, { locked: false, allows: [] }).catch(() => undefined);
      direct?.close();
      writeReport();
    });

    /** The host holds exactly the rendering of `expected`, nothing twice (duplicate rules are counted into figures before the check). */
    async function assertExactly(expected: Policy, context: string, figures: { duplicates: number }): Promise<void> {
      const status = await statusJsonOf(direct);
      const duplicates = duplicateRules(await saveAll(host.name));
      figures.duplicates += duplicates.length;
      assert.equal(statusPolicyKey(status), policyKey(expected), `${context}: status`);
      assert.deepEqual(duplicates, [], `${context}: duplicate rules`);
      const again = await direct.engine.apply(() => expected);
      assert.equal(again.applied, false, `${context}: the rules differ from the rendering of ${policyKey(expected)}`);
      assert.deepEqual(status.warnings.filter((w) => w.code === 'drift-modified'), [], context);
    }

    test(`${CLI_ROUNDS} rounds of two CLIs, from both outside namespaces at once (seed ${SEED})`, async () => {
      await measure(lab!, 'concurrency', host, { case: 'cli, out and out2', setup: { seed: SEED, roundsPlanned: CLI_ROUNDS } }, async (f) => {
        const random = seededRandom(SEED);
        const figures = Object.assign(f, { rounds: 0, both: 0, conflicts: 0, retries: 0, duplicates: 0 });
        const plan = rounds(lab!);
        for (let i = 0; i < CLI_ROUNDS; i++) {
          const round = plan[i % plan.length]!;
          await setPolicy(direct, round.start);
          const [a, b] = round.contenders as [Contender, Contender];
          const stagger = Math.floor(random() * 80);
          const [ra, rb] = await Promise.all([
            cli(a.args(name), { ns: lab!.outside.ns }),
            sleep(stagger).then(() => cli(b.args(name), { ns: lab!.outside2.ns })),
          ]);
          const context = `round ${i} (${a.args(name).join(' ')} ‖ ${b.args(name).join(' ')} +${stagger} ms)`;
          for (const r of [ra, rb]) assert.ok(r.code === 0 || isConflict(r), `${context}: exit ${String(r.code)}: ${r.stderr}`);
          let expected = round.start;
          if (ra.code === 0) expected = a.apply(expected);
          if (rb.code === 0) expected = b.apply(expected);
          figures.conflicts += [ra, rb].filter(isConflict).length;
          figures.retries += Math.max(0, applyCount(ra.commands) - 1) + Math.max(0, applyCount(rb.commands) - 1);
          await assertExactly(expected, context, figures);
          figures.rounds++;
          if (ra.code === 0 && rb.code === 0) figures.both++;
        }
      });
    });

    test(`${ENGINE_ROUNDS} rounds of two or three engines with warm connections, reading at the same moment`, async () => {
      await measure(lab!, 'concurrency', host, { case: 'engines, warm connections', setup: { roundsPlanned: ENGINE_ROUNDS } }, async (f) => {
        const engines = [labEngine(lab!, name), labEngine(lab!, name), labEngine(lab!, name)];
        const figures = Object.assign(f, { rounds: 0, both: 0, conflicts: 0, retries: 0, maxRetries: 0, duplicates: 0 });
        try {
          await Promise.all(engines.map((e) => e.engine.status()));
          const plan: Round[] = [
            ...rounds(lab!),
            { start: LOCKED, contenders: [allowOf(tcp(8080), ['8080']), allowOf(tcp(8081), ['8081']), allowOf({ port: 5353, proto: 'udp' }, ['5353/udp'])] },
            // Unblock deletes our chains while the other transaction refills them.
            { start: withAllow(LOCKED, tcp(8080)), contenders: [unblockOf(), allowOf(tcp(8081), ['8081'])] },
            { start: withAllow(LOCKED, tcp(8080)), contenders: [allowOf(tcp(8081), ['8081']), unblockOf()] },
          ];
          for (let i = 0; i < ENGINE_ROUNDS; i++) {
            const round = plan[i % plan.length]!;
            await setPolicy(direct, round.start);
            const outcomes = await Promise.allSettled(round.contenders.map((c, k) => engines[k]!.engine.apply(c.change)));
            let expected = round.start;
            outcomes.forEach((o, k) => {
              if (o.status === 'fulfilled') {
                expected = round.contenders[k]!.apply(expected);
                figures.retries += o.value.retries;
                figures.maxRetries = Math.max(figures.maxRetries, o.value.retries);
              } else {
                assert.ok(o.reason instanceof ConcurrentChange, `round ${i}: ${String(o.reason)}`);
                figures.conflicts++;
              }
            });
            await assertExactly(expected, `engine round ${i}`, figures);
            figures.rounds++;
            if (outcomes.every((o) => o.status === 'fulfilled')) figures.both++;
          }
        } finally {
          for (const e of engines) e.close();
        }
        assert.ok(figures.retries > 0, 'simultaneous reads made at least one transaction be refused and retried');
      });
    });

    test(`${CROWD} engines, then 4 CLIs, at once: those that run out of retries say so (ConcurrentChange, exit 1); the rest all stand`, async () => {
      await measure(lab!, 'concurrency', host, { case: `${CROWD} clients at once`, setup: { engines: CROWD, clis: Math.min(CROWD, 4) } }, async (f) => {
        const figures = Object.assign(f, { rounds: 0, clients: 0, applied: 0, conflicts: 0, maxRetries: 0, duplicates: 0 });
        const ports = Array.from({ length: CROWD }, (_, i) => 9100 + i);
        // Engines, warm: all read at once, so each round of retries has one winner.
        const engines = ports.map(() => labEngine(lab!, name));
        try {
          await Promise.all(engines.map((e) => e.engine.status()));
          await setPolicy(direct, LOCKED);
          const outcomes = await Promise.allSettled(engines.map((e, i) => e.engine.apply(changes.allow(tcp(ports[i]!)))));
          let expected = LOCKED;
          outcomes.forEach((o, i) => {
            if (o.status === 'fulfilled') {
              expected = withAllow(expected, tcp(ports[i]!));
              figures.applied++;
              figures.maxRetries = Math.max(figures.maxRetries, o.value.retries);
            } else {
              assert.ok(o.reason instanceof ConcurrentChange, String(o.reason));
              assert.match(o.reason.message, /kept changing while this change was applied \(another client\?\)/);
              figures.conflicts++;
            }
          });
          await assertExactly(expected, `${CROWD} engines`, figures);
          figures.rounds++;
          figures.clients += CROWD;
        } finally {
          for (const e of engines) e.close();
        }
        // The command line, from both outside namespaces (fewer: each is a Node process on the client).
        await setPolicy(direct, LOCKED);
        const cliPorts = ports.slice(0, Math.min(CROWD, 4));
        const runs = await Promise.all(cliPorts.map((port, i) => cli(['allow', name, String(port)], { ns: i % 2 === 0 ? lab!.outside.ns : lab!.outside2.ns })));
        let expected = LOCKED;
        runs.forEach((r, i) => {
          assert.ok(r.code === 0 || isConflict(r), `exit ${String(r.code)}: ${r.stderr}`);
          if (r.code === 0) {
            expected = withAllow(expected, tcp(ports[i]!));
            figures.applied++;
          } else figures.conflicts++;
          figures.maxRetries = Math.max(figures.maxRetries, applyCount(r.commands) - 1);
      });
      await assertExactly(expected, `${cliPorts.length} CLIs`, figures);
      figures.rounds++;
      figures.clients += cliPorts.length;
      });
    });
  });
}

/**
 * iptables-legacy serialises its users with /run/xtables.lock; our transactions wait for it (-w)
 * instead of failing. Run in a throwaway namespace with a private /run, so the lock held is not
 * this machine's.
 */
describe('the xtables lock held by another process', { skip: needsRoot('the xtables lock held by another process') }, () => {
  const ns = `dfwrel-lock-${process.pid}`;
  let runDir: string;
  const inNs = (argv: readonly string[]) => ['ip', 'netns', 'exec', ns, 'unshare', '--mount', 'sh', '-c', 'mount --bind "$1" /run && shift && exec "$@"', 'sh', runDir, ...argv];
  const runner: CommandRunner = {
    exec(argv, options): Promise<ExecResult> {
      const r = spawnSync(inNs(argv)[0]!, inNs(argv).slice(1), { encoding: 'utf8', input: options?.stdin ?? '' });
      return Promise.resolve({ stdout: r.stdout, stderr: r.stderr, code: r.status });
    },
  };
  const inventory: Inventory = {
    docker: { version: '20.10.24', apiVersion: '1.41', firewallBackend: undefined },
    networks: [],
    containers: [{ id: 'a', name: 'web', image: 'lab/busybox:1', state: 'running', status: 'Up', networkMode: 'bridge', networks: [], ports: [{ container: 'web', hostIp: '::', hostPort: 8080, containerPort: 80, proto: 'tcp' }] }],
  };

  before(() => {
    runDir = mkdtempSync(join(tmpdir(), 'dfw-run-'));
    spawnSync('ip', ['netns', 'add', ns]);
    for (const bin of ['iptables-legacy', 'ip6tables-legacy']) {
      for (const args of [['-N', 'DOCKER-USER'], ['-N', 'DOCKER'], ['-A', 'FORWARD', '-j', 'DOCKER-USER'], ['-A', 'DOCKER-USER', '-j', 'RETURN']]) {
        const r = spawnSync(inNs([bin, ...args])[0]!, inNs([bin, ...args]).slice(1), { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      }
    }
  });
  after(() => {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(runDir, { recursive: true, force: true });
    writeReport();
  });

  test('an apply waits for the lock and then succeeds whole', async () => {
    const holdSeconds = 1.5;
    await measure(lab ?? { name: 'none' }, 'concurrency', undefined, { case: 'xtables lock (legacy)', setup: { lockHeldFor: `${holdSeconds} s (sleep under flock)` } }, async (f) => {
      // The holder prints the clock when it has the lock and when it lets go (the runner here is
      // synchronous, so Node cannot see the holder end while the apply runs: the holder says it).
      const argv = inNs(['flock', '/run/xtables.lock', 'sh', '-c', `echo locked $(date +%s%3N); sleep ${holdSeconds}; echo unlocking $(date +%s%3N)`]);
      const holder = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      holder.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const closed = new Promise<void>((resolve) => (holder.exitCode !== null ? resolve() : holder.once('close', () => resolve())));
      const report = await new FirewallEngine(runner, () => Promise.resolve(inventory), DEFAULT_CHAIN).apply(changes.block());
      const applied = Date.now();
      await closed;
      const lockedAt = Number(/locked (\d+)/.exec(out)?.[1]);
      const unlockedAt = Number(/unlocking (\d+)/.exec(out)?.[1]);
      assert.ok(lockedAt > 0 && unlockedAt > 0, `the holder did not report its times: ${out}`);
      // Measured: how long the lock was held, and how long after it was taken the apply finished.
      f.lockHeldMs = unlockedAt - lockedAt;
      f.applyDoneAfterLockMs = applied - lockedAt;
      f.appliedAfterRelease = applied >= unlockedAt;
      f.applied = report.applied;
      assert.equal(report.applied, true);
      assert.ok(f.appliedAfterRelease, `the apply finished ${unlockedAt - applied} ms before the holder let go of the lock`);
      const save = spawnSync(inNs(['iptables-legacy-save', '-t', 'filter'])[0]!, inNs(['iptables-legacy-save', '-t', 'filter']).slice(1), { encoding: 'utf8' }).stdout;
      assert.match(save, /-A DOCKER-USER -j PRE_DOCKER/);
    });
  });
});
