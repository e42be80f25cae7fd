import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datestopText, isExpired, parseUntilText, remainingText, untilText, withoutExpired } from '../../../../src/core/firewall/expiry';
import { allowRules, renderLayout } from '../../../../src/core/firewall/layout';
import { persistCommand } from '../../../../src/core/firewall/persistence';
import { parseComment } from '../../../../src/core/firewall/ruleComment';
import { myAddress, resolveAllow } from '../../../../src/core/firewall/allowRequest';
import { normalizeAllows, withAllow, withoutAllow, type Policy } from '../../../../src/core/firewall/policy';
import { parseClock } from '../../../../src/core/firewall/hostFacts';
import { InvalidInput } from '../../../../src/core/errors';
import { DEFAULT_CHAIN, parseCidr, parseDuration } from '../../../../src/core/validate';

const T = Date.parse('2026-12-05T05:00:00Z') / 1000;

test('--for takes 10s to 90d in s, m, h or d, and refuses anything else with what to write', () => {
  assert.equal(parseDuration('30s'), 30);
  assert.equal(parseDuration('10m'), 600);
  assert.equal(parseDuration(' 2h '), 7200);
  assert.equal(parseDuration('7d'), 7 * 86400);
  assert.equal(parseDuration('10s'), 10);
  assert.equal(parseDuration('90d'), 90 * 86400);
  for (const bad of ['0', '0s', '5s', '9s', '91d', '1y', '10x', '', 's', '1.5h', '-10m', '10 m', '2h30m', '99999999s']) {
    assert.throws(() => parseDuration(bad), InvalidInput, bad);
  }
  assert.throws(() => parseDuration('5s'), /at least 10s/);
  assert.throws(() => parseDuration('1y'), /a number and a unit, s, m, h or d/);
  assert.throws(() => parseDuration('91d'), /at most 90d/);
});

test('an expiry is written as --datestop takes it and as our comments store it, and read back only in that exact form', () => {
  assert.equal(datestopText(T), '2026-12-05T05:00:00');
  assert.equal(untilText(T), '2026-12-05T05:00:00Z');
  assert.equal(parseUntilText('2026-12-05T05:00:00Z'), T);
  for (const bad of ['2026-12-05T05:00:00', '2026-02-30T00:00:00Z', '2026-12-05 05:00:00Z', '2026-12-05T05:00:00.000Z', '2026-12-05T25:00:00Z', '1e9', '']) {
    assert.equal(parseUntilText(bad), undefined, bad);
  }
});

test('an allow for a while renders the time match before its comment, as iptables-save prints it back (recorded)', () => {
  const [rule] = allowRules('ipv4', [{ port: 8080, proto: 'tcp', from: parseCidr('198.51.100.7'), until: T }]);
  // iptables-save v1.8.9 (nf_tables) printed exactly this for the rule added by hand (the comment without its prefix).
  assert.equal(
    rule,
    '-s 198.51.100.7/32 -p tcp -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -m time --datestop 2026-12-05T05:00:00 -m comment --comment "docker-firewall:v1 allow tcp/8080 from=198.51.100.7/32 until=2026-12-05T05:00:00Z" -j RETURN',
  );
  assert.deepEqual(parseComment('docker-firewall:v1 allow tcp/8080 from=198.51.100.7/32 until=2026-12-05T05:00:00Z'), {
    kind: 'allow',
    allow: { port: 8080, proto: 'tcp', from: parseCidr('198.51.100.7/32'), until: T },
  });
  assert.deepEqual(parseComment('docker-firewall:v1 allow udp/53 until=2026-12-05T05:00:00Z'), { kind: 'allow', allow: { port: 53, proto: 'udp', until: T } });
  for (const tampered of [
    'docker-firewall:v1 allow tcp/8080 until=2026-12-05T05:00:00Z from=198.51.100.7/32',
    'docker-firewall:v1 allow tcp/8080 until=2026-12-05T05:00:00Z until=2026-12-06T05:00:00Z',
    'docker-firewall:v1 allow tcp/8080 until=tomorrow',
    'docker-firewall:v1 allow tcp/8080 until=',
    'docker-firewall:v1 allow tcp/8080 from=198.51.100.7/32 extra',
  ]) {
    assert.equal(parseComment(tampered), undefined, tampered);
  }
});

