import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, loadLab, onHost, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson } from '../../support/cli';
import { labEngine } from '../../support/engine';
import { probe, probeBlocked, type BlockedVerdict, type PortProbe } from '../../support/probes';
import { sleep } from '../../support/faults';
import { labReason, unmet } from '../../support/requirements';
import { changes } from '../../../src/core/hosts/firewallEngine';

/**
 * A real Docker 29 with its nftables firewall backend (no DOCKER-USER chain, nothing of Docker's in
 * iptables): the lockdown goes into tables of our own, ip and ip6 docker_firewall, whose base chains
 * hook forward and input before Docker's. Judged by connections from outside over IPv4 and IPv6,
 * each silence beside the host's sshd answering the same client (test/support/probes.ts); Docker's
 * own tables must come out of every step exactly as they went in.
 */
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const host: LabHost | undefined = lab?.hosts.find((h) => h.firewallBackend === 'nftables');
const skip = unmet(
  'Docker 29 with the nftables backend locked in its own nftables table',
  labReason({ outside: true }) || (host === undefined ? `lab ${lab!.name} has no Docker 29-nft host: up --docker 20,28,29,29-nft,28+legacy` : false),
);

const LATE = { network: 'dfwtest-nftlate', container: 'dfwtest-nftlate', port: 8093 };
/** What the watcher may take to cover a network made after Block (it follows docker events). */
const WATCHER_DEADLINE_MS = 45_000;
const FAMILIES = ['ipv4', 'ipv6'] as const;

interface StatusJson {
  locked: boolean;
  lockdownBackend: string;
  ports: { container: string; hostIp: string; hostPort: number; proto: string; exposure: string }[];
  warnings: { code: string; message: string }[];
  persistence: { state: string };
}

