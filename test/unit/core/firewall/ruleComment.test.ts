import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatComment, parseComment, type RuleRole } from '../../../../src/core/firewall/ruleComment';
import { parseCidr } from '../../../../src/core/validate';

const roles: fc.Arbitrary<RuleRole> = fc.oneof(
  fc.constantFrom<RuleRole>({ kind: 'established' }, { kind: 'from-containers' }, { kind: 'loopback' }, { kind: 'block' }),
  fc.record({ kind: fc.constant('proxy-block' as const), port: fc.integer({ min: 1, max: 65535 }), proto: fc.constantFrom('tcp' as const, 'udp' as const) }),
  fc.record({ kind: fc.constant('state' as const), digest: fc.stringMatching(/^[0-9a-f]{12}$/) }),
  fc.record({
    kind: fc.constant('allow' as const),
    allow: fc.record({
      port: fc.integer({ min: 1, max: 65534 }),
      // A range's end, above its start (an end at or below it is no range); fixed up below.
      endPort: fc.option(fc.integer({ min: 2, max: 65535 }), { nil: undefined }),
      proto: fc.constantFrom('tcp' as const, 'udp' as const),
      from: fc.option(fc.oneof(fc.ipV4().map((ip) => parseCidr(`${ip}/24`)), fc.ipV6().map((ip) => parseCidr(`${ip}/64`))), { nil: undefined }),
      // Whole seconds up to the year 2106, as the kernel's time match holds them.
      until: fc.option(fc.integer({ min: 1_000_000_000, max: 4_294_967_295 }), { nil: undefined }),
    }).map((a) => (a.endPort !== undefined && a.endPort <= a.port ? { ...a, endPort: undefined } : a)),
  }),
);

test('every rule role survives being written as a comment and read back', () => {
  fc.assert(
    fc.property(roles, (role) => {
      const text = formatComment(role);
      assert.ok(text.length <= 255, 'iptables comments hold 255 characters');
      const back = parseComment(text);
      // JSON drops undefined fields and fast-check's null prototypes alike.
      assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(role)));
    }),
  );
});

test('comments that are not ours, or that were tampered with, are not read as ours', () => {
  for (const text of ['', 'docker-firewall', 'ufw allow 80', 'docker-firewall:v1', 'docker-firewall:v1 allow tcp/0', 'docker-firewall:v1 allow tcp/80 from=999.1.1.1/8', 'docker-firewall:v1 allow tcp/90-80', 'docker-firewall:v1 allow tcp/80-80', 'docker-firewall:v1 allow tcp/80-70000', 'docker-firewall:v1 allow tcp/80-81-82', 'docker-firewall:v1 port tcp/80-90', 'docker-firewall:v1 allow tcp/80/x', 'docker-firewall:v1 block extra', 'docker-firewall:v2 block', 'docker-firewall:v1 state=xyz']) {
    assert.equal(parseComment(text), undefined, text);
  }
});