test('an allow given again for the same port and source replaces the earlier one, its time with it; deny takes it back whatever its time', () => {
  const locked: Policy = { locked: true, allows: [] };
  const me = parseCidr('192.0.2.100');
  const forAnHour = withAllow(locked, { port: 8080, proto: 'tcp', from: me, until: T + 3600 });
  const forADay = withAllow(forAnHour, { port: 8080, proto: 'tcp', from: me, until: T + 86400 });
  assert.deepEqual(forADay.allows, [{ port: 8080, proto: 'tcp', from: me, until: T + 86400 }]);
  const forever = withAllow(forADay, { port: 8080, proto: 'tcp', from: me });
  assert.deepEqual(forever.allows, [{ port: 8080, proto: 'tcp', from: me }]);
  assert.deepEqual(withoutAllow(forADay, { port: 8080, proto: 'tcp', from: me }).allows, []);
  // Another source is another allow.
  assert.equal(withAllow(forADay, { port: 8080, proto: 'tcp' }).allows.length, 2);
  assert.equal(normalizeAllows([{ port: 1, proto: 'tcp', until: 5 }, { port: 1, proto: 'tcp', until: 9 }])[0]?.until, 9);
});

test('an allow has ended once the host clock reaches its time, and every change leaves ended ones out', () => {
  const policy: Policy = { locked: true, allows: [{ port: 1, proto: 'tcp', until: T }, { port: 2, proto: 'tcp', until: T + 1 }, { port: 3, proto: 'tcp' }] };
  assert.equal(isExpired(policy.allows[0]!, T - 1), false);
  assert.equal(isExpired(policy.allows[0]!, T), true);
  assert.equal(isExpired(policy.allows[2]!, T + 1e9), false);
  assert.deepEqual(withoutExpired(policy, T).allows.map((a) => a.port), [2, 3]);
});

test('"from me" is the address the host sees, as one host; "for" counts from the host clock', () => {
  const context = { now: T, clientAddress: '192.0.2.100' };
  assert.deepEqual(resolveAllow({ port: 8080, proto: 'tcp', from: 'me', forSeconds: 600 }, context), { port: 8080, proto: 'tcp', from: parseCidr('192.0.2.100/32'), until: T + 600 });
  assert.deepEqual(myAddress({ now: T, clientAddress: '2001:db8:1::100' }), parseCidr('2001:db8:1::100/128'));
  assert.deepEqual(myAddress({ now: T, clientAddress: '::ffff:192.0.2.7' }), parseCidr('192.0.2.7/32'));
  assert.deepEqual(resolveAllow({ port: 53, proto: 'udp' }, context), { port: 53, proto: 'udp' });
  assert.throws(() => myAddress({ now: T }), /did not say which address you connect from.*--from ADDRESS.*Nothing was changed/);
  // A host that prints something else where its address should be is refused, not guessed at.
  assert.throws(() => myAddress({ now: T, clientAddress: '192.0.2.100; rm -rf /' }), InvalidInput);
});

test('the host clock is read only as ten digits; time left reads as a person says it', () => {
  assert.equal(parseClock('1796446800\n'), 1796446800);
  for (const bad of [undefined, '', 'now', '17964468000', '-1796446800', '1796446800 1']) assert.equal(parseClock(bad), undefined, String(bad));
  assert.equal(remainingText(T + 30, T), '30 s left');
  assert.equal(remainingText(T + 47 * 60, T), '47 min left');
  assert.equal(remainingText(T + 3600, T), '1 h left');
  assert.equal(remainingText(T + 2 * 3600 + 5 * 60, T), '2 h 5 min left');
  assert.equal(remainingText(T + 3 * 86400, T), '3 d left');
  assert.equal(remainingText(T, T), 'expired');
});

test('a saved lockdown keeps the end of an allow given for a while: restored at boot, the allow still ends on time', () => {
  const policy: Policy = { locked: true, allows: [{ port: 8080, proto: 'tcp', from: parseCidr('192.0.2.100'), until: T }] };
  const context = { chain: DEFAULT_CHAIN, dockerUser: true, bridges: ['docker0'], sshPort: 22, hostPorts: [{ port: 8080, proto: 'tcp' as const }] };
  const saved = persistCommand('nft', DEFAULT_CHAIN, renderLayout('ipv4', policy, context), renderLayout('ipv6', policy, context));
  const rules = saved.files.find((f) => f.path.endsWith('rules.v4'))?.content ?? '';
  assert.match(rules, / -m time --datestop 2026-12-05T05:00:00 -m comment --comment "docker-firewall:v1 allow tcp\/8080 from=192\.0\.2\.100\/32 until=2026-12-05T05:00:00Z" -j RETURN/);
});
