import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_SNAPSHOT, type HostSnapshot } from '../../../../src/vscode/hosts/hostSnapshot';
import { contextValue, nodeContextValue } from '../../../../src/vscode/tree/contextValue';
import { childrenOf, portNodes } from '../../../../src/vscode/tree/hostChildren';
import { hostNode, type ContainerNode, type HostTreeNode } from '../../../../src/vscode/tree/nodes';
import { lockedHost, openHost, snapshotOf } from '../../../support/recordedHosts';

const open = snapshotOf(openHost('28'));
const valueOf = (node: HostTreeNode, snapshot: HostSnapshot) => nodeContextValue(node, () => snapshot, Date.now());

test('a host is tagged with its state, and a locked host whose lockdown is saved as in force with +persistent', () => {
  assert.equal(valueOf(hostNode('h2'), open), 'host+open+blockable+readable');
  assert.equal(valueOf(hostNode('h2'), UNKNOWN_SNAPSHOT), 'host+unknown');
  assert.equal(valueOf(hostNode('h2'), { ...UNKNOWN_SNAPSHOT, loading: true }), 'host+connecting');
  assert.equal(valueOf(hostNode('h2'), { status: undefined, loading: false, failure: { message: 'x', code: 'ConnectTimeout', at: new Date() } }), 'host+unreachable');
  const status = open.status;
  assert.ok(status);
  const locked = (persistence: 'none' | 'current' | 'outdated'): HostSnapshot => ({
    ...open,
    status: {
      ...status,
      firewall: {
        ...status.firewall,
        locked: true,
        persistence: persistence === 'none' ? { state: 'none' } : { state: persistence, systemd: 'enabled', savedDigest: 'abc', firewalldFollower: false },
      },
    },
  });
  assert.equal(valueOf(hostNode('h2'), locked('none')), 'host+locked+unblockable+readable+persistable');
  assert.equal(valueOf(hostNode('h2'), locked('current')), 'host+locked+persistent+unblockable+readable');
  assert.equal(valueOf(hostNode('h2'), locked('outdated')), 'host+locked+unblockable+readable+persistable');
});

test('a host being read again keeps showing what it was read as (menus do not flicker during refreshes)', () => {
  assert.equal(valueOf(hostNode('h2'), { ...open, loading: true }), 'host+open+blockable+readable');
});

test('ports of a host without lockdown are exposed (host-network ones too), or local-only on loopback, never +locked', () => {
  const containers = childrenOf('h2', open).filter((n): n is ContainerNode => n.kind === 'container');
  const values = containers.flatMap(portNodes).map((p) => valueOf(p, open));
  assert.deepEqual([...new Set(values)].sort(), ['port+exposed', 'port+host-network', 'port+local-only']);
});

test('host services sit under their own node, and offer no firewall command', () => {
  const services = childrenOf('h2', open).find((n) => n.kind === 'services');
  assert.ok(services?.kind === 'services');
  assert.equal(valueOf(services, open), 'services');
  assert.deepEqual([...new Set(portNodes(services).map((p) => valueOf(p, open)))], ['port+host-service']);
});

test('a port allowed from anywhere is tagged +anywhere and cannot be opened further; sctp ports carry their protocol and cannot be allowed', () => {
  const base = { kind: 'port', exposure: 'allowed', locked: true, proto: 'tcp' } as const;
  assert.equal(contextValue({ ...base, allowedFromAnywhere: true }), 'port+allowed+locked+anywhere+deniable');
  assert.equal(contextValue({ ...base, allowedFromAnywhere: false }), 'port+allowed+locked+allowable+deniable');
  assert.equal(contextValue({ kind: 'port', exposure: 'blocked', locked: true, allowedFromAnywhere: false, proto: 'sctp' }), 'port+blocked+locked+sctp');
  assert.equal(contextValue({ kind: 'port', exposure: 'blocked', locked: true, allowedFromAnywhere: false, proto: 'udp' }), 'port+blocked+locked+allowable');
});

test('container states from Docker cannot inject tags or regex syntax', () => {
  assert.equal(contextValue({ kind: 'container', state: 'running' }), 'container+running');
  assert.equal(contextValue({ kind: 'container', state: 'Up+locked (x)' }), 'container+up-locked--x-');
  assert.equal(contextValue({ kind: 'container', state: '' }), 'container+unknown');
});

test('ports of a locked host: blocked, allowed (+anywhere when open to all), local-only, all +locked', () => {
  const snapshot = snapshotOf(lockedHost('28'));
  const containers = childrenOf('h1', snapshot).filter((n): n is ContainerNode => n.kind === 'container');
  const byPort = Object.fromEntries(containers.flatMap(portNodes).map((p) => [`${p.port.hostIp}:${p.port.hostPort}/${p.port.proto}`, valueOf(p, snapshot)]));
  assert.deepEqual(byPort, {
    '127.0.0.1:8082/tcp': 'port+local-only+locked',
    '0.0.0.0:8081/tcp': 'port+allowed+locked+allowable+deniable',
    ':::8081/tcp': 'port+blocked+locked+allowable',
    '0.0.0.0:5353/udp': 'port+blocked+locked+allowable',
    ':::5353/udp': 'port+allowed+locked+allowable+deniable',
    '0.0.0.0:8080/tcp': 'port+allowed+locked+anywhere+deniable',
    ':::8080/tcp': 'port+allowed+locked+anywhere+deniable',
  });
  assert.equal(valueOf(hostNode('h1'), snapshot), 'host+locked+unblockable+readable+persistable');
});

test('a locked host one of whose allows has ended (by the host clock, counted on since the read) is +prunable', () => {
  const status = open.status;
  assert.ok(status);
  const now = status.firewall.now;
  const readAt = status.readAt.getTime();
  const withAllow = (until: number): HostSnapshot => ({
    ...open,
    status: { ...status, firewall: { ...status.firewall, locked: true, persistence: { state: 'none' }, policy: { locked: true, allows: [{ port: 8080, proto: 'tcp', until }] } } },
  });
  const at = (snapshot: HostSnapshot, msAfterRead: number) => nodeContextValue(hostNode('h2'), () => snapshot, readAt + msAfterRead);
  assert.equal(at(withAllow(now + 60), 0), 'host+locked+unblockable+readable+persistable');
  assert.equal(at(withAllow(now + 60), 61_000), 'host+locked+unblockable+readable+persistable+prunable', 'ended since the read');
  assert.equal(at(withAllow(now - 1), 0), 'host+locked+unblockable+readable+persistable+prunable');
});
