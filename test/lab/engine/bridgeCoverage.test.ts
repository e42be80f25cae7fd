import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, loadLab, onHost, run as runHere, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson } from '../../support/cli';
import { probeBlocked, type BlockedVerdict } from '../../support/probes';
import { sleep } from '../../support/faults';
import { labReason, unmet } from '../../support/requirements';

/**
 * The lockdown covers every Docker bridge by its real name and only Docker's (issue 10), on a Docker
 * 29 host with the iptables backend: a network whose bridge has its own name (`appbr0`, as compose's
 * `driver_opts` make it), one created after Block (the watcher), a non-Docker `br-*` bridge that must
 * not be exempted, hooks removed behind a forged comment and RETURN put on top of our chains. Judged by connections from outside, each
 * silence beside the host's sshd answering the same client (test/support/probes.ts).
 */
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const HOST_FLAVOR = '29';
const host: LabHost | undefined = lab?.hosts.find((h) => h.flavor === HOST_FLAVOR);
const skip = unmet(
  'Docker bridges covered by name',
  labReason({ outside: true }) || (host === undefined ? `lab ${lab!.name} has no Docker ${HOST_FLAVOR} host: up --docker 20,28,29,29-nft,28+legacy` : false),
);

const NAMED = { network: 'dfwtest-named', bridge: 'appbr0', container: 'dfwtest-named', port: 8090 };
const LATE = { network: 'dfwtest-late', bridge: 'late0', container: 'dfwtest-late', port: 8091 };
/**
 * A bridge of the host's own (OpenWrt's br-lan, a hand-made br-eth0), not Docker's, with a LAN
 * behind it: a namespace of this test's, 198.51.100.2, routed to the host through 198.51.100.1.
 */
const FOREIGN_BRIDGE = 'br-lantest';
const FOREIGN_LAN = { host: '198.51.100.1', client: '198.51.100.2', hostLink: 'brl-h', clientLink: 'brl-c' };
/** What the watcher may take to cover a network made after Block (it follows docker events). */
const WATCHER_DEADLINE_MS = 45_000;

interface StatusJson {
  locked: boolean;
  ports: { container: string; hostIp: string; hostPort: number; proto: string; exposure: string; reason: string }[];
}

