import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../src/core/remote/remoteCommand';
import { readFirewallCommand } from '../../../src/core/firewall/readFirewall';
import { firewallTables } from '../../../src/core/firewall/firewallTables';
import { planFor } from '../../../src/core/firewall/plan';
import { applyCommand } from '../../../src/core/firewall/applyCommand';
import { readPolicy } from '../../../src/core/firewall/readPolicy';
import { sameLayout } from '../../../src/core/firewall/layout';
import { describeAllow, normalizeAllows, type Policy } from '../../../src/core/firewall/policy';
import type { LockdownScope } from '../../../src/core/firewall/scope';
import { DEFAULT_CHAIN, parseCidr } from '../../../src/core/validate';
import { makeIptablesNamespace, type IptablesNamespace } from '../../support/iptablesNetns';
import { needsRoot } from '../../support/requirements';

/**
 * Real iptables (both variants) in a throwaway network namespace, no Docker: proves that what we
 * render is what iptables-save prints back text for text, and that every transition is accepted.
 */
/** What a host with web (8080 on both families), dns (5353/udp on IPv6) and two bridges asks the lockdown to cover. */
const scope: LockdownScope = {
  ipv4: { bridges: ['br-0123456789ab', 'docker0'], hostPorts: [{ port: 8080, proto: 'tcp' }] },
  ipv6: { bridges: ['br-0123456789ab', 'docker0'], hostPorts: [{ port: 8080, proto: 'tcp' }, { port: 5353, proto: 'udp' }, { port: 9000, proto: 'tcp', address: '2001:db8::1' }] },
  sshPort: 22,
  unusableBridges: [],
};

const policies: [string, Policy][] = [
  ['locked', { locked: true, allows: [] }],
  ['locked with allows', { locked: true, allows: [{ port: 8080, proto: 'tcp' }, { port: 5353, proto: 'udp', from: parseCidr('198.51.100.0/24') }, { port: 8081, proto: 'tcp', from: parseCidr('2001:db8:2::/48') }] }],
  // Allows for a while: the time match and the until= comment must come back from iptables-save as rendered.
  ['locked with allows that expire', { locked: true, allows: [{ port: 8080, proto: 'tcp', until: 1_900_000_000 }, { port: 5353, proto: 'udp', from: parseCidr('2001:db8:2::7/128'), until: 1_800_000_061 }] }],
  ['locked with a range allow', { locked: true, allows: [{ port: 18100, endPort: 18110, proto: 'tcp' }, { port: 18100, endPort: 18102, proto: 'udp', from: parseCidr('192.0.2.0/24') }] }],
  ['locked again', { locked: true, allows: [] }],
  ['open', { locked: false, allows: [] }],
];

for (const variant of ['nft', 'legacy'] as const) {
  describe(`iptables-${variant}: render, apply and read back`, { skip: needsRoot(`iptables-${variant} round trip`) }, () => {
    let ns: IptablesNamespace;
    before(() => {
      ns = makeIptablesNamespace(variant, 'dfw-rt');
      // The 2017 recipe's hook, which blocking must replace.
      ns.run([`iptables-${variant}`, '-N', DEFAULT_CHAIN]);
      ns.run([`iptables-${variant}`, '-I', 'FORWARD', '-o', 'docker0', '-j', DEFAULT_CHAIN]);
    });
    after(() => ns.remove());

    for (const [name, policy] of policies) {
      test(`${name}: applied in one transaction per family and read back exactly`, async () => {
        const runner = ns.runner;
        const before = firewallTables(await run(runner, readFirewallCommand()), DEFAULT_CHAIN);
        assert.equal(before.variant, variant);
        const plan = planFor({ tables: before, policy, scope });
        const outcome = await run(runner, applyCommand(variant, plan.payloads));
        assert.equal(outcome.kind, 'applied');
        const after = firewallTables(await run(runner, readFirewallCommand()), DEFAULT_CHAIN);
        assert.ok(sameLayout(after.ipv4.layout, plan.ipv4.wanted), `IPv4 read back differs:\n${JSON.stringify(after.ipv4.layout, null, 1)}`);
        assert.ok(sameLayout(after.ipv6.layout, plan.ipv6.wanted), `IPv6 read back differs:\n${JSON.stringify(after.ipv6.layout, null, 1)}`);
        // What the rules say is the policy that was applied: locked or not, and exactly its allows.
        const read = readPolicy(after);
        assert.equal(read.locked, policy.locked);
        assert.deepEqual(read.allows.map(describeAllow).sort(), normalizeAllows(policy.allows).map(describeAllow).sort());
        // The same policy again plans nothing at all.
        assert.equal(planFor({ tables: after, policy, scope }).changed, false);
      });
    }

    test('a transition planned on a stale read is refused whole (compare-and-swap)', async () => {
      const runner = ns.runner;
      const state0 = firewallTables(await run(runner, readFirewallCommand()), DEFAULT_CHAIN);
      const planA = planFor({ tables: state0, policy: { locked: true, allows: [{ port: 1, proto: 'tcp' }] }, scope });
      const planB = planFor({ tables: state0, policy: { locked: true, allows: [{ port: 2, proto: 'tcp' }] }, scope });
      assert.equal((await run(runner, applyCommand(variant, planA.payloads))).kind, 'applied');
      const saveBefore = ns.run([`iptables-${variant}-save`, '-t', 'filter']);
      assert.equal((await run(runner, applyCommand(variant, planB.payloads))).kind, 'conflict');
      const saveAfter = ns.run([`iptables-${variant}-save`, '-t', 'filter']);
      const strip = (s: string) => s.split('\n').filter((l) => !l.startsWith('#')).join('\n');
      assert.equal(strip(saveAfter), strip(saveBefore));
      const opened = planFor({ tables: firewallTables(await run(runner, readFirewallCommand()), DEFAULT_CHAIN), policy: { locked: false, allows: [] }, scope });
      assert.equal((await run(runner, applyCommand(variant, opened.payloads))).kind, 'applied');
    });
  });
}
