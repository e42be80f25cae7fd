import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf, renderLayout, type RenderContext } from '../../../../src/core/firewall/layout';
import { transitionPayload } from '../../../../src/core/firewall/transition';
import { DEFAULT_CHAIN, parseCidr } from '../../../../src/core/validate';

const context: RenderContext = { chain: DEFAULT_CHAIN, dockerUser: true, bridges: ['docker0', 'br-0123456789ab'], sshPort: 22, hostPorts: [{ port: 8080, proto: 'tcp' }] };

test('an open policy owns no chain and no hook', () => {
  assert.deepEqual(renderLayout('ipv4', { locked: false, allows: [] }, context), { chains: [], hooks: [] });
});

const chain = (layout: ReturnType<typeof renderLayout>, name: string, table?: string) => {
  const found = layout.chains.find((c) => c.name === name && (c.table ?? 'filter') === (table ?? 'filter'));
  assert.ok(found, `${table ?? 'filter'} ${name}`);
  return found.rules;
};

test('the forward policy passes replies and the allows, then goes on (goto) to the chain of Docker\'s exact bridges', () => {
  const layout = renderLayout('ipv4', { locked: true, allows: [{ port: 8080, proto: 'tcp' }, { port: 53, proto: 'udp', from: parseCidr('198.51.100.0/24') }] }, context);
  const forward = chain(layout, 'PRE_DOCKER');
  assert.match(forward[0]!, /^-m conntrack --ctstate RELATED,ESTABLISHED .* -j RETURN$/);
  // Allows match the published (original destination) port, not the container port, sorted by port.
  assert.match(forward[1]!, /^-s 198\.51\.100\.0\/24 -p udp -m conntrack --ctorigdstport 53 --ctdir ORIGINAL .* -j RETURN$/);
  assert.match(forward[2]!, /^-p tcp -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL .* -j RETURN$/);
  assert.equal(forward[3], '-m comment --comment "docker-firewall:v1 to-bridges" -g PRE_DOCKER_NET');
  assert.equal(forward[4], `-m comment --comment "docker-firewall:v1 state=${digestOf(forward.slice(0, 4))}"`);
  const bridges = chain(layout, 'PRE_DOCKER_NET');
  // Byte order, exact names: a non-Docker br-lan is neither exempted nor blocked.
  assert.deepEqual(
    bridges.slice(0, -1).map((r) => r.replace(/ -m comment .* -j /, ' -j ')),
    ['-i br-0123456789ab -j RETURN', '-i docker0 -j RETURN', '-o br-0123456789ab -j DROP', '-o docker0 -j DROP'],
  );
  assert.ok(!layout.chains.some((c) => c.rules.some((r) => r.includes('br-+'))), 'no interface wildcard');
  assert.deepEqual(layout.hooks, [
    { from: 'DOCKER-USER', spec: '-j PRE_DOCKER', position: 1 },
    { table: 'security', from: 'FORWARD', spec: '-j PRE_DOCKER_GUARD', position: 1 },
    { from: 'INPUT', spec: '-j PRE_DOCKER_INPUT', position: 1 },
  ]);
});

test('the same forward policy guards security FORWARD, with its own chain of bridges in that table', () => {
  const layout = renderLayout('ipv4', { locked: true, allows: [{ port: 8080, proto: 'tcp' }] }, context);
  const guard = chain(layout, 'PRE_DOCKER_GUARD', 'security');
  assert.deepEqual(guard, chain(layout, 'PRE_DOCKER'));
  assert.deepEqual(chain(layout, 'PRE_DOCKER_NET', 'security'), chain(layout, 'PRE_DOCKER_NET'));
  // Without DOCKER-USER in a family Docker forwards nothing there, so only the INPUT path is covered.
  const noForwarding = renderLayout('ipv6', { locked: true, allows: [] }, { ...context, dockerUser: false });
  assert.deepEqual(noForwarding.chains.map((c) => c.name), ['PRE_DOCKER_INPUT', 'PRE_DOCKER_PORTS']);
});

test('the INPUT policy passes replies, loopback, the SSH port and the allows, then drops only the host ports, never SSH', () => {
  const hostPorts = [{ port: 8080, proto: 'tcp' as const }, { port: 22, proto: 'tcp' as const }, { port: 9000, proto: 'udp' as const, address: '2001:db8::1' }];
  const layout = renderLayout('ipv6', { locked: true, allows: [{ port: 9000, proto: 'tcp', from: parseCidr('198.51.100.0/24') }, { port: 9001, proto: 'tcp', from: parseCidr('2001:db8::/32') }] }, { ...context, dockerUser: false, hostPorts });
  const input = chain(layout, 'PRE_DOCKER_INPUT').join('\n');
  assert.match(input, /^-i lo .* -j RETURN$/m);
  assert.match(input, /^-p tcp -m tcp --dport 22 -m comment --comment "docker-firewall:v1 ssh" -j RETURN$/m);
  assert.doesNotMatch(input, /198\.51\.100/, 'an IPv4 range does nothing in IPv6');
  assert.match(input, /-s 2001:db8::\/32 -p tcp -m conntrack --ctorigdstport 9001/);
  const ports = chain(layout, 'PRE_DOCKER_PORTS').join('\n');
  assert.match(ports, /^-i docker0 .* -j RETURN$/m, 'containers reach docker-proxy over the host\'s address');
  assert.match(ports, /^-p tcp -m tcp --dport 8080 .*port tcp\/8080.* -j DROP$/m);
  assert.match(ports, /^-d 2001:db8::1\/128 -p udp -m udp --dport 9000 .* -j DROP$/m);
  assert.doesNotMatch(ports, /--dport 22\b/, 'the SSH port is never dropped');
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
  assert.deepEqual(filter.slice(0, 3), ['-D DOCKER-USER -j PRE_DOCKER', '-D INPUT -j PRE_DOCKER_INPUT', '-D FORWARD -o docker0 -j PRE_DOCKER']);
  assert.equal(filter[3], `-D PRE_DOCKER ${chain(old, 'PRE_DOCKER').at(-1)!}`);
  // Every chain is made or flushed before any rule goes in: the policy chains refer to the others.
  const firstAppend = filter.findIndex((l) => l.startsWith('-A '));
  assert.ok(filter.slice(0, firstAppend).includes(':PRE_DOCKER_NET - [0:0]'));
  assert.deepEqual(filter.filter((l) => l.startsWith('-I ')), ['-I DOCKER-USER 1 -j PRE_DOCKER', '-I INPUT 1 -j PRE_DOCKER_INPUT']);
  const security = sections(lines).get('security')!;
  assert.equal(security[0], '-D FORWARD -j PRE_DOCKER_GUARD');
  assert.equal(security[1], `-D PRE_DOCKER_GUARD ${chain(old, 'PRE_DOCKER_GUARD', 'security').at(-1)!}`);
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
  for (const name of ['PRE_DOCKER', 'PRE_DOCKER_NET', 'PRE_DOCKER_INPUT', 'PRE_DOCKER_PORTS', 'PRE_DOCKER_GUARD']) assert.ok(lines.includes(`-X ${name}`), name);
  // A chain is deleted only after every chain that referred to it was flushed.
  for (const [table, body] of sections(lines)) {
    const firstX = body.findIndex((l) => l.startsWith('-X '));
    assert.ok(body.slice(0, firstX).filter((l) => l.startsWith(':')).length === body.filter((l) => l.startsWith('-X ')).length, table);
  }
});
