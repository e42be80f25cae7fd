import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf, renderLayout, type RenderContext } from '../../../../src/core/firewall/layout';
import { transitionPayload } from '../../../../src/core/firewall/transition';
import { DEFAULT_CHAIN, parseCidr } from '../../../../src/core/validate';

const context: RenderContext = { chain: DEFAULT_CHAIN, dockerUser: true, bridges: ['docker0', 'br-+'], proxiedPorts: [{ port: 8080, proto: 'tcp' }] };

test('an open policy owns no chain and no hook', () => {
  assert.deepEqual(renderLayout('ipv4', { locked: false, allows: [] }, context), { chains: [], hooks: [] });
});

test('the lockdown passes replies and container traffic, then allows, then drops what goes to a Docker bridge', () => {
  const layout = renderLayout('ipv4', { locked: true, allows: [{ port: 8080, proto: 'tcp' }, { port: 53, proto: 'udp', from: parseCidr('198.51.100.0/24') }] }, context);
  assert.equal(layout.chains.length, 2);
  const rules = layout.chains[0]!.rules;
  assert.match(rules[0]!, /^-m conntrack --ctstate RELATED,ESTABLISHED .* -j RETURN$/);
  assert.match(rules[1]!, /^-i docker0 .* -j RETURN$/);
  assert.match(rules[2]!, /^-i br-\+ .* -j RETURN$/);
  // Allows match the published (original destination) port, not the container port, sorted by port.
  assert.match(rules[3]!, /^-s 198\.51\.100\.0\/24 -p udp -m conntrack --ctorigdstport 53 --ctdir ORIGINAL .* -j RETURN$/);
  assert.match(rules[4]!, /^-p tcp -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL .* -j RETURN$/);
  assert.match(rules[5]!, /^-o docker0 .* -j DROP$/);
  assert.match(rules[6]!, /^-o br-\+ .* -j DROP$/);
  assert.equal(rules[7], `-m comment --comment "docker-firewall:v1 state=${digestOf(rules.slice(0, 7))}"`);
  assert.deepEqual(layout.hooks, [
    { from: 'DOCKER-USER', spec: '-j PRE_DOCKER', position: 1 },
    { table: 'security', from: 'FORWARD', spec: '-j PRE_DOCKER_GUARD', position: 1 },
  ]);
});

test('the same lockdown guards security FORWARD, after filter and never written by Docker, for packets that skipped DOCKER-USER', () => {
  const layout = renderLayout('ipv4', { locked: true, allows: [{ port: 8080, proto: 'tcp' }] }, context);
  const [main, guard] = layout.chains;
  assert.deepEqual({ name: guard!.name, table: guard!.table }, { name: 'PRE_DOCKER_GUARD', table: 'security' });
  assert.equal(main!.table, undefined, 'the main chain stays in filter');
  assert.deepEqual(guard!.rules, main!.rules);
  // Without DOCKER-USER in a family Docker forwards nothing there, so there is nothing to guard.
  const noForwarding = renderLayout('ipv6', { locked: true, allows: [] }, { ...context, dockerUser: false });
  assert.deepEqual(noForwarding.chains.map((c) => c.name), ['PRE_DOCKER_PROXY']);
});

test('IPv6 adds an INPUT chain that drops only the ports docker-proxy serves on [::], and applies only IPv6 source ranges', () => {
  const layout = renderLayout('ipv6', { locked: true, allows: [{ port: 9000, proto: 'tcp', from: parseCidr('198.51.100.0/24') }, { port: 9001, proto: 'tcp', from: parseCidr('2001:db8::/32') }] }, { ...context, dockerUser: false });
  assert.deepEqual(layout.chains.map((c) => c.name), ['PRE_DOCKER_PROXY']);
  const rules = layout.chains[0]!.rules.join('\n');
  assert.doesNotMatch(rules, /198\.51\.100/);
  assert.match(rules, /-s 2001:db8::\/32 -p tcp -m conntrack --ctorigdstport 9001/);
  assert.match(rules, /-p tcp -m tcp --dport 8080 .*proxy-block tcp\/8080.* -j DROP/);
  assert.doesNotMatch(rules, /--dport 22\b/);
  assert.deepEqual(layout.hooks, [{ from: 'INPUT', spec: '-j PRE_DOCKER_PROXY', position: 1 }]);
});

