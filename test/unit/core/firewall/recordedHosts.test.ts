import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planChange, statusOfReading, changes } from '../../../../src/core/hosts/firewallEngine';
import { parseFirewallReport } from '../../../../src/core/firewall/readFirewall';
import { layoutsDigest, parsePersistence } from '../../../../src/core/firewall/persistence';
import { parseIptablesSave, rulesOf } from '../../../../src/core/firewall/iptablesSave';
import { FirewallReadFailed } from '../../../../src/core/firewall/errors';
import { lockdownScope } from '../../../../src/core/firewall/scope';
import { DEFAULT_CHAIN } from '../../../../src/core/validate';
import { lockedHost, openHost, readingOf, type DockerMajor } from '../../../support/recordedHosts';
import { RECORDING_NONCE } from '../../../../scripts/recordingNonce';

/**
 * Parsers, the rules check and status on what real hosts printed: Docker 20.10, 28 and 29 locked by
 * our own CLI with three allows (lab/record-locked-fixtures.sh), and open (lab/record-fixtures.sh,
 * with a host-network container and a process of the host listening too).
 */
const FIXTURES = join(__dirname, '../../../fixtures');
const read = (...path: string[]) => readFileSync(join(FIXTURES, ...path), 'utf8');
const MAJORS: readonly DockerMajor[] = ['20', '28', '29'];