describe(`Docker 29 with the nftables backend (${host?.name ?? 'no such host'})`, { skip }, () => {
  const out = () => lab!.outside.ns;
  const reach = (p: PortProbe): Promise<BlockedVerdict> => probeBlocked(out(), host!, p);
  const status = () => dockerFirewallJson<StatusJson>(['status', host!.name]);
  const exposures = (s: StatusJson, container: string) => [...new Set(s.ports.filter((p) => p.container === container).map((p) => p.exposure))];
  const ok = async (args: string[]) => {
    const result = await dockerFirewall(args);
    assert.equal(result.code, 0, `docker-firewall ${args.join(' ')}: ${result.stderr}`);
    return result;
  };
  const onHostOk = async (argv: string[]) => {
    const result = await onHost(host!, argv, { timeoutMs: 60_000 });
    assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  /** Docker's tables as nft lists them, counters aside: what no step of ours may change. */
  const dockerTables = async () =>
    (await onHostOk(['sh', '-c', 'nft list table ip docker-bridges; nft list table ip6 docker-bridges'])).replace(/counter packets \d+ bytes \d+/g, 'counter');
  const ourTables = async () => (await onHostOk(['nft', 'list', 'tables'])).split('\n').filter((l) => l.includes('docker_firewall'));
  const cleanUp = async () => {
    await dockerFirewall(['unblock', host!.name]);
    await onHost(host!, ['docker', 'rm', '--force', LATE.container]);
    await onHost(host!, ['docker', 'network', 'rm', LATE.network]);
  };
  let dockerBefore = '';

  before(async () => {
    await cleanUp();
    dockerBefore = await dockerTables();
  });
  after(cleanUp);

  test('open: web answers from outside over IPv4 and IPv6, and is called exposed', async () => {
    for (const family of FAMILIES) assert.equal(await probe(out(), host!, { port: 8080, family }), 'open', family);
    const s = await status();
    assert.equal(s.lockdownBackend, 'nftables');
    assert.deepEqual(exposures(s, 'web'), ['exposed']);
    assert.deepEqual(await ourTables(), []);
  });

  test('Block: every published port silent from outside over both families (sshd answering), called blocked; only our tables are new', async () => {
    await ok(['block', host!.name]);
    for (const family of FAMILIES) {
      assert.equal(await reach({ port: 8080, family }), 'timeout', `${family} 8080`);
      assert.equal(await reach({ port: 8081, family }), 'timeout', `${family} 8081`);
    }
    const s = await status();
    assert.equal(s.locked, true);
    for (const container of ['web', 'app', 'dns']) assert.deepEqual(exposures(s, container), ['blocked'], container);
    assert.deepEqual(s.warnings.map((w) => w.code), ['not-persistent']);
    assert.deepEqual((await ourTables()).sort(), ['table ip docker_firewall', 'table ip6 docker_firewall']);
    assert.equal(await dockerTables(), dockerBefore, "Docker's tables untouched");
    assert.doesNotMatch(await onHostOk(['iptables-save']), /PRE_DOCKER/, 'nothing of ours in iptables');
  });

  test('Allow opens the port over both families; taking it back closes it again', async () => {
    await ok(['allow', host!.name, '8080']);
    for (const family of FAMILIES) assert.equal(await reach({ port: 8080, family }), 'open', family);
    assert.equal(await reach({ port: 8081, family: 'ipv4' }), 'timeout', 'only the allowed port');
    assert.deepEqual(exposures(await status(), 'web'), ['allowed']);
    await ok(['deny', host!.name, '8080']);
    for (const family of FAMILIES) assert.equal(await reach({ port: 8080, family }), 'timeout', family);
  });

  test('a network and a port published after Block are covered by the watcher over both families, then called blocked', async (t) => {
    await onHostOk(['docker', 'network', 'create', '--ipv6', LATE.network]);
    await onHostOk(['docker', 'run', '--detach', '--name', LATE.container, '--label', `lab=${lab!.name}`, '--network', LATE.network, '--publish', `${LATE.port}:80`, 'lab/busybox:1', 'lab-page-server']);
    const started = Date.now();
    for (const family of FAMILIES) {
      let verdict = await reach({ port: LATE.port, family });
      while (verdict !== 'timeout' && Date.now() - started < WATCHER_DEADLINE_MS) {
        await sleep(500);
        verdict = await reach({ port: LATE.port, family });
      }
      assert.equal(verdict, 'timeout', `${family} ${LATE.port} still answered ${WATCHER_DEADLINE_MS} ms after its container started`);
    }
    t.diagnostic(`${LATE.port} silent from outside over both families ${Date.now() - started} ms after its container started`);
    assert.deepEqual(exposures(await status(), LATE.container), ['blocked']);
    // Positive control of the same path: allowed, it answers, so the silence above was the lockdown.
    await ok(['allow', host!.name, String(LATE.port)]);
    for (const family of FAMILIES) assert.equal(await reach({ port: LATE.port, family }), 'open', family);
    await ok(['deny', host!.name, String(LATE.port)]);
  });

  test('an accept put at the top of our forward chain: not final in nftables, Docker lets the port through; it is called unverified, and Block repairs it', async () => {
    await onHostOk(['nft', 'insert', 'rule', 'ip', 'docker_firewall', 'PRE_DOCKER', 'accept']);
    assert.equal(await reach({ port: 8080, family: 'ipv4' }), 'open', 'the accept skips our drop');
    assert.deepEqual(exposures(await status(), 'web').sort(), ['blocked', 'unverified'], 'IPv6 still blocked; IPv4 not called so');
    await ok(['block', host!.name]);
    assert.equal(await reach({ port: 8080, family: 'ipv4' }), 'timeout', 'repaired');
    assert.deepEqual(exposures(await status(), 'web'), ['blocked']);
  });

  test('a change planned from a stale read is refused by the compare-and-swap, read again and applied on top of the other change', async () => {
    const handle = labEngine(lab!, host!.name);
    try {
      const stale = await handle.engine.read();
      await ok(['allow', host!.name, '8081']);
      const report = await handle.engine.apply(changes.allow({ port: 8080, proto: 'tcp' }), { reading: stale });
      assert.ok(report.retries >= 1, `retries ${report.retries}`);
      const s = await status();
      assert.deepEqual(exposures(s, 'web'), ['allowed']);
      assert.deepEqual(exposures(s, 'app'), ['allowed'], 'the other change was kept');
      for (const port of [8080, 8081]) assert.equal(await reach({ port, family: 'ipv6' }), 'open', String(port));
    } finally {
      handle.close();
    }
    await ok(['block', host!.name]);
    await ok(['deny', host!.name, '8080']);
    await ok(['deny', host!.name, '8081']);
  });

  test('persist: our tables deleted by hand come back whole from the restore script, and block again', async () => {
    await ok(['persist', host!.name]);
    assert.equal((await status()).persistence.state, 'current');
    await onHostOk(['sh', '-c', 'nft delete table ip docker_firewall && nft delete table ip6 docker_firewall']);
    assert.equal(await probe(out(), host!, { port: 8080, family: 'ipv4' }), 'open', 'deleted: open');
    const s = await status();
    assert.ok(s.warnings.some((w) => w.code === 'lockdown-missing'), JSON.stringify(s.warnings));
    await onHostOk(['/usr/local/sbin/docker-firewall-restore']);
    for (const family of FAMILIES) assert.equal(await reach({ port: 8080, family }), 'timeout', family);
    assert.deepEqual(exposures(await status(), 'web'), ['blocked']);
  });

  test('Unblock deletes our two tables and nothing else: the ports answer again, Docker\'s tables as they were', async () => {
    await ok(['unblock', host!.name]);
    assert.deepEqual(await ourTables(), []);
    for (const family of FAMILIES) assert.equal(await probe(out(), host!, { port: 8080, family }), 'open', family);
    await onHost(host!, ['docker', 'rm', '--force', LATE.container]);
    await onHost(host!, ['docker', 'network', 'rm', LATE.network]);
    assert.equal(await dockerTables(), dockerBefore);
    assert.equal((await onHost(host!, ['test', '-e', '/etc/docker-firewall/rules.nft'])).code, 1, 'the saved tables are gone too');
  });
});
