import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, labCommand, labHost, loadLab, onHost, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson } from '../../support/cli';
import { assertEvidence, hammer, probe, probeBlocked, probeOpen, sshControl, type PortProbe } from '../../support/probes';
import { needsLab, needsTool } from '../../support/requirements';
import { FOLLOW_PID, FOLLOW_SCRIPT } from '../../../src/core/firewall/firewalldFollower';

/**
 * Debian's firewalld running on a Docker host, started before dockerd as systemd orders them, so
 * that Docker hands its bridges to firewalld's `docker` zone (issue 14). Measured here first: a
 * `firewall-cmd --reload` empties every iptables table, Docker puts back its own chains on
 * firewalld's Reloaded signal, and a lockdown that is not persistent is gone — the port answers from
 * outside again. Status warns of it beforehand; a persistent lockdown installs a follower of
 * firewalld's signals that puts the lockdown back, and a hammer from outside during reloads shows
 * whether anything got through meanwhile.
 *
 * firewalld and its own D-Bus system bus run in h2's namespaces (its /run is private: the bus socket
 * /run/dbus/system_bus_socket is h2's alone), with a private copy of /etc/firewalld
 * (--system-config), so nothing of this machine's own configuration changes; dockerd is restarted
 * with firewalld running, and again without it afterwards.
 */
const skip = needsLab('firewalld on a Docker host', { outside: true }) || needsTool('firewalld', 'firewalld on a Docker host') || needsTool('dbus-daemon', 'firewalld on a Docker host');
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const HOST = 'h2';
const STATE = '/run/docker-firewall-firewalld-test';
const PORT: PortProbe = { port: 8080, family: 'ipv4' };
const RELOADS = 2;

interface StatusJson {
  locked: boolean;
  persistence: { state: string; firewalldFollower?: boolean };
  warnings: { code: string; message: string }[];
}

