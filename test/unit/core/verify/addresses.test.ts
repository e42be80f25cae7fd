import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHost } from '../../../support/recordedHosts';
import { externalHostAddresses, probeAddresses, sshEndpoint, type Lookup } from '../../../../src/core/verify/addresses';

const CONFIG = `
Host prod
  HostName 203.0.113.7
  Port 2222
Host named
  HostName docker.example.test
Host tunnel
  HostName localhost
  Port 2200
Host bastioned
  HostName 10.0.0.5
  ProxyJump jump.example.test
`;

function withConfig<T>(body: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'dfw-verify-ssh-'));
  const path = join(dir, 'config');
  writeFileSync(path, CONFIG);
  return body(path).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const lookupTable =
  (table: Record<string, { address: string; family: number }[]>): Lookup =>
  (name) => {
    const found = table[name];
    if (found === undefined) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(found);
  };
const noLookup: Lookup = (name) => Promise.reject(new Error(`looked up ${name}`));

test('an alias resolves through the ssh config’s HostName and Port, as the SSH session does; an address needs no lookup', async () => {
  await withConfig(async (path) => {
    assert.deepEqual(await sshEndpoint({ destination: 'prod', sshConfigPath: path }, noLookup), {
      hostName: '203.0.113.7',
      port: 2222,
      proxyJump: undefined,
      addresses: [{ address: '203.0.113.7', family: 'ipv4', source: 'ssh' }],
    });
    const direct = await sshEndpoint({ destination: 'deploy@[2001:db8::7]:2200', sshConfigPath: path }, noLookup);
    assert.deepEqual([direct.port, direct.addresses], [2200, [{ address: '2001:db8::7', family: 'ipv6', source: 'ssh' }]]);
  });
});

test('a DNS name gives every address it resolves to on this machine, each once', async () => {
  await withConfig(async (path) => {
    const lookup = lookupTable({
      'docker.example.test': [
        { address: '2001:db8::7', family: 6 },
        { address: '203.0.113.7', family: 4 },
        { address: '2001:DB8:0::7', family: 6 },
      ],
    });
    const endpoint = await sshEndpoint({ destination: 'named', sshConfigPath: path }, lookup);
    assert.deepEqual(endpoint.addresses, [
      { address: '2001:db8::7', family: 'ipv6', source: 'ssh' },
      { address: '203.0.113.7', family: 'ipv4', source: 'ssh' },
    ]);
    assert.equal(endpoint.port, 22);
  });
});

test('a name that does not resolve, or resolves to this machine (a tunnel), leaves nothing to probe, and says why', async () => {
  await withConfig(async (path) => {
    const missing = await sshEndpoint({ destination: 'named', sshConfigPath: path }, lookupTable({}));
    assert.deepEqual(missing.addresses, []);
    assert.equal(missing.problem, 'docker.example.test does not resolve on this machine (ENOTFOUND)');
    const tunnel = await sshEndpoint({ destination: 'tunnel', sshConfigPath: path }, lookupTable({ localhost: [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }] }));
    assert.deepEqual(tunnel.addresses, []);
    assert.match(tunnel.problem ?? '', /^localhost is this machine \(127\.0\.0\.1, ::1\): SSH reaches the host through a local tunnel/);
  });
});

test('a host behind a ProxyJump names its jump host: its own address may not be reachable from here', async () => {
  await withConfig(async (path) => {
    const endpoint = await sshEndpoint({ destination: 'bastioned', sshConfigPath: path }, noLookup);
    assert.equal(endpoint.proxyJump, 'jump.example.test');
    assert.deepEqual(endpoint.addresses, [{ address: '10.0.0.5', family: 'ipv4', source: 'ssh' }]);
  });
});

test('the host’s own global addresses join those of SSH, each once, never this machine’s', () => {
  const ssh = [{ address: '192.0.2.1', family: 'ipv4', source: 'ssh' } as const];
  assert.deepEqual(probeAddresses(ssh, ['192.0.2.1', '2001:db8:1::1', '::1', 'not-an-address']), [
    { address: '192.0.2.1', family: 'ipv4', source: 'ssh' },
    { address: '2001:db8:1::1', family: 'ipv6', source: 'host' },
  ]);
  assert.deepEqual(probeAddresses(ssh), ssh);
});

test('of the host’s recorded addresses, those on Docker’s bridges are never probed from outside', () => {
  const host = openHost('28');
  const all = host.reading.facts.addresses;
  const kept = externalHostAddresses(all, host.reading.inventory);
  assert.ok(all.some((a) => a.device === 'docker0'), 'the recording has docker0’s address (positive control)');
  assert.ok(kept.length > 0 && kept.length < all.length, JSON.stringify(all));
  for (const a of all) assert.equal(kept.includes(a.address), !(a.device === 'docker0' || a.device.startsWith('br-') || host.reading.inventory.networks.some((n) => n.bridge?.name === a.device)), a.device);
});
