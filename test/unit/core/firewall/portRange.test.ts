import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRangeSpec, samePort } from '../../../../src/core/firewall/port';
import { allowRules } from '../../../../src/core/firewall/layout';
import { allowsFor } from '../../../../src/core/firewall/port';
import { describeAllow, withAllow, withoutAllow } from '../../../../src/core/firewall/policy';
import { InvalidInput } from '../../../../src/core/errors';

test('an allow names one port or one range, low port first, both 1 to 65535', () => {
  assert.deepEqual(parseRangeSpec('18100-18110'), { port: 18100, endPort: 18110, proto: 'tcp' });
  assert.deepEqual(parseRangeSpec('18100-18110/udp'), { port: 18100, endPort: 18110, proto: 'udp' });
  assert.deepEqual(parseRangeSpec('8080'), { port: 8080, proto: 'tcp' });
  assert.deepEqual(parseRangeSpec('53/udp'), { port: 53, proto: 'udp' });
  assert.deepEqual(parseRangeSpec('80-80'), { port: 80, proto: 'tcp' }, 'a range of one port is that port');
  assert.throws(() => parseRangeSpec('10-5'), /runs backwards: give the lower port first \(5-10\)/);
  assert.throws(() => parseRangeSpec('0-10'), /Port 0 is out of range/);
  assert.throws(() => parseRangeSpec('1-70000'), /Port 70000 is out of range/);
  assert.throws(() => parseRangeSpec('80-81-82'), /not a port range: give one range, START-END/);
  for (const bad of ['-5', '80-', '-80', '80--90', '80-90/icmp', 'a-b', '80 90', '80-90/tcp/udp']) assert.throws(() => parseRangeSpec(bad), InvalidInput, bad);
});

test('a range allow is one conntrack port range, as iptables-save prints it back (recorded), and covers exactly its ports', () => {
  const range = { port: 18100, endPort: 18110, proto: 'udp' as const };
  // iptables-save and ip6tables-save v1.8.9 (nf_tables) printed `--ctorigdstport 18100:18110` for it.
  assert.deepEqual(allowRules('ipv6', [range]), ['-p udp -m conntrack --ctorigdstport 18100:18110 --ctdir ORIGINAL -m comment --comment "docker-firewall:v1 allow udp/18100-18110" -j RETURN']);
  assert.equal(samePort(range, { hostPort: 18100, proto: 'udp' }), true);
  assert.equal(samePort(range, { hostPort: 18110, proto: 'udp' }), true);
  assert.equal(samePort(range, { hostPort: 18111, proto: 'udp' }), false);
  assert.equal(samePort(range, { hostPort: 18099, proto: 'udp' }), false);
  assert.equal(samePort(range, { hostPort: 18105, proto: 'tcp' }), false);
  assert.deepEqual(allowsFor([range], { hostPort: 18105, proto: 'udp', hostIp: '::' }), [range]);
  assert.equal(describeAllow(range), '18100-18110/udp from anywhere');
});

test('a range and a single port inside it are two allows; deny takes back the one named', () => {
  const locked = { locked: true, allows: [] };
  const both = withAllow(withAllow(locked, { port: 18100, endPort: 18110, proto: 'tcp' }), { port: 18105, proto: 'tcp' });
  assert.equal(both.allows.length, 2);
  assert.deepEqual(withoutAllow(both, { port: 18105, proto: 'tcp' }).allows, [{ port: 18100, endPort: 18110, proto: 'tcp' }]);
  assert.deepEqual(withoutAllow(both, { port: 18100, endPort: 18110, proto: 'tcp' }).allows, [{ port: 18105, proto: 'tcp' }]);
});