async function onHostOk(host: LabHost, script: string): Promise<string> {
  const result = await onHost(host, ['sh', '-c', script]);
  assert.equal(result.code, 0, `${script}: ${result.stderr}`);
  return result.stdout.trim();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe(`${HOST} with firewalld running, Docker in its docker zone`, { skip }, () => {
  let host: LabHost;
  const status = () => dockerFirewallJson<StatusJson>(['status', HOST], { lab });
  const firewallCmd = (...args: string[]) => onHost(host, ['firewall-cmd', ...args]);
  const running = async () => (await firewallCmd('--state')).stdout.trim() === 'running';
  const startFirewalld = async () => {
    await onHostOk(
      host,
      `setsid firewalld --nofork --nopid --system-config ${STATE}/etc-firewalld --log-target console </dev/null >>${STATE}/firewalld.log 2>&1 & echo $! >${STATE}/firewalld.pid`,
    );
    await until('firewalld answers on the bus', running);
  };
  const stopFirewalld = async () => {
    await onHost(host, ['sh', '-c', `[ -f ${STATE}/firewalld.pid ] && kill -TERM "$(cat ${STATE}/firewalld.pid)"; rm -f ${STATE}/firewalld.pid`]);
    await until('firewalld stopped', async () => (await firewallCmd('--state')).code !== 0);
  };

  before(async () => {
    host = labHost(lab!, HOST);
    await onHostOk(host, `rm -rf ${STATE} && mkdir -p ${STATE} /run/dbus && cp -a /etc/firewalld ${STATE}/etc-firewalld && rm -f /run/dbus/pid && dbus-daemon --system --fork --print-pid >${STATE}/dbus.pid`);
    await startFirewalld();
    // dockerd finds firewalld only when it starts, as after firewalld at boot.
    const restarted = await labCommand(['restart-docker', HOST], { lab });
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.match((await firewallCmd('--get-active-zones')).stdout, /^docker\n\s+interfaces: .*docker0/m, 'Docker put its bridges in the docker zone');
  });

  after(async () => {
    await dockerFirewall(['unblock', HOST], { lab });
    if (host === undefined) return;
    await stopFirewalld().catch(() => undefined);
    await onHost(host, ['sh', '-c', `[ -f ${STATE}/dbus.pid ] && kill -TERM "$(cat ${STATE}/dbus.pid)"; rm -rf ${STATE} /run/dbus/pid`]);
    // Docker's own rules again, without firewalld (its stop left them to Docker's reload handler).
    await labCommand(['restart-docker', HOST], { lab });
  });

  test('firewalld does not stop what Docker publishes: the port answers from outside', async () => {
    assert.equal(await probeOpen(lab!.outside.ns, host, PORT), 'open');
    assert.equal((await status()).locked, false);
  });

  test('Block, not persistent: silent from outside beside sshd answering; status warns that a firewalld reload removes it', async () => {
    const blocked = await dockerFirewall(['block', HOST], { lab });
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.equal(await probeBlocked(lab!.outside.ns, host, PORT), 'timeout');
    const now = await status();
    assert.equal(now.locked, true);
    assert.match(now.warnings.find((w) => w.code === 'firewalld-reload')?.message ?? '', /^firewalld runs on this host: a firewall-cmd --reload .*Make the lockdown persistent/, JSON.stringify(now.warnings));
  });

  test('firewall-cmd --reload takes the lockdown that is not persistent away: the port answers again, and status says the host is open', async () => {
    assert.equal((await firewallCmd('--reload')).code, 0);
    assert.equal(await probeOpen(lab!.outside.ns, host, PORT), 'open');
    const now = await status();
    assert.equal(now.locked, false);
    assert.equal(now.persistence.state, 'none');
  });

  test(`Block and persist: the follower runs; ${RELOADS} reloads hammered from outside let nothing through, and the lockdown is in force after each`, async () => {
    assert.equal((await dockerFirewall(['block', HOST], { lab })).code, 0);
    const persisted = await dockerFirewallJson<{ firewalld: string }>(['persist', HOST], { lab });
    assert.equal(persisted.firewalld, 'process', 'no systemd in the lab: the follower runs in its own session');
    const before = await status();
    assert.equal(before.persistence.firewalldFollower, true, JSON.stringify(before.persistence));
    assert.equal(before.warnings.some((w) => w.code === 'firewalld-reload'), false, JSON.stringify(before.warnings));
    for (let i = 1; i <= RELOADS; i++) {
      const watched = await hammer(lab!.outside.ns, host, { blocked: PORT, control: sshControl('ipv4') }, async () => {
        assert.equal((await firewallCmd('--reload')).code, 0);
        // Until the follower's last restore has run (it runs once more 2 s after Docker is back).
        await new Promise((resolve) => setTimeout(resolve, 4000));
      });
      assertEvidence(watched, `reload ${i}`);
      assert.equal(watched.opened, 0, `reload ${i}: ${watched.opened} connections got through (first at ${String(watched.firstOpenedAt)}, last at ${String(watched.lastOpenedAt)})`);
      const now = await status();
      assert.equal(now.locked, true, `reload ${i}: ${JSON.stringify(now.warnings)}`);
      assert.equal(now.warnings.some((w) => w.code === 'lockdown-missing' || w.code === 'drift-modified'), false, JSON.stringify(now.warnings));
    }
  });

  test('a restart of firewalld (stop, start): the follower puts the lockdown back once firewalld is on the bus again', async () => {
    await stopFirewalld();
    await startFirewalld();
    await until('the lockdown back after the restart', async () => (await status()).locked);
    assert.equal(await probeBlocked(lab!.outside.ns, host, PORT), 'timeout');
    assert.equal(await probe(lab!.outside.ns, host, sshControl('ipv4')), 'open');
  });

  test('Unblock: the follower stops and its script is gone; a reload then leaves the host open, as asked', async () => {
    const pid = await onHostOk(host, `cat ${FOLLOW_PID}`);
    assert.match(pid, /^\d+$/);
    assert.equal((await dockerFirewall(['unblock', HOST], { lab })).code, 0);
    await until('the follower gone', async () => (await onHost(host, ['kill', '-0', pid])).code !== 0, 10_000);
    assert.notEqual((await onHost(host, ['test', '-e', FOLLOW_SCRIPT])).code, 0);
    assert.equal((await firewallCmd('--reload')).code, 0);
    assert.equal(await probeOpen(lab!.outside.ns, host, PORT), 'open');
    assert.equal((await status()).locked, false);
  });
});
