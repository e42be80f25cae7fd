import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inContainer, inNamespace, isLabUp, labHost, loadLab, onHost, outside, run, sshFromOutside, startHttpServer, tcpConnect, type Lab, type LabHost, type TestServer } from '../support/lab';
import { saveAll } from '../support/cli';
import { cli } from '../support/engine';
import { measure } from '../support/figures';
import { probeBlocked } from '../support/probes';
import { needsLab } from '../support/requirements';
import { writeReport } from '../../scripts/reliability-report';

/**
 * The lockdown drops new connections from outside to published ports, and nothing else: SSH, a
 * service of the host itself (INPUT), forwarding through the host that is not Docker's, container
 * egress and traffic between containers keep working, over IPv4 and IPv6 where they apply. And
 * unblock gives back exactly the iptables-save of before, counters aside.
 */
const skip = needsLab('no collateral damage', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

// Two namespaces of this test, routed through the Docker host over their own veths (documentation ranges).
const SIDES = {
  a: { suffix: 'rfa', hostIf: 'relfa', v4: ['198.51.100.1', '198.51.100.2'], v6: ['2001:db8:2::1', '2001:db8:2::2'] },
  b: { suffix: 'rfb', hostIf: 'relfb', v4: ['203.0.113.1', '203.0.113.2'], v6: ['2001:db8:3::1', '2001:db8:3::2'] },
} as const;
const HOST_SERVICE_PORT = 7070;
const FORWARDED_PORT = 7071;
const EGRESS_PORT = 9099;

async function ok(argv: readonly string[]): Promise<void> {
  const result = await run(argv);
  assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`);
}

for (const name of ['h1', 'h2']) {
  describe(`no collateral damage on ${name}, and an exact unlock`, { skip }, () => {
    let host: LabHost;
    let original: string;
    const servers: TestServer[] = [];
    const ns = (side: keyof typeof SIDES) => `${lab!.name}-${SIDES[side].suffix}${name}`;

    before(async () => {
      host = labHost(lab!, name);
      assert.equal((await cli(['unblock', name])).code, 0);
      original = await saveAll(name);
      for (const side of ['a', 'b'] as const) {
        const s = SIDES[side];
        await ok(['ip', 'netns', 'add', ns(side)]);
        await ok(['ip', '-n', host.ns, 'link', 'add', s.hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns(side)]);
        await ok(['ip', '-n', host.ns, 'addr', 'add', `${s.v4[0]}/24`, 'dev', s.hostIf]);
        await ok(['ip', '-n', host.ns, '-6', 'addr', 'add', `${s.v6[0]}/64`, 'dev', s.hostIf, 'nodad']);
        await ok(['ip', '-n', host.ns, 'link', 'set', s.hostIf, 'up']);
        await ok(['ip', '-n', ns(side), 'link', 'set', 'lo', 'up']);
        await ok(['ip', '-n', ns(side), 'addr', 'add', `${s.v4[1]}/24`, 'dev', 'eth0']);
        await ok(['ip', '-n', ns(side), '-6', 'addr', 'add', `${s.v6[1]}/64`, 'dev', 'eth0', 'nodad']);
        await ok(['ip', '-n', ns(side), 'link', 'set', 'eth0', 'up']);
        await ok(['ip', '-n', ns(side), 'route', 'add', 'default', 'via', s.v4[0]]);
        await ok(['ip', '-n', ns(side), '-6', 'route', 'add', 'default', 'via', s.v6[0]]);
      }
      servers.push(await startHttpServer(host.ns, '::', HOST_SERVICE_PORT, `service on ${name}`));
      servers.push(await startHttpServer(ns('b'), '::', FORWARDED_PORT, 'behind the host'));
      servers.push(await startHttpServer(lab!.outside.ns, lab!.outside.ipv4, EGRESS_PORT, 'outside-server'));
    });
    after(async () => {
      for (const s of servers) await s.close();
      // Deleting the namespaces deletes their veths, the host's ends too.
      for (const side of ['a', 'b'] as const) await run(['ip', 'netns', 'del', ns(side)]);
      await cli(['unblock', name]);
      writeReport();
    });

    /** Every kind of traffic the lockdown must leave alone; each returns true when it got through. */
    function checks(): [string, () => Promise<boolean>][] {
      const open = async (from: string, address: string, port: number) => (await tcpConnect(from, address, port, 2000)) === 'open';
      const wget = async (container: string, url: string, expect: RegExp) => {
        const result = await inContainer(host, container, ['timeout', '5', 'wget', '-qO-', url]);
        return result.code === 0 && expect.test(result.stdout);
      };
      return [
        ['SSH over IPv4', async () => (await sshFromOutside(name, 'true')).code === 0],
        ['SSH over IPv6', async () => (await outside(['ssh', '-F', lab!.sshConfig, '-o', `HostName=${host.ipv6}`, name, 'true'])).code === 0],
        ['host service (INPUT) over IPv4', () => open(lab!.outside.ns, host.ipv4, HOST_SERVICE_PORT)],
        ['host service (INPUT) over IPv6', () => open(lab!.outside.ns, host.ipv6, HOST_SERVICE_PORT)],
        ['forwarding through the host over IPv4', () => open(ns('a'), SIDES.b.v4[1], FORWARDED_PORT)],
        ['forwarding through the host over IPv6', () => open(ns('a'), SIDES.b.v6[1], FORWARDED_PORT)],
        ['container egress', () => wget('worker', `http://${lab!.outside.ipv4}:${EGRESS_PORT}/`, /outside-server/)],
        ['container to container (same network)', () => wget('worker', 'http://app/', /container=app/)],
        ['container to another network\'s published port', () => wget('worker', `http://${host.ipv4}:8080/`, /container=web/)],
        ['host to its loopback-published port', async () => /container=admin/.test((await onHost(host, ['curl', '-s', '-m', '3', 'http://127.0.0.1:8082/'])).stdout)],
      ];
    }

    async function runChecks(): Promise<Record<string, boolean>> {
      const results: Record<string, boolean> = {};
      for (const [what, check] of checks()) results[what] = await check();
      return results;
    }

    test('with the lockdown on (and allows from a source), everything but new outside connections to published ports still works', async () => {
      await measure(lab!, 'collateral', host, {}, async (f) => {
        const baseline = await runChecks();
        assert.deepEqual(Object.entries(baseline).filter(([, ok]) => !ok), [], 'the lab itself does not pass these checks');
        assert.equal((await cli(['block', name, '--allow', '8080'])).code, 0);
        assert.equal((await cli(['allow', name, '8081', '--from', `${lab!.outside.ipv4}/32`])).code, 0);
        assert.equal((await cli(['allow', name, '5353/udp', '--from', `${lab!.outside.ipv6}/128`])).code, 0);
        // The lockdown is real: an outside client cannot open a blocked port (while the host's sshd answers it).
        const blocked = {
          'v4 8081 from out2': await probeBlocked(lab!.outside2.ns, host, { port: 8081, family: 'ipv4' }),
          'v6 8081 from out2': await probeBlocked(lab!.outside2.ns, host, { port: 8081, family: 'ipv6' }),
          'v4 8081 from a routed network': await probeBlocked(ns('a'), host, { port: 8081, family: 'ipv4' }),
        };
        f.blockedProbes = Object.entries(blocked).map(([k, v]) => `${k}: ${v}`).join('; ');
        assert.deepEqual(Object.values(blocked), ['timeout', 'timeout', 'timeout'], JSON.stringify(blocked));
        const locked = await runChecks();
        Object.assign(f, { checks: Object.keys(locked).length, passed: Object.values(locked).filter(Boolean).length, ...Object.fromEntries(Object.entries(locked).map(([k, v]) => [k, v ? 'works' : 'BROKEN'])) });
        assert.deepEqual(locked, baseline);
      });
    });

    test('unblock: iptables-save and ip6tables-save of every table are what they were before block', async () => {
      await measure(lab!, 'unlock-exact', host, {}, async (f) => {
        assert.equal((await cli(['unblock', name])).code, 0);
        const now = await saveAll(name);
        f.rulesCompared = original.split('\n').filter((l) => l.startsWith('-A ')).length;
        f.identical = now === original;
        f.chainsLeft = (await onHost(host, ['iptables-save'])).stdout.includes('PRE_DOCKER') || (await onHost(host, ['ip6tables-save'])).stdout.includes('PRE_DOCKER') ? 'yes' : 'none';
        assert.equal(now, original);
        // And the host is open again: the other client reaches the port.
        f.reopened = await tcpConnect(lab!.outside2.ns, host.ipv4, 8081, 2000);
        assert.equal(f.reopened, 'open');
        assert.ok((await inNamespace(ns('a'), ['true'])).code === 0);
      });
    });
  });
}