test('the same policy renders the same rules whatever the order of its allows', () => {
  const a = renderLayout('ipv4', { locked: true, allows: [{ port: 2, proto: 'tcp' }, { port: 1, proto: 'udp' }, { port: 2, proto: 'tcp' }] }, context);
  const b = renderLayout('ipv4', { locked: true, allows: [{ port: 1, proto: 'udp' }, { port: 2, proto: 'tcp' }] }, context);
  assert.deepEqual(a, b);
});

/** The payload cut into its table sections: table name → the lines between `*table` and COMMIT. */
function sections(lines: readonly string[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    if (line.startsWith('*')) result.set(line.slice(1), (current = []));
    else if (line === 'COMMIT') current = undefined;
    else if (current !== undefined) current.push(line);
  }
  return result;
}

test('a transition deletes old hooks and the old state marker exactly, then rebuilds, in one commit per table', () => {
  const old = renderLayout('ipv4', { locked: true, allows: [] }, context);
  const seeded = { chains: old.chains, hooks: [...old.hooks, { from: 'FORWARD', spec: '-o docker0 -j PRE_DOCKER', position: 1 }] };
  const next = renderLayout('ipv4', { locked: true, allows: [{ port: 8080, proto: 'tcp' }] }, context);
  const lines = transitionPayload(seeded, next);
  assert.deepEqual(lines.filter((l) => l.startsWith('*') || l === 'COMMIT'), ['*filter', 'COMMIT', '*security', 'COMMIT']);
  assert.deepEqual(lines.slice(-2), ['COMMIT', '']);
  const filter = sections(lines).get('filter')!;
  assert.equal(filter[0], '-D DOCKER-USER -j PRE_DOCKER');
  assert.equal(filter[1], '-D FORWARD -o docker0 -j PRE_DOCKER');
  assert.equal(filter[2], `-D PRE_DOCKER ${old.chains[0]!.rules.at(-1)!}`);
  assert.equal(filter[3], ':PRE_DOCKER - [0:0]');
  assert.deepEqual(filter.filter((l) => l.startsWith('-I ')), ['-I DOCKER-USER 1 -j PRE_DOCKER']);
  const security = sections(lines).get('security')!;
  assert.equal(security[0], '-D FORWARD -j PRE_DOCKER_GUARD');
  assert.equal(security[1], `-D PRE_DOCKER_GUARD ${old.chains[1]!.rules.at(-1)!}`);
  assert.deepEqual(security.filter((l) => l.startsWith('-I ')), ['-I FORWARD 1 -j PRE_DOCKER_GUARD']);
});

test('a family with nothing of ours in security gets no security section', () => {
  const proxyOnly = renderLayout('ipv6', { locked: true, allows: [] }, { ...context, dockerUser: false });
  assert.deepEqual([...sections(transitionPayload({ chains: [], hooks: [] }, proxyOnly)).keys()], ['filter']);
});

test('creating a chain uses -N, so a chain another client made in the meantime makes the commit fail', () => {
  const next = renderLayout('ipv4', { locked: true, allows: [] }, context);
  assert.equal(transitionPayload({ chains: [], hooks: [] }, next)[1], '-N PRE_DOCKER');
});

test('unlocking flushes and deletes our chains after removing every jump to them', () => {
  const old = renderLayout('ipv6', { locked: true, allows: [] }, context);
  const lines = transitionPayload(old, { chains: [], hooks: [] });
  for (const [table, body] of sections(lines)) {
    const firstX = body.findIndex((l) => l.startsWith('-X '));
    const lastD = body.map((l) => l.startsWith('-D ')).lastIndexOf(true);
    assert.ok(firstX !== -1 && lastD < firstX, table);
  }
  assert.ok(lines.includes('-X PRE_DOCKER') && lines.includes('-X PRE_DOCKER_PROXY') && lines.includes('-X PRE_DOCKER_GUARD'));
});
