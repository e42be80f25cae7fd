import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, loadLab, labHost, onHost, httpGet, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson } from '../../support/cli';
import { probeBlocked, type BlockedVerdict } from '../../support/probes';
import { sleep } from '../../support/faults';
import { needsLab } from '../../support/requirements';

/**
 * A rootless Docker daemon (issue 12): the lab runs one on h1 for user `rootless` beside the root
 * dockerd (Debian's rootlesskit with slirp4netns and the builtin port driver, started by docker.io's
 * dockerd-rootless.sh; lab/lib/rootless.sh). Its published port is a socket of rootlesskit on the
 * host, reached on INPUT: the CLI names it `rootless` with the path `host-socket`, Block makes it
 * silent from outside over IPv4 and IPv6 while sshd (the positive control) answers, Allow opens it
 * and Unblock leaves it open with no rule of ours. The root daemon knows nothing of it: only the
 * host's sockets show it. The watcher follows the root daemon's events only, but it looks at the
 * host's listening sockets once a second: a port the rootless daemon publishes after Block is
 * covered by it within seconds, without any client action.
 */
const skip = needsLab('a rootless Docker daemon', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const NAME = 'h1';
const CONTAINER = 'dfwtest-rootless';
const PORT = 8097;
/** Published by the rootless daemon after Block. */
const LATE = { container: 'dfwtest-rootless-late', port: 8098 };
const FAMILIES = ['ipv4', 'ipv6'] as const;

interface PortJson {
  container: string;
  hostIp: string;
  hostPort: number;
  proto: string;
  exposure: string;
  reason: string;
  origin: string;
  path: string;
}

describe(`rootless Docker on ${NAME}`, { skip }, () => {
  let host: LabHost;
  const out = () => lab!.outside.ns;
  /** Both families at once: [IPv4, IPv6]. */
  const reach = (port = PORT): Promise<BlockedVerdict[]> => Promise.all(FAMILIES.map((family) => probeBlocked(out(), host, { port, family })));
  const rootlessDocker = (args: readonly string[]) => onHost(host, ['docker', '--host', `unix://${host.rootlessDockerSocket!}`, ...args], { timeoutMs: 60_000 });
  const statusPorts = async (): Promise<PortJson[]> => (await dockerFirewallJson<{ ports: PortJson[] }>(['status', NAME])).ports.filter((p) => p.proto === 'tcp');
  const ports = async (port = PORT): Promise<PortJson[]> => (await statusPorts()).filter((p) => p.hostPort === port);
  const exposuresIn = (list: readonly PortJson[], port: number) => [...new Set(list.filter((p) => p.hostPort === port).map((p) => p.exposure))];
  const publish = async (container: string, port: number) => {
    await rootlessDocker(['rm', '--force', container]);
    const started = await rootlessDocker(['run', '--detach', '--name', container, '--init', '--env', `LAB_HOST=${NAME}`, '--env', `LAB_CONTAINER=${container}`, '--publish', `${port}:80`, 'lab/busybox:1', 'lab-page-server']);
    assert.equal(started.code, 0, started.stderr);
    const listening = async () => (await onHost(host, ['ss', '-Hltnp', `sport = :${port}`])).stdout;
    for (let i = 0; i < 40 && !(await listening()).includes('rootlesskit'); i++) await sleep(250);
    assert.match(await listening(), /"rootlesskit"/, `rootlesskit listens on ${port}`);
  };

  before(async () => {
    host = labHost(lab!, NAME);
    assert.ok(host.rootlessDockerSocket, `${NAME} has no rootless dockerd in .lab/${lab!.name}/state.json: bring the lab up again`);
    await dockerFirewall(['unblock', NAME]);
    await rootlessDocker(['rm', '--force', LATE.container]);
    await publish(CONTAINER, PORT);
  });
  after(async () => {
    await dockerFirewall(['unblock', NAME]);
    await rootlessDocker(['rm', '--force', CONTAINER, LATE.container]);
  });

  test('open: status and ps show the port as rootless, on the host-socket path, exposed; the rootless container answers over IPv4 and IPv6', async () => {
    const [status, ps, v4, v6] = await Promise.all([
      ports(),
      dockerFirewall(['ps', NAME]),
      httpGet(out(), `http://${host.ipv4}:${PORT}/`),
      httpGet(out(), `http://[${host.ipv6}]:${PORT}/`),
    ]);
    assert.deepEqual(
      status.map((p) => [p.hostIp, p.origin, p.path, p.exposure]).sort(),
      [
        ['0.0.0.0', 'rootless', 'host-socket', 'exposed'],
        ['::', 'rootless', 'host-socket', 'exposed'],
      ],
    );
    assert.match(status[0]!.reason, /rootlesskit serves a rootless Docker's published port/);
    // The root daemon has no container behind it: the table names the rootless Docker instead.
    assert.equal(ps.code, 0, ps.stderr);
    for (const address of ['0.0.0.0:8097/tcp', '[::]:8097/tcp']) assert.match(ps.stdout, new RegExp(`\\(rootless Docker\\)\\s+${address.replace(/[.[\]]/g, '\\$&')}\\s+${PORT}\\s+exposed`), ps.stdout);
    for (const page of [v4, v6]) assert.equal(page.body.trim(), `host=${NAME} container=${CONTAINER}`);
  });

  test('Block: silent over IPv4 and IPv6 beside sshd answering, and called blocked; a port the rootless daemon publishes after it is covered by the watcher within seconds', async () => {
    const result = await dockerFirewall(['block', NAME]);
    assert.equal(result.code, 0, result.stderr);
    await publish(LATE.container, LATE.port);
    const publishedAt = Date.now();
    // No event of the root daemon tells of it: the watcher's poll of the host's sockets finds rootlesskit's new one.
    let late = await reach(LATE.port);
    while (late.some((v) => v !== 'timeout') && Date.now() - publishedAt < 10_000) {
      await sleep(250);
      late = await reach(LATE.port);
    }
    assert.deepEqual(late, ['timeout', 'timeout'], `${LATE.port}, IPv4 and IPv6, ${Date.now() - publishedAt} ms after rootlesskit listened`);
    const [verdicts, status] = await Promise.all([reach(), statusPorts()]);
    assert.deepEqual(verdicts, ['timeout', 'timeout'], 'IPv4, IPv6');
    assert.deepEqual(exposuresIn(status, PORT), ['blocked']);
    assert.deepEqual(exposuresIn(status, LATE.port), ['blocked']);
  });

  test('Allow opens it over both families; the port published after Block stays covered', async () => {
    assert.equal((await dockerFirewall(['allow', NAME, String(PORT)])).code, 0);
    const [verdicts, late, status] = await Promise.all([reach(), reach(LATE.port), statusPorts()]);
    assert.deepEqual(verdicts, ['open', 'open'], 'IPv4, IPv6');
    assert.deepEqual(exposuresIn(status, PORT), ['allowed']);
    assert.deepEqual(late, ['timeout', 'timeout'], `${LATE.port}, IPv4 and IPv6`);
    assert.deepEqual(exposuresIn(status, LATE.port), ['blocked']);
  });

  test('Unblock: no lockdown left, it answers and is exposed', async () => {
    assert.equal((await dockerFirewall(['unblock', NAME])).code, 0);
    const [verdicts, status] = await Promise.all([reach(), dockerFirewallJson<{ locked: boolean; ports: PortJson[] }>(['status', NAME])]);
    assert.deepEqual(verdicts, ['open', 'open'], 'IPv4, IPv6');
    assert.equal(status.locked, false);
    assert.deepEqual([...new Set(status.ports.filter((p) => p.hostPort === PORT).map((p) => p.exposure))], ['exposed']);
  });
});
