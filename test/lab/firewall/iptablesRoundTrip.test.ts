import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../src/core/remote/remoteCommand';
import { readFirewallCommand } from '../../../src/core/firewall/readFirewall';
import { currentState } from '../../../src/core/firewall/currentState';
import { planFor } from '../../../src/core/firewall/plan';
import { applyCommand } from '../../../src/core/firewall/applyCommand';
import { readPolicy } from '../../../src/core/firewall/readPolicy';
import { sameLayout } from '../../../src/core/firewall/layout';
import { describeAllow, normalizeAllows, type Policy } from '../../../src/core/firewall/policy';
import type { PublishedPort } from '../../../src/core/firewall/publishedPort';
import { parseCidr } from '../../../src/core/validate';
import { makeIptablesNamespace, type IptablesNamespace } from '../../support/iptablesNetns';
import { needsRoot } from '../../support/requirements';

/**
 * Real iptables (both variants) in a throwaway network namespace, no Docker: proves that what we
 * render is what iptables-save prints back text for text, and that every transition is accepted.
 */
const ports: PublishedPort[] = [
  { container: 'web', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, proto: 'tcp' },
  { container: 'web', hostIp: '::', hostPort: 8080, containerPort: 80, proto: 'tcp' },
  { container: 'dns', hostIp: '::', hostPort: 5353, containerPort: 5353, proto: 'udp' },
];

const policies: [string, Policy][] = [
  ['locked', { locked: true, allows: [] }],
  ['locked with allows', { locked: true, allows: [{ port: 8080, proto: 'tcp' }, { port: 5353, proto: 'udp', from: parseCidr('198.51.100.0/24') }, { port: 8081, proto: 'tcp', from: parseCidr('2001:db8:2::/48') }] }],
  ['locked again', { locked: true, allows: [] }],
  ['open', { locked: false, allows: [] }],
];

for (const variant of ['nft', 'legacy'] as const) {
  describe(`iptables-${variant}: render, apply and read back`, { skip: needsRoot(`iptables-${variant} round trip`) }, () => {
    let ns: IptablesNamespace;
    before(() => {
      ns = makeIptablesNamespace(variant, 'dfw-rt');
      // The 2017 recipe's hook, which blocking must replace.
      ns.run([`iptables-${variant}`, '-N', 'PRE_DOCKER']);
      ns.run([`iptables-${variant}`, '-I', 'FORWARD', '-o', 'docker0', '-j', 'PRE_DOCKER']);
    });
    after(() => ns.remove());

    for (const [name, policy] of policies) {
      test(`${name}: applied in one transaction per family and read back exactly`, async () => {
        const runner = ns.runner;
        const before = currentState(await run(runner, readFirewallCommand), 'PRE_DOCKER');
        assert.equal(before.variant, variant);
        const plan = planFor({ state: before, policy, ports });
        const outcome = await run(runner, applyCommand(variant, plan.payloads));
        assert.equal(outcome.kind, 'applied');
        const after = currentState(await run(runner, readFirewallCommand), 'PRE_DOCKER');
        assert.ok(sameLayout(after.ipv4.layout, plan.ipv4.wanted), `IPv4 read back differs:\n${JSON.stringify(after.ipv4.layout, null, 1)}`);
        assert.ok(sameLayout(after.ipv6.layout, plan.ipv6.wanted), `IPv6 read back differs:\n${JSON.stringify(after.ipv6.layout, null, 1)}`);
        // What the rules say is the policy that was applied: locked or not, and exactly its allows.
        const read = readPolicy(after);
        assert.equal(read.locked, policy.locked);
        assert.deepEqual(read.allows.map(describeAllow).sort(), normalizeAllows(policy.allows).map(describeAllow).sort());
        // The same policy again plans nothing at all.
        assert.equal(planFor({ state: after, policy, ports }).changed, false);
      });
    }

    test('a transition planned on a stale read is refused whole (compare-and-swap)', async () => {
      const runner = ns.runner;
      const state0 = currentState(await run(runner, readFirewallCommand), 'PRE_DOCKER');
      const planA = planFor({ state: state0, policy: { locked: true, allows: [{ port: 1, proto: 'tcp' }] }, ports });
      const planB = planFor({ state: state0, policy: { locked: true, allows: [{ port: 2, proto: 'tcp' }] }, ports });
      assert.equal((await run(runner, applyCommand(variant, planA.payloads))).kind, 'applied');
      const saveBefore = ns.run([`iptables-${variant}-save`, '-t', 'filter']);
      assert.equal((await run(runner, applyCommand(variant, planB.payloads))).kind, 'conflict');
      const saveAfter = ns.run([`iptables-${variant}-save`, '-t', 'filter']);
      const strip = (s: string) => s.split('\n').filter((l) => !l.startsWith('#')).join('\n');
      assert.equal(strip(saveAfter), strip(saveBefore));
      const opened = planFor({ state: currentState(await run(runner, readFirewallCommand), 'PRE_DOCKER'), policy: { locked: false, allows: [] }, ports });
      assert.equal((await run(runner, applyCommand(variant, opened.payloads))).kind, 'applied');
    });
  });
}
