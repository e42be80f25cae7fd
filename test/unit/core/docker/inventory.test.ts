import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidResponse } from '../../../../src/core/errors';
import { buildInventory, readInventory, type DockerInventorySource } from '../../../../src/core/docker/inventory';
import { parseContainers } from '../../../../src/core/docker/parseContainers';
import { ipv6FirewallByDefault, parseInfo, parseVersion } from '../../../../src/core/docker/parseEngine';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordedHosts, recording } from '../../../support/dockerRecordings';
import { DEMO_PORTS } from '../../../support/demoContainers';


const show = (p: { hostIp: string; hostPort: number; containerPort: number; proto: string }): string =>
  `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:${p.hostPort}->${p.containerPort}/${p.proto}`;

test('Docker 20.10: engine, API version, no firewall backend reported, no ip6tables by default', () => {
  const inventory = buildInventory(recording('docker-20'));
  assert.deepEqual(inventory.docker, { version: '20.10.24+dfsg1', apiVersion: '1.41', firewallBackend: undefined, ipv6Firewall: false });
});

test('Docker 28: the firewall backend comes from Info.FirewallBackend.Driver, ip6tables on by default', () => {
  const inventory = buildInventory(recording('docker-28'));
  assert.deepEqual(inventory.docker, { version: '28.5.2+dfsg4', apiVersion: '1.51', firewallBackend: 'iptables', ipv6Firewall: true });
});

