import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PortExposure } from '../../../../src/core/firewall/exposure';
import { UNKNOWN_SNAPSHOT } from '../../../../src/vscode/hosts/hostSnapshot';
import { allowsFor, bindingText } from '../../../../src/core/firewall/port';
import { containerItemText, hostItemText, portDescription, portItemText, portSummary } from '../../../../src/vscode/tree/hostTreeText';
import { escapeMarkdown } from '../../../../src/vscode/tree/treeText';
import { parseCidr } from '../../../../src/core/validate';
import { lockedHost, openHost, snapshotOf } from '../../../support/recordedHosts';

const rec = openHost('28');
const entry = { name: 'h2', destination: 'h2' };
const port = (over: Partial<PortExposure>): PortExposure => ({
  container: 'web',
  hostIp: '0.0.0.0',
  hostPort: 8080,
  containerPort: 80,
  proto: 'tcp',
  exposure: 'blocked',
  reason: '0.0.0.0:8080/tcp is blocked for new connections from outside the host.',
  origin: 'published',
  path: 'dnat',
  paths: ['dnat', 'proxy'],
  ...over,
});

test('a host reads "open" or "locked" as its description, with an icon to match', () => {
  const open = hostItemText(entry, snapshotOf(rec));
  assert.equal(open.label, 'h2');
  assert.equal(open.description, 'open');
  assert.deepEqual(open.icon, { id: 'unlock', color: 'list.warningForeground' });
  const locked = hostItemText(entry, snapshotOf({ ...rec, firewall: { ...rec.firewall, locked: true } }));
  assert.equal(locked.description, 'locked');
  assert.deepEqual(locked.icon, { id: 'lock', color: 'charts.green' });
});

test('a locked host with warnings has a warning-coloured lock and says how many in its tooltip', () => {
  const warned = hostItemText(entry, snapshotOf({ ...rec, firewall: { ...rec.firewall, locked: true, warnings: [{ code: 'not-persistent', message: 'x' }] } }));
  assert.deepEqual(warned.icon, { id: 'lock', color: 'list.warningForeground' });
  assert.match(warned.tooltip ?? '', /1 warning: see Chain Status/);
});

test('the host tooltip names the destination, Docker version, containers and ports by exposure', () => {
  const tooltip = hostItemText({ name: 'prod', destination: 'deploy@203.0.113.7:2222' }, snapshotOf(rec)).tooltip ?? '';
  assert.match(tooltip, /`deploy@203\.0\.113\.7:2222`/);
  assert.match(tooltip, /Docker 28\\\.5\\\.2\\\+dfsg4/);
  assert.match(tooltip, /6 containers · 9 published ports: 6 exposed, 1 local only, 2 exposed \(host network\) · 3 host services/);
  assert.match(tooltip, /Lockdown \*\*off\*\*/);
  assert.match(tooltip, /Read at 12:03:04/);
});

test('a host not read yet, being connected to, or unreachable says so', () => {
  assert.equal(hostItemText(entry, UNKNOWN_SNAPSHOT).description, '');
  const connecting = hostItemText(entry, { ...UNKNOWN_SNAPSHOT, loading: true });
  assert.equal(connecting.description, 'connecting…');
  assert.equal(connecting.icon?.id, 'loading~spin');
  const failed = hostItemText(entry, { status: undefined, loading: false, failure: { message: 'Could not connect to h2: refused', code: 'ConnectionFailed', at: new Date() } });
  assert.equal(failed.description, 'unreachable');
  assert.match(failed.tooltip ?? '', /Could not be read: Could not connect to h2: refused/);
});

test('a container shows its name, then image and state', () => {
  const container = rec.reading.inventory.containers.find((c) => c.name === 'web');
  assert.ok(container);
  const text = containerItemText(container, rec.firewall.ports.filter((p) => p.container === 'web'));
  assert.equal(text.label, 'web');
  assert.equal(text.description, `${container.image} · running`);
  assert.equal(text.icon?.id, 'vm-running');
  assert.match(text.tooltip ?? '', /`0\.0\.0\.0:8080 → 80\/tcp` exposed/);
});

test('a port is labelled like docker ps, with brackets around IPv6 addresses', () => {
  assert.equal(bindingText(port({})), '0.0.0.0:8080 → 80/tcp');
  assert.equal(bindingText(port({ hostIp: '::' })), '[::]:8080 → 80/tcp');
  assert.equal(bindingText(port({ hostIp: '' })), '*:8080 → 80/tcp');
});

test('a port describes its exposure: exposed, blocked, allowed (from which ranges) or local only', () => {
  assert.equal(portDescription(port({ exposure: 'exposed' }), []), 'exposed');
  assert.equal(portDescription(port({ exposure: 'blocked' }), []), 'blocked');
  assert.equal(portDescription(port({ exposure: 'local-only', hostIp: '127.0.0.1' }), []), 'local only');
  assert.equal(portDescription(port({ exposure: 'allowed' }), [{ port: 8080, proto: 'tcp' }]), 'allowed');
  const ranges = [
    { port: 8080, proto: 'tcp' as const, from: { family: 'ipv4' as const, text: '203.0.113.0/24' } },
    { port: 8080, proto: 'tcp' as const, from: { family: 'ipv6' as const, text: '2001:db8::/32' } },
  ];
  assert.equal(portDescription(port({ exposure: 'allowed' }), ranges), 'allowed from 203.0.113.0/24, 2001:db8::/32');
  assert.equal(portDescription(port({ exposure: 'allowed' }), [...ranges, { port: 8080, proto: 'tcp' }]), 'allowed');
});