for (const major of MAJORS) {
  describe(`Docker ${major}, locked (recorded)`, () => {
    const host = lockedHost(major);
    const { reading, firewall } = host;
    const report = read('iptables', `docker-${major}`, 'locked-report.txt');
    const withReport = (text: string) => statusOfReading(readingOf(text, reading.inventory));

    test('the policy is read back from our rules, and the rules are exactly what Docker Firewall wrote', () => {
      assert.equal(firewall.locked, true);
      assert.deepEqual(
        firewall.policy.allows.map((a) => `${a.port}/${a.proto} ${a.from?.text ?? 'any'}`),
        ['5353/udp 2001:db8:1::100/128', '8080/tcp any', '8081/tcp 192.0.2.100/32'],
      );
      for (const family of [firewall.ipv4, firewall.ipv6]) {
        assert.equal(family.drift, 'none', family.family);
        assert.equal(family.check.input.ok, true, family.family);
      }
      assert.equal(firewall.ipv4.check.forward?.ok, true);
      assert.equal(firewall.ipv4.check.guard?.ok, true);
      assert.deepEqual(firewall.warnings.map((w) => w.code), ['not-persistent']);
    });

    test('hooks sit first in DOCKER-USER, security FORWARD and INPUT', () => {
      assert.deepEqual(
        firewall.ipv4.hooks.map((h) => `${h.table ?? 'filter'} ${h.from} #${h.position} ${h.spec}`).sort(),
        ['filter DOCKER-USER #1 -j PRE_DOCKER', 'filter INPUT #1 -j PRE_DOCKER_INPUT', 'security FORWARD #1 -j PRE_DOCKER_GUARD'],
      );
      assert.ok(firewall.ipv6.hooks.some((h) => h.from === 'INPUT' && h.position === 1));
    });

    test('the chain of bridges names each of Docker\'s bridges exactly, and no wildcard', () => {
      const forward = firewall.ipv4.check.forward;
      assert.ok(forward?.ok === true);
      const expected = reading.inventory.networks.flatMap((n) => (n.bridge?.name === undefined ? [] : [n.bridge.name])).sort();
      assert.deepEqual([...forward.bridges].sort(), expected);
      assert.ok(expected.includes('docker0'));
      assert.ok(!firewall.ipv4.rules.some((r) => r.spec.includes('br-+')), 'no br-+ wildcard');
    });

    test('each published port gets its exposure, per address family, from the rules in force', () => {
      const of = (container: string, hostIp: string) => firewall.ports.find((p) => p.container === container && p.hostIp === hostIp)?.exposure;
      assert.equal(of('web', '0.0.0.0'), 'allowed');
      assert.equal(of('web', '::'), 'allowed');
      assert.equal(of('app', '0.0.0.0'), 'allowed');
      assert.equal(of('app', '::'), 'blocked', 'an IPv4 source range does not open IPv6');
      assert.equal(of('dns', '0.0.0.0'), 'blocked', 'an IPv6 source range does not open IPv4');
      assert.equal(of('dns', '::'), 'allowed');
      assert.equal(of('admin', '127.0.0.1'), 'local-only');
      assert.deepEqual(firewall.ports.find((p) => p.container === 'web' && p.hostIp === '0.0.0.0')?.paths, ['dnat', 'proxy']);
      assert.deepEqual(firewall.ports.find((p) => p.container === 'web' && p.hostIp === '::')?.paths, ['proxy']);
    });

    test('planning the policy in force again changes nothing', () => {
      assert.equal(planChange(reading, changes.reapply()).changed, false);
    });

    test('what persist saves and what is in force have the same digest', () => {
      const plan = planChange(reading, changes.reapply());
      const saved = layoutsDigest(plan.ipv4.wanted, plan.ipv6.wanted, DEFAULT_CHAIN);
      const inForce = layoutsDigest(reading.tables.ipv4.layout, reading.tables.ipv6.layout, DEFAULT_CHAIN);
      assert.equal(inForce, saved);
      assert.equal(parsePersistence([`digest ${saved}`], inForce).state, 'current');
    });

    test('a RETURN put on top of our chain and of the guard: every port behind them is unverified, never blocked', () => {
      const tampered = report
        .replace(/^(\[\d+:\d+\] -A PRE_DOCKER -m conntrack)/m, '[0:0] -A PRE_DOCKER -j RETURN\n$1')
        .replace(/^(\[\d+:\d+\] -A PRE_DOCKER_GUARD -m conntrack)/m, '[0:0] -A PRE_DOCKER_GUARD -j RETURN\n$1');
      assert.notEqual(tampered, report);
      const status = withReport(tampered);
      const v4 = status.ports.filter((p) => p.hostIp === '0.0.0.0');
      assert.equal(v4.find((p) => p.container === 'dns')?.exposure, 'unverified');
      assert.ok(!v4.some((p) => p.exposure === 'blocked'), JSON.stringify(v4.map((p) => [p.container, p.exposure])));
      assert.equal(status.ipv4.drift, 'modified');
      assert.ok(status.warnings.some((w) => w.code === 'ports-unverified'));
    });

    test('a RETURN on top of one of the two forwarded paths leaves the other: still blocked', () => {
      const tampered = report.replace(/^(\[\d+:\d+\] -A PRE_DOCKER -m conntrack)/m, '[0:0] -A PRE_DOCKER -j RETURN\n$1');
      const status = withReport(tampered);
      assert.equal(status.ipv4.check.forward?.ok, false);
      assert.equal(status.ipv4.check.guard?.ok, true);
      assert.equal(status.ports.find((p) => p.container === 'dns' && p.hostIp === '0.0.0.0')?.exposure, 'blocked');
    });

    test('a forged hook inside a comment (a newline and "-A DOCKER-USER -j PRE_DOCKER") is never read as a hook', () => {
      const unhooked = report
        .replace(/^\[\d+:\d+\] -A DOCKER-USER -j PRE_DOCKER\n/m, '')
        .replace(/^\[\d+:\d+\] -A FORWARD -j PRE_DOCKER_GUARD\n/m, '');
      const forged = unhooked.replace(/^(:FORWARD [^\n]*\n)/m, '$1').replace(
        /^(\[\d+:\d+\] -A FORWARD -j DOCKER-USER)$/m,
        '$1\n[0:0] -A FORWARD -m comment --comment "x\n[0:0] -A DOCKER-USER -j PRE_DOCKER\n" -j ACCEPT',
      );
      assert.match(forged, /--comment "x\n\[0:0\] -A DOCKER-USER -j PRE_DOCKER\n"/);
      const status = withReport(forged);
      assert.ok(!status.ipv4.hooks.some((h) => h.from === 'DOCKER-USER'), 'a hook read from inside a comment');
      const v4 = status.ports.filter((p) => p.hostIp === '0.0.0.0' && p.container !== 'admin');
      assert.ok(v4.every((p) => p.exposure !== 'blocked'), JSON.stringify(v4.map((p) => [p.container, p.exposure])));
    });

    test('an allow claimed by a comment that its rule does not do makes the chain not ours', () => {
      const lying = report.replace(/(-A PRE_DOCKER_GUARD .*--ctorigdstport) 8081 (.*allow tcp\/8081)/, '$1 9 $2');
      assert.notEqual(lying, report);
      assert.equal(withReport(lying).ipv4.check.guard?.ok, false);
    });

    test('a network created after the lockdown is not covered: its ports are exposed, with the reason', () => {
      const inventory = reading.inventory;
      const late = {
        ...inventory,
        networks: [...inventory.networks, { id: 'f'.repeat(64), name: 'late', driver: 'bridge', bridge: { name: 'latebr0' }, internal: false, ipv6: false, gatewayMode: { ipv4: undefined, ipv6: undefined }, subnets: [] }],
        containers: [
          ...inventory.containers,
          {
            id: 'e'.repeat(64),
            name: 'late',
            image: 'x',
            state: 'running',
            status: 'Up',
            networkMode: 'late',
            networks: [{ name: 'late', networkId: 'f'.repeat(64), ipv4: '172.30.0.2' }],
            ports: [{ container: 'late', hostIp: '0.0.0.0', hostPort: 9999, containerPort: 80, proto: 'tcp' as const }],
          },
        ],
      };
      const status = statusOfReading({ ...reading, inventory: late });
      const port = status.ports.find((p) => p.container === 'late');
      assert.equal(port?.exposure, 'exposed');
      assert.match(port?.reason ?? '', /created after the lockdown|not among the lockdown's ports/);
      assert.ok(status.warnings.some((w) => w.code === 'ports-not-covered'));
    });
  });
}

for (const major of MAJORS) {
  describe(`Docker ${major}, open (recorded)`, () => {
    const { reading, firewall } = openHost(major);

    test('every published port is exposed; loopback is local only', () => {
      for (const p of firewall.ports.filter((x) => x.origin === 'published')) {
        assert.equal(p.exposure, p.hostIp === '127.0.0.1' ? 'local-only' : 'exposed', `${p.container} ${p.hostIp}:${p.hostPort}`);
      }
    });

    test('a host-network container\'s socket belongs to it and is not behind Docker\'s NAT', () => {
      const hostnet = firewall.ports.filter((p) => p.container === 'hostnet');
      assert.deepEqual(hostnet.map((p) => `${p.hostIp}:${p.hostPort} ${p.exposure} ${p.path}`).sort(), ['0.0.0.0:8090 host-network host-socket', ':::8090 host-network host-socket']);
    });

    test('processes of the host itself are host services, never blocked', () => {
      const services = firewall.ports.filter((p) => p.origin === 'host-service');
      assert.ok(services.some((p) => p.hostPort === 8091), 'socat on 8091');
      assert.ok(services.some((p) => p.hostPort === 22), 'sshd');
      assert.ok(services.every((p) => p.exposure === 'host-service'));
    });

    test('the lockdown would cover the exact bridges, every published port and the host-network socket, never the SSH port', () => {
      const scope = lockdownScope(reading.inventory, reading.facts);
      assert.equal(scope.sshPort, 22);
      assert.ok(scope.ipv4.bridges.includes('appbr0') && scope.ipv4.bridges.includes('docker0'));
      const v4 = scope.ipv4.hostPorts.map((p) => `${p.port}/${p.proto}`).sort();
      assert.deepEqual(v4, ['5353/udp', '8080/tcp', '8081/tcp', '8090/tcp']);
      const plan = planChange(reading, changes.block());
      assert.ok(!(plan.ipv4.payload ?? '').includes('--dport 22 -m comment --comment "docker-firewall:v1 port'), 'SSH is never dropped');
    });

    test('the host facts are read: the SSH connection we came in on and the host\'s addresses', () => {
      assert.equal(reading.facts.ssh?.clientAddress, '192.0.2.100');
      assert.ok(reading.facts.addresses.some((a) => a.device === 'eth0' && a.family === 'ipv6'));
      assert.deepEqual(reading.facts.unreadable, { sockets: 0, processes: 0, addresses: 0 });
    });
  });
}

test('iptables-save -c of a whole host parses with counters', () => {
  for (const major of MAJORS) {
    const tables = parseIptablesSave(read('iptables', `docker-${major}`, 'iptables-save.txt'));
    assert.ok(tables.has('filter') && tables.has('nat'), major);
    assert.ok(rulesOf(tables.get('nat'), 'DOCKER').some((r) => r.target === 'DNAT' && r.args.includes('8080')), major);
  }
});

test('anything outside iptables-save\'s grammar fails the read instead of being skipped', () => {
  const base = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n';
  for (const bad of [
    `${base}-A FORWARD -j ACCEPT\nsomething else\nCOMMIT\n`,
    `${base}-A NOWHERE -j ACCEPT\nCOMMIT\n`,
    `${base}-A FORWARD -m comment --comment "never closed -j ACCEPT\nCOMMIT\n`,
    `${base}-A FORWARD -j ACCEPT\n`,
    `-A FORWARD -j ACCEPT\n${base}COMMIT\n`,
  ]) {
    assert.throws(() => parseIptablesSave(bad), FirewallReadFailed, JSON.stringify(bad));
  }
  const quoted = parseIptablesSave(`${base}-A FORWARD -m comment --comment "a\n-A FORWARD -j DROP\nCOMMIT\n*filter" -j ACCEPT\nCOMMIT\n`);
  assert.deepEqual(quoted.get('filter')?.rules.map((r) => r.target), ['ACCEPT'], 'one rule, whose comment holds lines that look like rules');
});

test('section markers come with the read\'s nonce: a comment holding another marker cannot pose as a section', () => {
  const report = read('iptables', 'docker-28', 'locked-report.txt');
  const injected = report.replace('-m comment --comment "docker-firewall:v1 established"', `-m comment --comment "x\n### deadbeefdeadbeef persistence\ndigest forged\n"`);
  const raw = parseFirewallReport(injected.replaceAll(`### ${RECORDING_NONCE} `, '### deadbeefdeadbeef '.replace('deadbeefdeadbeef', 'cafecafecafecafe')), '', 0, 'cafecafecafecafe');
  assert.ok(!raw.persistence.some((l) => l.includes('forged')));
});

test('Docker\'s nftables backend (no DOCKER-USER) is refused with an explanation', () => {
  const { reading } = lockedHost('28');
  const nft = { ...reading, inventory: { ...reading.inventory, docker: { ...reading.inventory.docker, firewallBackend: 'nftables' } } };
  assert.throws(() => planChange(nft, changes.block()), /nftables firewall backend/);
});

test('a read that did not finish is an error that keeps the host\'s last stderr line', () => {
  assert.throws(() => parseFirewallReport('### 0123456789abcdef version\n', 'sudo: a password is required\n', 1, '0123456789abcdef'), /sudo: a password is required/);
});
