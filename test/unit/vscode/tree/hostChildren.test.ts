import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_SNAPSHOT } from '../../../../src/vscode/hosts/hostSnapshot';
import { childrenOf, isHostLevel, portNodes } from '../../../../src/vscode/tree/hostChildren';
import { nodeId, type ContainerNode, type HostTreeNode } from '../../../../src/vscode/tree/nodes';
import { openHost, snapshotOf } from '../../../support/recordedHosts';

const rec = openHost('20');
const snapshot = snapshotOf(rec);
const containers = childrenOf('h1', snapshot).filter((n): n is ContainerNode => n.kind === 'container');

test('a host read successfully has its containers as children, sorted by name', () => {
  assert.deepEqual(
    containers.map((c) => c.container.name),
    rec.reading.inventory.containers.map((c) => c.name).sort((a, b) => a.localeCompare(b)),
  );
});

test('each container gets exactly its own published ports, IPv4 before IPv6', () => {
  const web = containers.find((c) => c.container.name === 'web');
  assert.ok(web);
  assert.deepEqual(
    web.ports.map((p) => `${p.hostIp}:${p.hostPort}/${p.proto}`),
    ['0.0.0.0:8080/tcp', ':::8080/tcp'],
  );
  const worker = containers.find((c) => c.container.name === 'worker');
  assert.deepEqual(worker?.ports, []);
  assert.equal(containers.flatMap((c) => c.ports).length, rec.firewall.ports.filter((p) => !isHostLevel(p)).length);
  const hostnet = containers.find((c) => c.container.name === 'hostnet');
  assert.deepEqual(hostnet?.ports.map((p) => `${p.hostIp}:${p.hostPort}/${p.proto} ${p.exposure}`), ['0.0.0.0:8090/tcp host-network', ':::8090/tcp host-network']);
});

test('a host that could not be read has one error child that says why', () => {
  const children = childrenOf('h1', { status: undefined, loading: false, failure: { message: 'Could not connect to h1: timeout', code: 'ConnectTimeout', at: new Date() } });
  assert.deepEqual(children, [{ kind: 'error', hostName: 'h1', message: 'Could not connect to h1: timeout', code: 'ConnectTimeout' }]);
});

test('a host with no containers says so; a host not read yet has no children yet', () => {
  const empty = snapshotOf({ ...rec, reading: { ...rec.reading, inventory: { ...rec.reading.inventory, containers: [] } } });
  assert.deepEqual(childrenOf('h1', empty).map((n) => n.kind), ['info', 'services']);
  assert.deepEqual(childrenOf('h1', UNKNOWN_SNAPSHOT), []);
});

test('port nodes carry the host lock and only the allows of their own port', () => {
  const allows = [
    { port: 8080, proto: 'tcp' as const },
    { port: 8080, proto: 'udp' as const },
    { port: 9000, proto: 'tcp' as const },
  ];
  const web = containers.find((c) => c.container.name === 'web');
  assert.ok(web);
  const ports = portNodes({ ...web, locked: true, allows });
  assert.ok(ports.every((p) => p.locked));
  assert.ok(ports.every((p) => p.allows.length === 1 && p.allows[0]?.proto === 'tcp' && p.allows[0].port === 8080));
});

test('tree item ids are unique across the whole tree', () => {
  const all: HostTreeNode[] = [...containers, ...containers.flatMap(portNodes), { kind: 'host', hostName: 'h1' }];
  const ids = all.map(nodeId);
  assert.equal(new Set(ids).size, ids.length);
});