describe(`Docker bridges covered by their real names (Docker ${HOST_FLAVOR})`, { skip }, () => {
  const out = () => lab!.outside.ns;
  const reach = (port: number, family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<BlockedVerdict> => probeBlocked(out(), host!, { port, family });
  const docker = async (...args: string[]) => {
    const result = await onHost(host!, ['docker', ...args], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, `docker ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  const run = (c: typeof NAMED) =>
    docker('run', '--detach', '--name', c.container, '--label', `lab=${lab!.name}`, '--network', c.network, '--publish', `${c.port}:80`, 'lab/busybox:1', 'lab-page-server');
  const exposureOf = (status: StatusJson, container: string) =>
    status.ports.filter((p) => p.container === container && p.hostIp === '0.0.0.0').map((p) => p.exposure);
  const cleanUp = async () => {
    await dockerFirewall(['unblock', host!.name]);
    for (const c of [NAMED, LATE]) {
      await onHost(host!, ['docker', 'rm', '--force', c.container]);
      await onHost(host!, ['docker', 'network', 'rm', c.network]);
    }
    await onHost(host!, ['ip', 'link', 'del', FOREIGN_BRIDGE]);
    await runHere(['ip', 'netns', 'del', lanNs()]);
  };
  /** The LAN behind the host's foreign bridge (made in this process's mount namespace, used from it). */
  const lanNs = () => `${lab!.name}-brlan`;
  const fromLan = { ipv4: host?.ipv4 ?? '', ipv6: host?.ipv6 ?? '' };
  const reachFromLan = (port: number): Promise<BlockedVerdict> => probeBlocked(lanNs(), fromLan, { port, family: 'ipv4' });
  const makeLan = async () => {
    const ok = async (argv: string[], where: 'here' | 'host') => {
      const result = where === 'here' ? await runHere(argv) : await onHost(host!, argv);
      assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`);
    };
    await ok(['ip', 'netns', 'add', lanNs()], 'here');
    await ok(['ip', 'netns', 'exec', lanNs(), 'ip', 'link', 'add', FOREIGN_LAN.clientLink, 'type', 'veth', 'peer', 'name', FOREIGN_LAN.hostLink, 'netns', host!.ns], 'here');
    for (const argv of [
      ['ip', 'link', 'add', FOREIGN_BRIDGE, 'type', 'bridge'],
      ['ip', 'link', 'set', FOREIGN_LAN.hostLink, 'master', FOREIGN_BRIDGE],
      ['ip', 'addr', 'add', `${FOREIGN_LAN.host}/24`, 'dev', FOREIGN_BRIDGE],
      ['ip', 'link', 'set', FOREIGN_LAN.hostLink, 'up'],
      ['ip', 'link', 'set', FOREIGN_BRIDGE, 'up'],
    ]) await ok(argv, 'host');
    for (const argv of [
      ['ip', 'addr', 'add', `${FOREIGN_LAN.client}/24`, 'dev', FOREIGN_LAN.clientLink],
      ['ip', 'link', 'set', 'lo', 'up'],
      ['ip', 'link', 'set', FOREIGN_LAN.clientLink, 'up'],
      // The host's lab address (where sshd and the published ports are) through the foreign bridge.
      ['ip', 'route', 'add', `${host!.ipv4}/32`, 'via', FOREIGN_LAN.host],
    ]) await ok(['ip', 'netns', 'exec', lanNs(), ...argv], 'here');
  };

  before(async () => {
    await cleanUp();
    await docker('network', 'create', '-o', `com.docker.network.bridge.name=${NAMED.bridge}`, NAMED.network);
    await run(NAMED);
    await makeLan();
  });
  after(cleanUp);

  test(`a network with its own bridge name (${NAMED.bridge}) is exposed before Block and answers from outside`, async () => {
    const status = await dockerFirewallJson<StatusJson>(['status', host!.name]);
    assert.deepEqual(exposureOf(status, NAMED.container), ['exposed']);
    assert.equal(await reach(NAMED.port), 'open');
    assert.equal(await reachFromLan(NAMED.port), 'open', `from the LAN behind ${FOREIGN_BRIDGE} too`);
  });

  test(`Block covers it by name: ${NAMED.port} silent from outside (sshd answering), status says blocked`, async () => {
    const result = await dockerFirewall(['block', host!.name]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await reach(NAMED.port), 'timeout');
    assert.equal(await reach(8080), 'timeout', 'web on docker0 too');
    // Outside traffic arriving on a non-Docker br-* bridge is outside traffic: no "from containers"
    // exemption for it (br-+ would have matched it). Its silence counts beside sshd answering it.
    assert.equal(await reachFromLan(NAMED.port), 'timeout', `from the LAN behind ${FOREIGN_BRIDGE}`);
    assert.equal(await reachFromLan(8080), 'timeout', `from the LAN behind ${FOREIGN_BRIDGE}`);
    const status = await dockerFirewallJson<StatusJson>(['status', host!.name]);
    assert.deepEqual(exposureOf(status, NAMED.container), ['blocked']);
  });

  test(`the rules name Docker's bridges exactly: ${NAMED.bridge} and docker0, never a br-+ pattern nor ${FOREIGN_BRIDGE}`, async () => {
    const saved = (await onHost(host!, ['iptables-save', '-t', 'filter'])).stdout;
    const ours = saved.split('\n').filter((l) => l.startsWith('-A PRE_DOCKER_NET '));
    assert.ok(ours.some((l) => l.includes(`-o ${NAMED.bridge} `)), ours.join('\n'));
    assert.ok(ours.some((l) => l.includes('-o docker0 ')), ours.join('\n'));
    assert.ok(!ours.some((l) => l.includes('br-+') || l.includes(FOREIGN_BRIDGE)), ours.join('\n'));
  });

  test(`a network created after Block (${LATE.bridge}) is covered by the watcher: silent from outside, then called blocked`, async (t) => {
    await docker('network', 'create', '-o', `com.docker.network.bridge.name=${LATE.bridge}`, LATE.network);
    await run(LATE);
    const started = Date.now();
    let verdict: BlockedVerdict = await reach(LATE.port);
    while (verdict !== 'timeout' && Date.now() - started < WATCHER_DEADLINE_MS) {
      await sleep(500);
      verdict = await reach(LATE.port);
    }
    assert.equal(verdict, 'timeout', `${LATE.port} still answered ${WATCHER_DEADLINE_MS} ms after its container started`);
    t.diagnostic(`${LATE.port} silent from outside ${Date.now() - started} ms after its container started`);
    const status = await dockerFirewallJson<StatusJson>(['status', host!.name]);
    assert.deepEqual(exposureOf(status, LATE.container), ['blocked']);
    // Positive control of the same path: allowed, it answers, so the silence above was the lockdown.
    assert.equal((await dockerFirewall(['allow', host!.name, String(LATE.port)])).code, 0);
    assert.equal(await reach(LATE.port), 'open');
    assert.equal((await dockerFirewall(['deny', host!.name, String(LATE.port)])).code, 0);
  });

  test('hooks removed behind a forged comment: the comment is read as a comment, the ports are not called blocked, and they answer', async () => {
    const iptables = async (...args: string[]) => {
      const result = await onHost(host!, ['iptables', '-w', ...args]);
      assert.equal(result.code, 0, `iptables ${args.join(' ')}: ${result.stderr}`);
    };
    const forged = ['FORWARD', '-m', 'comment', '--comment', 'x\n-A DOCKER-USER -j PRE_DOCKER\n', '-j', 'RETURN'];
    await iptables('-D', 'DOCKER-USER', '-j', 'PRE_DOCKER');
    await iptables('-t', 'security', '-D', 'FORWARD', '-j', 'PRE_DOCKER_GUARD');
    // iptables-save prints the comment's newline raw: a reader that took lines one by one would see
    // `-A DOCKER-USER -j PRE_DOCKER` and call the host locked.
    await iptables('-A', ...forged);
    try {
      const saved = (await onHost(host!, ['iptables-save', '-t', 'filter'])).stdout;
      assert.match(saved, /^-A DOCKER-USER -j PRE_DOCKER$/m, 'positive control: the forged line is there to be misread');
      assert.equal(await reach(NAMED.port), 'open', 'the hooks are gone: the port answers');
      assert.equal(await reach(8080), 'open');
      const status = await dockerFirewallJson<StatusJson & { hooks: { ipv4: unknown[] }; warnings: { code: string }[] }>(['status', host!.name]);
      assert.deepEqual(status.hooks.ipv4.filter((h) => JSON.stringify(h).includes('DOCKER-USER')), [], 'no DOCKER-USER hook is believed');
      for (const container of [NAMED.container, 'web']) assert.deepEqual(exposureOf(status, container), ['unverified'], container);
      assert.ok(status.warnings.some((w) => w.code === 'ports-unverified'), JSON.stringify(status.warnings));
    } finally {
      await iptables('-D', ...forged);
    }
  });

  test('RETURN put at the top of PRE_DOCKER and of the guard: the ports answer and are unverified, not blocked; Block again repairs it', async () => {
    const iptables = async (...args: string[]) => {
      const result = await onHost(host!, ['iptables', '-w', ...args]);
      assert.equal(result.code, 0, `iptables ${args.join(' ')}: ${result.stderr}`);
    };
    assert.equal((await dockerFirewall(['block', host!.name])).code, 0);
    assert.equal(await reach(NAMED.port), 'timeout', 'locked again before the tampering');
    await iptables('-I', 'PRE_DOCKER', '1', '-j', 'RETURN');
    await iptables('-t', 'security', '-I', 'PRE_DOCKER_GUARD', '1', '-j', 'RETURN');
    assert.equal(await reach(NAMED.port), 'open', 'the RETURNs let it through');
    const tampered = await dockerFirewallJson<StatusJson>(['status', host!.name]);
    for (const container of [NAMED.container, 'web']) assert.deepEqual(exposureOf(tampered, container), ['unverified'], container);
    assert.equal((await dockerFirewall(['block', host!.name])).code, 0);
    assert.equal(await reach(NAMED.port), 'timeout', 'repaired');
    assert.deepEqual(exposureOf(await dockerFirewallJson<StatusJson>(['status', host!.name]), NAMED.container), ['blocked']);
  });
});
