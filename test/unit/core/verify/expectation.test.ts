import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, EXPECTATION_OF, expectationFor } from '../../../../src/core/verify/expectation';
import type { Observation } from '../../../../src/core/verify/observation';
import { parseCidr } from '../../../../src/core/validate';

const OBSERVATIONS: readonly Observation[] = ['open', 'closed', 'filtered', 'open|filtered'];

test('every exposure word says what a probe from outside should see, or why it is not probed', () => {
  const words = Object.fromEntries(Object.entries(EXPECTATION_OF).map(([word, rule]) => [word, typeof rule === 'object' ? 'not probed' : rule]));
  assert.deepEqual(words, {
    exposed: 'reachable',
    'host-network': 'reachable',
    allowed: 'by-source',
    blocked: 'unreachable',
    // The lockdown meant it closed: an answer is the finding.
    unverified: 'unreachable',
    'local-only': 'unreachable',
    routed: 'not probed',
    'host-service': 'not probed',
    unknown: 'not probed',
  });
  assert.throws(() => expectationFor('host-service', [], undefined), /not probed/);
});

test('a port the rules close that answers is an error; one that does not answer, in any way, matches', () => {
  assert.deepEqual(
    OBSERVATIONS.map((o) => compare('unreachable', o)),
    [{ match: false, severity: 'error' }, { match: true }, { match: true }, { match: true }],
  );
});

test('a port the rules open that does not answer from here (reset, silence, no UDP reply) is a warning; one that answers matches', () => {
  assert.deepEqual(
    OBSERVATIONS.map((o) => compare('reachable', o)),
    [{ match: true }, { match: false, severity: 'warning' }, { match: false, severity: 'warning' }, { match: false, severity: 'warning' }],
  );
});

test('exposed and allowed-from-anywhere ports are expected reachable; blocked and local-only ports unreachable', () => {
  assert.equal(expectationFor('exposed', [], '192.0.2.100').expected, 'reachable');
  assert.equal(expectationFor('allowed', [{ port: 8080, proto: 'tcp', from: undefined }], '192.0.2.100').expected, 'reachable');
  assert.equal(expectationFor('blocked', [], '192.0.2.100').expected, 'unreachable');
  assert.equal(expectationFor('local-only', [], '192.0.2.100').expected, 'unreachable');
});

test('a port allowed from a range is expected reachable only from an address in it (IPv4, IPv6, IPv4-mapped)', () => {
  const fromV4 = [{ port: 8081, proto: 'tcp' as const, from: parseCidr('192.0.2.0/28') }];
  assert.equal(expectationFor('allowed', fromV4, '192.0.2.10').expected, 'reachable');
  assert.equal(expectationFor('allowed', fromV4, '::ffff:192.0.2.10').expected, 'reachable');
  const outside = expectationFor('allowed', fromV4, '192.0.2.100');
  assert.equal(outside.expected, 'unreachable');
  assert.match(outside.note ?? '', /allowed from 192\.0\.2\.0\/28 only; this machine left from 192\.0\.2\.100/);
  const fromV6 = [{ port: 5353, proto: 'udp' as const, from: parseCidr('2001:db8:1::100') }];
  assert.equal(expectationFor('allowed', fromV6, '2001:db8:1::100').expected, 'reachable');
  assert.equal(expectationFor('allowed', fromV6, '192.0.2.100').expected, 'unreachable');
  assert.equal(expectationFor('allowed', fromV6, undefined).expected, 'unreachable');
});
