import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, labHost, loadLab, onHost, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson } from '../../support/cli';
import { probeBlocked, probeOpen } from '../../support/probes';
import { needsLab } from '../../support/requirements';

/**
 * A container that publishes a range (`-p 18100-18103:18100-18103`) and one allow for part of it
 * (issue 13): every port of the allowed range answers from outside, over IPv4 and IPv6, the port
 * past its end stays blocked, status says which is which, and deny of the range closes it again.
 */
const skip = needsLab('allows of a port range', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

const CONTAINER = 'ranged';
const FIRST = 18100;
const LAST = 18103;
const ALLOWED = `${FIRST}-${LAST - 1}`;
const PORTS = [FIRST, FIRST + 1, FIRST + 2, LAST];

interface StatusJson {
  allows: { port: number; endPort?: number; proto: string; from: string | null }[];
  ports: { container: string; hostPort: number; hostIp: string; exposure: string }[];
}

for (const name of ['h1', 'h2']) {
  describe(`a published port range on ${name}, ${ALLOWED} allowed`, { skip }, () => {
    let host: LabHost;
    const out = () => lab!.outside.ns;
    const exposures = async () => {
      const status = await dockerFirewallJson<StatusJson>(['status', name]);
      const byPort = new Map<number, Set<string>>();
      for (const p of status.ports.filter((q) => q.container === CONTAINER)) byPort.set(p.hostPort, (byPort.get(p.hostPort) ?? new Set()).add(p.exposure));
      return { status, exposure: (port: number) => [...(byPort.get(port) ?? [])].join(',') };
    };

    before(async () => {
      host = labHost(lab!, name);
      await onHost(host, ['docker', 'rm', '--force', CONTAINER]);
      // One busybox httpd per port of the range (all but the last go to the background by themselves).
      const serve = PORTS.slice(0, -1).map((p) => `httpd -p ${p} -h /www; `).join('') + `exec httpd -f -p ${LAST} -h /www`;
      const run = await onHost(
        host,
        ['docker', 'run', '--detach', '--name', CONTAINER, '--label', `lab=${lab!.name}`, '--publish', `${FIRST}-${LAST}:${FIRST}-${LAST}`, 'lab/busybox:1', 'sh', '-c', `mkdir -p /www && echo ranged >/www/index.html && ${serve}`],
        { timeoutMs: 60_000 },
      );
      assert.equal(run.code, 0, run.stderr);
      // Positive control for what follows: before the lockdown every port of the range answers.
      for (const port of PORTS) assert.equal(await probeOpen(out(), host, { port, family: 'ipv4' }), 'open', `${port} answers before the lockdown`);
      assert.equal((await dockerFirewall(['block', name])).code, 0);
    });
    after(async () => {
      await dockerFirewall(['unblock', name]);
      await onHost(host, ['docker', 'rm', '--force', CONTAINER]);
    });

    test(`allow ${ALLOWED}: each of its ports answers over IPv4 and IPv6, ${LAST} stays blocked`, async () => {
      const result = await dockerFirewall(['allow', name, ALLOWED]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`Allowed ${ALLOWED}/tcp from anywhere\\.`));
      for (const port of PORTS.slice(0, -1)) {
        assert.equal(await probeOpen(out(), host, { port, family: 'ipv4' }), 'open', `v4 ${port}`);
        assert.equal(await probeOpen(out(), host, { port, family: 'ipv6' }), 'open', `v6 ${port}`);
      }
      assert.equal(await probeBlocked(out(), host, { port: LAST, family: 'ipv4' }), 'timeout');
      assert.equal(await probeBlocked(out(), host, { port: LAST, family: 'ipv6' }), 'timeout');
      const { status, exposure } = await exposures();
      assert.deepEqual(status.allows.filter((a) => a.port === FIRST), [{ port: FIRST, endPort: LAST - 1, proto: 'tcp', from: null }]);
      assert.deepEqual(PORTS.map(exposure), ['allowed', 'allowed', 'allowed', 'blocked']);
    });

    test(`deny ${ALLOWED} closes the whole range again`, async () => {
      const result = await dockerFirewall(['deny', name, ALLOWED]);
      assert.equal(result.code, 0, result.stderr);
      for (const port of PORTS) assert.equal(await probeBlocked(out(), host, { port, family: 'ipv4' }), 'timeout', `v4 ${port}`);
      const { status, exposure } = await exposures();
      assert.deepEqual(status.allows.filter((a) => a.port === FIRST), []);
      assert.deepEqual(PORTS.map(exposure), ['blocked', 'blocked', 'blocked', 'blocked']);
    });

    test('bad ranges exit 2 and change nothing on the host', async () => {
      const before = (await onHost(host, ['iptables-save', '-t', 'filter'])).stdout.replace(/^#.*\n/gm, '').replace(/\[\d+:\d+\]/g, '');
      for (const bad of ['10-5', '0-10', '1-70000', '80-81-82']) {
        const result = await dockerFirewall(['allow', name, bad]);
        assert.equal(result.code, 2, `${bad}: ${result.stderr}`);
        assert.match(result.stderr, /port|range/i);
      }
      const after = (await onHost(host, ['iptables-save', '-t', 'filter'])).stdout.replace(/^#.*\n/gm, '').replace(/\[\d+:\d+\]/g, '');
      assert.equal(after, before);
    });
  });
}