test('a port tooltip says why it is in its state (the engine’s reason) and lists its allows', () => {
  const text = portItemText(port({ exposure: 'allowed', reason: '0.0.0.0:8080/tcp is open: 8080/tcp from anywhere.' }), [{ port: 8080, proto: 'tcp' }]);
  assert.match(text.tooltip ?? '', /is open: 8080\/tcp from anywhere/);
  assert.match(text.tooltip ?? '', /Allowed: 8080\/tcp from anywhere/);
  assert.deepEqual(text.icon, { id: 'unlock' });
  assert.deepEqual(portItemText(port({ exposure: 'exposed' }), []).icon, { id: 'globe', color: 'list.warningForeground' });
  assert.deepEqual(portItemText(port({ exposure: 'blocked' }), []).icon, { id: 'lock' });
});

test('every recorded reason appears in its port’s tooltip', () => {
  for (const p of rec.firewall.ports) assert.ok((portItemText(p, []).tooltip ?? '').includes(escapeMarkdown(p.reason)), p.reason);
});

test('the port summary counts ports by exposure', () => {
  assert.equal(portSummary([]), 'no published ports');
  assert.equal(portSummary([port({}), port({ exposure: 'exposed' }), port({ exposure: 'exposed' })]), '3 published ports: 2 exposed, 1 blocked');
});

test('a recorded lockdown: ports allowed from a range say from where, the host has a warning-coloured lock', () => {
  const locked = lockedHost('28');
  const allows = locked.firewall.policy.allows;
  const describe = (ip: string, port: number) => {
    const p = locked.firewall.ports.find((x) => x.hostIp === ip && x.hostPort === port);
    assert.ok(p);
    return portDescription(p, allowsFor(allows, p));
  };
  assert.equal(describe('0.0.0.0', 5353), 'blocked');
  assert.equal(describe('::', 5353), 'allowed from 2001:db8:1::100/128');
  assert.equal(describe('0.0.0.0', 8080), 'allowed');
  assert.equal(describe('0.0.0.0', 8081), 'allowed from 192.0.2.100/32');
  assert.equal(describe('::', 8081), 'blocked');
  const host = hostItemText({ name: 'h1', destination: 'h1' }, snapshotOf(locked));
  assert.equal(host.description, 'locked');
  assert.deepEqual(host.icon, { id: 'lock', color: 'list.warningForeground' });
  assert.match(host.tooltip ?? '', /Lockdown \*\*on\*\* \(chain `PRE_DOCKER`\), not persistent/);
});

test('a port allowed for a while says for whom and how long is left; once its allow ended, that it is blocked again', () => {
  const now = Date.UTC(2026, 11, 5, 4, 13, 0) / 1000;
  const me = { now, clientAddress: '192.0.2.101' };
  const allowed = port({ exposure: 'allowed' });
  const fromMe = { port: 8080, proto: 'tcp' as const, from: parseCidr('192.0.2.101'), until: now + 47 * 60 };
  assert.equal(portDescription(allowed, [fromMe], me), 'allowed for you · 47 min left');
  assert.equal(portDescription(allowed, [{ port: 8080, proto: 'tcp', until: now + 2 * 3600 }], me), 'allowed · 2 h left');
  assert.equal(portDescription(allowed, [{ ...fromMe, from: parseCidr('203.0.113.0/24') }], me), 'allowed from 203.0.113.0/24 · 47 min left');
  // Two allows: the port stays allowed until the later ends; one without an end keeps it allowed.
  assert.equal(portDescription(allowed, [fromMe, { ...fromMe, until: undefined, from: parseCidr('203.0.113.0/24') }], me), 'allowed from 192.0.2.101/32, 203.0.113.0/24');
  assert.equal(portDescription(allowed, [{ port: 8080, proto: 'tcp' }], me), 'allowed', 'an allow without end reads as before');
  // Ended since the read (the read still called it allowed), and ended before it (the read called it blocked).
  const ended = portItemText(allowed, [{ ...fromMe, until: now - 1 }], me);
  assert.equal(ended.description, 'blocked · allow ended');
  assert.deepEqual(ended.icon, { id: 'lock' });
  assert.equal(portDescription(port({ exposure: 'blocked' }), [{ ...fromMe, until: now - 600 }], me), 'blocked · allow ended');
  // The tooltip says until when, in UTC and local time (Markdown escapes taken out to read it).
  assert.match((portItemText(allowed, [fromMe], me).tooltip ?? '').replace(/\\/g, ''), /Allowed: 8080\/tcp from 192\.0\.2\.101\/32 \(your address\), until 2026-12-05 05:00:00 UTC \(\d\d:\d\d:\d\d local time\), 47 min left/);
});
