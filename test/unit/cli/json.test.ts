import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowJson, allowJsonAt } from '../../../src/cli/json';
import { parseCidr } from '../../../src/core/validate';

const UNTIL = 1_796_000_000; // 2026-11-30T00:53:20Z
const range = { port: 18100, endPort: 18110, proto: 'udp' as const, from: parseCidr('198.51.100.7'), until: UNTIL };

test('an allow in --json: port, endPort for a range, proto, from (null for anywhere), expires (ISO, UTC) for one that ends', () => {
  assert.deepEqual(allowJson({ port: 443, proto: 'tcp' }), { port: 443, proto: 'tcp', from: null });
  assert.equal(JSON.stringify(allowJson(range)), '{"port":18100,"endPort":18110,"proto":"udp","from":"198.51.100.7/32","expires":"2026-11-30T00:53:20Z"}');
});

test('as of the host’s clock, the same fields with only `expired` added, and only for an allow that ends', () => {
  assert.deepEqual(allowJsonAt(range, UNTIL - 1), { ...allowJson(range), expired: false });
  assert.deepEqual(allowJsonAt(range, UNTIL), { ...allowJson(range), expired: true });
  assert.equal(JSON.stringify(allowJsonAt(range, UNTIL)), '{"port":18100,"endPort":18110,"proto":"udp","from":"198.51.100.7/32","expires":"2026-11-30T00:53:20Z","expired":true}');
  assert.deepEqual(allowJsonAt({ port: 80, proto: 'tcp' }, UNTIL), { port: 80, proto: 'tcp', from: null });
});