test('both versions report 0.0.0.0 and :: as separate published entries, loopback-only once, and unpublished ports not at all', () => {
  for (const dir of ['docker-20', 'docker-28'] as const) {
    const { containers } = buildInventory(recording(dir));
    assert.deepEqual(
      Object.fromEntries(containers.filter((c) => c.name in DEMO_PORTS).map((c) => [c.name, c.ports.map(show)])),
      DEMO_PORTS,
      dir,
    );
    const web = containers.find((c) => c.name === 'web');
    assert.equal(web?.state, 'running');
    assert.equal(web?.image, 'lab/busybox:1');
    assert.match(web?.id ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(web?.networks.map((n) => n.name), ['bridge']);
    assert.match(web?.networks[0]?.ipv4 ?? '', /^172\.17\./);
    assert.deepEqual(containers.find((c) => c.name === 'worker')?.networks.map((n) => n.name), ['appnet']);
  }
});

test('every recording under test/fixtures/docker parses, with valid published ports only', () => {
  const hosts = recordedHosts();
  assert.ok(hosts.length >= 2);
  for (const host of hosts) {
    const inventory = buildInventory(host);
    assert.ok(inventory.docker.version.length > 0, host.name);
    for (const c of inventory.containers) {
      const keys = c.ports.map((p) => `${p.hostIp}|${p.hostPort}|${p.containerPort}|${p.proto}`);
      assert.equal(new Set(keys).size, keys.length, `${host.name} ${c.name}: no duplicates`);
      for (const p of c.ports) assert.ok(p.hostPort >= 1 && p.hostPort <= 65535 && ['tcp', 'udp', 'sctp'].includes(p.proto), host.name);
    }
    const demo = inventory.containers.filter((c) => c.name in DEMO_PORTS);
    for (const c of demo) assert.deepEqual(c.ports.map(show), DEMO_PORTS[c.name], `${host.name} ${c.name}`);
  }
});

test('a recording that does not parse or is missing fails the loader loudly, naming the file', () => {
  const root = mkdtempSync(join(tmpdir(), 'dfw-recordings-'));
  const dir = join(root, 'x');
  mkdirSync(dir);
  try {
    writeFileSync(join(dir, 'containers.json'), '[]');
    writeFileSync(join(dir, 'version.json'), '{"ApiVersion":"1.41"}');
    writeFileSync(join(dir, 'networks.json'), '[]');
    assert.throws(() => recording('x', root), /x\/info\.json cannot be read as JSON: ENOENT/);
    writeFileSync(join(dir, 'info.json'), '{"ServerVersion": "20.10.24",');
    assert.throws(() => recording('x', root), /x\/info\.json cannot be read as JSON/);
    writeFileSync(join(dir, 'info.json'), '{"ServerVersion":"20.10.24"}');
    assert.equal(recording('x', root).name, 'x');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('exact repeats are dropped, distinct host addresses kept, in a stable order', () => {
  const [c] = parseContainers([
    {
      Id: 'a'.repeat(64),
      Names: ['/web'],
      Image: 'nginx',
      State: 'running',
      Status: 'Up',
      Ports: [
        { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { PrivatePort: 443, Type: 'tcp' },
        { IP: '192.0.2.1', PrivatePort: 53, PublicPort: 53, Type: 'udp' },
        { IP: '0.0.0.0', PrivatePort: 53, PublicPort: 53, Type: 'tcp' },
      ],
      NetworkSettings: { Networks: { front: { IPAddress: '172.18.0.2', GlobalIPv6Address: '2001:db8:2::2' }, host: { IPAddress: '' } } },
    },
  ]);
  assert.deepEqual(c?.ports.map(show), ['0.0.0.0:53->53/tcp', '192.0.2.1:53->53/udp', '0.0.0.0:8080->80/tcp', '[::]:8080->80/tcp']);
  assert.deepEqual(c?.networks, [
    { name: 'front', networkId: undefined, ipv4: '172.18.0.2', ipv6: '2001:db8:2::2' },
    { name: 'host', networkId: undefined, ipv4: undefined, ipv6: undefined },
  ]);
});

test('the name is the one without a link path; missing Ports and NetworkSettings mean none', () => {
  const [c] = parseContainers([{ Id: 'b'.repeat(64), Names: ['/web/db', '/db'], Image: 'postgres', State: 'exited', Status: 'Exited (0)', Ports: null }]);
  assert.equal(c?.name, 'db');
  assert.deepEqual(c?.ports, []);
  assert.deepEqual(c?.networks, []);
});

test('JSON of the wrong shape is refused with InvalidResponse naming the path', () => {
  const bad = (json: unknown, path: RegExp): void => {
    assert.throws(
      () => parseContainers(json),
      (e: unknown) => e instanceof InvalidResponse && path.test(e.message),
    );
  };
  const base = { Id: 'c'.repeat(64), Names: ['/x'], Image: 'i', State: 'running', Status: '' };
  bad({ not: 'an array' }, /the body should be an array/);
  bad([{ ...base, Id: 5 }], /\[0\]\.Id should be a string/);
  bad([{ ...base, Ports: [{ PrivatePort: 80, PublicPort: 70000, Type: 'tcp' }] }], /\[0\]\.Ports\[0\]\.PublicPort/);
  bad([{ ...base, Ports: [{ PrivatePort: 80, PublicPort: 80, Type: 'icmp' }] }], /Type should be tcp, udp or sctp/);
  bad([{ ...base, Ports: [{ IP: '0.0.0.0; rm -rf /', PrivatePort: 80, PublicPort: 80, Type: 'tcp' }] }], /\.IP should be an IP address/);
  bad([{ ...base, NetworkSettings: { Networks: { n: { IPAddress: 'x' } } } }], /IPAddress should be an IPv4 address/);
  assert.throws(() => parseVersion({ Version: '28.0.0' }), /ApiVersion should be a string/);
  assert.throws(() => parseInfo({ FirewallBackend: 'iptables' }), /FirewallBackend should be an object/);
});

test('ip6tables default by version: from Docker 27 on', () => {
  assert.equal(ipv6FirewallByDefault('26.1.4'), false);
  assert.equal(ipv6FirewallByDefault('27.0.1'), true);
  assert.equal(ipv6FirewallByDefault('dev'), undefined);
});

test('readInventory asks for all containers, version, info and networks, passing the abort signal along', async () => {
  const recorded = recording('docker-28');
  const seen: unknown[] = [];
  const controller = new AbortController();
  const source: DockerInventorySource = {
    listContainers: (o) => {
      seen.push(['list', o.all, o.abortSignal === controller.signal]);
      return Promise.resolve(recorded.containers);
    },
    version: (o) => {
      seen.push(['version', o.abortSignal === controller.signal]);
      return Promise.resolve(recorded.version);
    },
    info: (o) => {
      seen.push(['info', o.abortSignal === controller.signal]);
      return Promise.resolve(recorded.info);
    },
    listNetworks: (o) => {
      seen.push(['networks', o.abortSignal === controller.signal]);
      return Promise.resolve(recorded.networks);
    },
  };
  const inventory = await readInventory(source, controller.signal);
  assert.ok(['admin', 'app', 'dns', 'web', 'worker'].every((name) => inventory.containers.some((c) => c.name === name)));
  assert.deepEqual(seen, [
    ['list', true, true],
    ['version', true],
    ['info', true],
    ['networks', true],
  ]);
});

test('networks: each bridge network with its exact bridge (its bridge.name option, docker0, or br- and 12 characters of the id)', () => {
  for (const dir of ['docker-20', 'docker-28', 'docker-29'] as const) {
    const { networks, containers } = buildInventory(recording(dir));
    const byName = Object.fromEntries(networks.map((n) => [n.name, n]));
    assert.equal(byName.bridge?.bridge?.name, 'docker0', dir);
    assert.equal(byName.custombr?.bridge?.name, 'appbr0', dir);
    assert.equal(byName.appnet?.bridge?.name, `br-${byName.appnet?.id.slice(0, 12) ?? ''}`, dir);
    assert.equal(byName.host?.bridge, undefined, `${dir}: the host network has no bridge`);
    assert.equal(containers.find((c) => c.name === 'app')?.networks[0]?.networkId, byName.appnet?.id, dir);
    assert.equal(containers.find((c) => c.name === 'hostnet')?.networkMode, 'host', dir);
  }
});

test('a bridge name the host made up is kept apart as unusable, never passed into a rule', () => {
  const network = (name: string, options: Record<string, string>) => ({ Id: 'a'.repeat(64), Name: name, Driver: 'bridge', Options: options, IPAM: { Config: [] } });
  const networks = buildInventory({ ...recording('docker-28'), networks: [network('evil', { 'com.docker.network.bridge.name': 'x -j ACCEPT' }), network('long', { 'com.docker.network.bridge.name': 'a'.repeat(16) })] }).networks;
  for (const n of networks) {
    assert.equal(n.bridge?.name, undefined, n.name);
    assert.ok(n.bridge?.unusable !== undefined, n.name);
  }
});
