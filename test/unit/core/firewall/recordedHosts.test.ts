import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFirewallReport } from '../../../../src/core/firewall/readFirewall';
import { firewallTables } from '../../../../src/core/firewall/firewallTables';
import { readPolicy } from '../../../../src/core/firewall/readPolicy';
import { firewallStatus } from '../../../../src/core/firewall/status';
import { planFor } from '../../../../src/core/firewall/plan';
import { layoutsDigest, parsePersistence } from '../../../../src/core/firewall/persistence';
import { parseIptablesSave, rulesOf } from '../../../../src/core/firewall/iptablesSave';
import { buildInventory } from '../../../../src/core/docker/inventory';
import { publishedPorts } from '../../../../src/core/hosts/firewallEngine';
import { DEFAULT_CHAIN } from '../../../../src/core/validate';

/**
 * Parsers and status on what real hosts printed: Docker 20.10 and 28 locked with three allows by
 * lab/record-locked-fixtures.sh, and their Engine API answers recorded by lab/record-fixtures.sh.
 */
const FIXTURES = join(__dirname, '../../../fixtures/iptables');
const read = (major: string, file: string) => readFileSync(join(FIXTURES, `docker-${major}`, file), 'utf8');

for (const major of ['20', '28'] as const) {
  describe(`Docker ${major} recordings`, () => {
    const report = read(major, 'locked-report.txt');
    const state = firewallTables(parseFirewallReport(report, '', 0), DEFAULT_CHAIN);
    const json = (name: string): unknown => JSON.parse(read(major, `locked-${name}.json`));
    const inventory = buildInventory({ containers: json('containers'), version: json('version'), info: json('info') });
    const ports = publishedPorts(inventory);
    const persistence = { state: 'none' } as const;

    test('the policy is read back from our rule comments', () => {
      const policy = readPolicy(state);
      assert.equal(policy.locked, true);
      assert.deepEqual(
        policy.allows.map((a) => `${a.proto}/${a.port} ${a.from?.text ?? 'any'}`),
        ['udp/5353 2001:db8:1::100/128', 'tcp/8080 any', 'tcp/8081 192.0.2.100/32'],
      );
    });

    test('Docker\'s variant and chains are recognised in each family', () => {
      assert.equal(state.variant, 'nft');
      assert.equal(state.ipv4.dockerUser, true);
      assert.equal(state.ipv6.dockerUser, major === '28', 'Docker 28 manages ip6tables, 20.10 does not');
      assert.deepEqual(state.ipv4.layout.hooks, [
        { from: 'DOCKER-USER', spec: '-j PRE_DOCKER', position: 1 },
        { table: 'security', from: 'FORWARD', spec: '-j PRE_DOCKER_GUARD', position: 1 },
      ]);
      assert.deepEqual(state.ipv4.layout.chains.map((c) => `${c.table ?? 'filter'} ${c.name}`), ['filter PRE_DOCKER', 'security PRE_DOCKER_GUARD']);
      assert.ok(state.ipv4.rules.some((r) => r.chain === 'PRE_DOCKER_GUARD' && r.packets > 0), 'the guard counts the allowed traffic it sees');
      assert.ok(state.ipv6.layout.hooks.some((h) => h.from === 'INPUT' && h.position === 1));
    });

    test('the status has no warning but persistence, and counters are read', () => {
      const status = firewallStatus({ tables: state, ports, firewallBackend: inventory.docker.firewallBackend }, persistence);
      assert.deepEqual(status.warnings.map((w) => w.code), ['not-persistent']);
      assert.equal(status.ipv4.drift, 'none');
      assert.equal(status.ipv6.drift, 'none');
      assert.ok(status.ipv4.rules.some((r) => r.packets > 0), 'the recording saw traffic');
    });

    test('each published port gets its exposure, per address family', () => {
      const status = firewallStatus({ tables: state, ports, firewallBackend: inventory.docker.firewallBackend }, persistence);
      const of = (container: string, hostIp: string) => status.ports.find((p) => p.container === container && p.hostIp === hostIp)?.exposure;
      assert.equal(of('web', '0.0.0.0'), 'allowed');
      assert.equal(of('web', '::'), 'allowed');
      assert.equal(of('app', '0.0.0.0'), 'allowed');
      assert.equal(of('app', '::'), 'blocked', 'an IPv4 source range does not open IPv6');
      assert.equal(of('dns', '0.0.0.0'), 'blocked', 'an IPv6 source range does not open IPv4');
      assert.equal(of('dns', '::'), 'allowed');
      assert.equal(of('admin', '127.0.0.1'), 'local-only');
    });

    test('planning the policy in force again changes nothing', () => {
      const plan = planFor({ tables: state, policy: readPolicy(state), ports, firewallBackend: inventory.docker.firewallBackend });
      assert.equal(plan.changed, false);
    });

    test('what persist saves (the rendering) and what is in force (read per table) have the same digest', () => {
      const plan = planFor({ tables: state, policy: readPolicy(state), ports, firewallBackend: inventory.docker.firewallBackend });
      const saved = layoutsDigest(plan.ipv4.wanted, plan.ipv6.wanted);
      assert.equal(layoutsDigest(state.ipv4.layout, state.ipv6.layout), saved);
      assert.equal(parsePersistence([`digest ${saved}`], layoutsDigest(state.ipv4.layout, state.ipv6.layout)).state, 'current');
    });

    test('a rule edited by hand inside our chain is drift that the next apply repairs', () => {
      const edited = report.replace(/--ctorigdstport 8080 /, '--ctorigdstport 8090 ');
      assert.notEqual(edited, report);
      const tampered = firewallTables(parseFirewallReport(edited, '', 0), DEFAULT_CHAIN);
      const status = firewallStatus({ tables: tampered, ports, firewallBackend: inventory.docker.firewallBackend }, persistence);
      assert.equal(status.ipv4.drift, 'modified');
      assert.ok(status.warnings.some((w) => w.code === 'drift-modified'));
      assert.equal(planFor({ tables: tampered, policy: readPolicy(state), ports }).changed, true);
    });

    test('a host locked before the guard existed is outdated, and applying again adds only the guard', () => {
      const withoutGuard = report.split('\n').filter((l) => !l.includes('PRE_DOCKER_GUARD')).join('\n');
      const older = firewallTables(parseFirewallReport(withoutGuard, '', 0), DEFAULT_CHAIN);
      const status = firewallStatus({ tables: older, ports, firewallBackend: inventory.docker.firewallBackend }, persistence);
      assert.equal(status.locked, true);
      assert.equal(status.ipv4.drift, 'outdated');
      assert.ok(status.ports.filter((p) => p.hostIp === '0.0.0.0').every((p) => p.exposure !== 'exposed'), 'DOCKER-USER alone still blocks');
      const payload = planFor({ tables: older, policy: readPolicy(older), ports }).ipv4.payload ?? '';
      assert.deepEqual(payload.split('\n').filter((l) => l.startsWith('*')), ['*security']);
      assert.match(payload, /^-N PRE_DOCKER_GUARD$/m);
      assert.match(payload, /^-I FORWARD 1 -j PRE_DOCKER_GUARD$/m);
    });

    test('a rule put above the guard in security FORWARD is reported, naming that table', () => {
      const pushed = report.replace(/^(\[\d+:\d+\] -A FORWARD -j PRE_DOCKER_GUARD)$/m, '[0:0] -A FORWARD -j ACCEPT\n$1');
      assert.notEqual(pushed, report);
      const state4 = firewallTables(parseFirewallReport(pushed, '', 0), DEFAULT_CHAIN);
      const status = firewallStatus({ tables: state4, ports, firewallBackend: inventory.docker.firewallBackend }, persistence);
      const warning = status.warnings.find((w) => w.code === 'hook-not-first');
      assert.match(warning?.message ?? '', /^IPv4: the jump to PRE_DOCKER_GUARD is rule 2 of security FORWARD, not the first/);
      assert.ok(!status.warnings.some((w) => w.code === 'legacy-hook'), 'the guard is not the 2017 recipe');
    });

    test('a port published after the lockdown is reported as reachable over IPv6 until applied again', () => {
      const more = [...ports, { container: 'late', hostIp: '::', hostPort: 9999, containerPort: 80, proto: 'tcp' as const }];
      const status = firewallStatus({ tables: state, ports: more, firewallBackend: inventory.docker.firewallBackend }, persistence);
      const late = status.ports.find((p) => p.container === 'late');
      if (major === '20') {
        assert.equal(late?.exposure, 'exposed');
        assert.ok(status.warnings.some((w) => w.code === 'ipv6-not-covered'));
      }
      assert.equal(status.ipv6.drift, 'outdated');
    });

    test('iptables-save -c of the whole host parses with counters', () => {
      const tables = parseIptablesSave(read(major, 'iptables-save.txt'));
      assert.ok(tables.has('filter') && tables.has('nat'));
      assert.ok(rulesOf(tables.get('nat'), 'DOCKER').some((r) => r.target === 'DNAT' && r.args.includes('8080')));
      assert.ok(tables.get('filter')!.rules.some((r) => r.packets > 0));
    });
  });
}

test('Docker\'s nftables backend (no DOCKER-USER) is refused with an explanation, and so is a host without Docker chains', () => {
  const state = firewallTables(parseFirewallReport(read('20', 'locked-report.txt'), '', 0), DEFAULT_CHAIN);
  assert.throws(() => planFor({ tables: state, policy: { locked: true, allows: [] }, ports: [], firewallBackend: 'nftables' }), /nftables firewall backend/);
  const bare = firewallTables(parseFirewallReport('\n### version\niptables v1.8.9 (nf_tables)\n\n### save4-nft\n\n### rc 0\n\n### end\n', '', 0), DEFAULT_CHAIN);
  assert.throws(() => planFor({ tables: bare, policy: { locked: true, allows: [] }, ports: [] }), /DOCKER-USER chain was not found/);
});

test('a read that did not finish is an error that keeps the host\'s last stderr line', () => {
  assert.throws(() => parseFirewallReport('### version\n', 'sudo: a password is required\n', 1), /sudo: a password is required/);
});
