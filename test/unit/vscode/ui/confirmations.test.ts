import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allowOnOpenHostConfirmation,
  blockConfirmation,
  distinctPorts,
  groupBlockConfirmation,
  persistConfirmation,
  removeHostConfirmation,
  unblockConfirmation,
} from '../../../../src/vscode/ui/confirmations';
import { lockedHost, openHost } from '../../../support/recordedHosts';

const rec = openHost('20');

test('Block External Access lists the ports that will become blocked, once per port, and names its button after the verb', () => {
  const c = blockConfirmation('h1', rec.firewall.ports, { locked: true, allows: [] });
  assert.equal(c.message, 'Block external access to h1?');
  assert.equal(c.action, 'Block External Access');
  assert.match(c.detail, /will refuse new connections from other machines \(IPv4 and IPv6\):\n {2}• 5353\/udp \(dns\)\n {2}• 8080\/tcp \(web\)\n {2}• 8081\/tcp \(app\)\n {2}• 8090\/tcp \(hostnet\)\n\n/);
  assert.doesNotMatch(c.detail, /8082/, 'a loopback-only port is not affected');
  assert.doesNotMatch(c.detail, /stay reachable/);
});

test('the allows that stay open are listed, and their ports are not among those to be blocked', () => {
  const c = blockConfirmation('h1', rec.firewall.ports, { locked: true, allows: [{ port: 8080, proto: 'tcp' }] });
  assert.match(c.detail, /These stay reachable:\n {2}• 8080\/tcp from anywhere/);
  assert.doesNotMatch(c.detail, /8080\/tcp \(web\)/);
});

test('Remove Lockdown lists the ports that open up again and the allows that go', () => {
  const locked = rec.firewall.ports.map((p) => (p.exposure === 'exposed' ? { ...p, exposure: p.hostPort === 8080 ? ('allowed' as const) : ('blocked' as const) } : p));
  const c = unblockConfirmation('h1', locked, { locked: true, allows: [{ port: 8080, proto: 'tcp' }] });
  assert.equal(c.action, 'Remove Lockdown');
  assert.match(c.detail, /reachable from every network again:\n {2}• 5353\/udp \(dns\)\n {2}• 8080\/tcp \(web\)/);
  assert.match(c.detail, /The allows are removed too:\n {2}• 8080\/tcp from anywhere/);
});

test('allowing a port on a host without lockdown proposes the lockdown with that allow', () => {
  const c = allowOnOpenHostConfirmation('h1', rec.firewall.ports, { port: 8080, proto: 'tcp' });
  assert.equal(c.action, 'Block External Access');
  assert.match(c.message, /h1 has no lockdown.*except 8080\/tcp from anywhere\?/);
  assert.match(c.detail, /These stay reachable:\n {2}• 8080\/tcp from anywhere/);
});

test('Make Persistent says which files it writes; Remove Host says the rules stay', () => {
  assert.match(persistConfirmation('h1').detail, /\/etc\/docker-firewall\/.*docker-firewall-restore.*docker-firewall\.service/s);
  assert.match(removeHostConfirmation('h1').detail, /rules stay on the host/);
});

test('ports are listed once per port and protocol, with all their containers', () => {
  // The host's own services (sshd on 22, socat on 8091) are never among them.
  assert.deepEqual(distinctPorts(rec.firewall.ports), ['5353/udp (dns)', '8080/tcp (web)', '8081/tcp (app)', '8082/tcp (admin)', '8090/tcp (hostnet)']);
});

test('Remove Lockdown on a recorded lockdown lists every port that opens up and its allows', () => {
  const locked = lockedHost('28');
  const c = unblockConfirmation('h1', locked.firewall.ports, locked.firewall.policy);
  assert.match(c.detail, /again:\n {2}• 5353\/udp \(dns\)\n {2}• 8080\/tcp \(web\)\n {2}• 8081\/tcp \(app\)\n\n/);
  assert.match(c.detail, /removed too:\n {2}• 5353\/udp from 2001:db8:1::100\/128\n {2}• 8080\/tcp from anywhere\n {2}• 8081\/tcp from 192\.0\.2\.100\/32/);
});

test('Block External Access on a group: one confirmation, each host with its ports that will close; hosts already blocked or unreadable are named and left alone', () => {
  const c = groupBlockConfirmation('lab', [
    { hostName: 'h1', kind: 'change', ports: rec.firewall.ports, wanted: { locked: true, allows: [] } },
    { hostName: 'h2', kind: 'change', ports: rec.firewall.ports, wanted: { locked: true, allows: [{ port: 8080, proto: 'tcp' }] } },
    { hostName: 'h3', kind: 'unchanged' },
    { hostName: 'dead', kind: 'unreadable', reason: 'connect ECONNREFUSED 192.0.2.1:2222' },
  ]);
  assert.equal(c.message, 'Block external access to 2 hosts of lab (IPv4 and IPv6)?');
  assert.equal(c.action, 'Block External Access');
  assert.match(c.detail, /^h1 closes to other machines:\n {2}• 5353\/udp \(dns\)\n {2}• 8080\/tcp \(web\)\n {2}• 8081\/tcp \(app\)\n {2}• 8090\/tcp \(hostnet\)\n\n/);
  assert.match(c.detail, /\n\nh2 closes to other machines:\n {2}• 5353\/udp \(dns\)\n {2}• 8081\/tcp \(app\)\n {2}• 8090\/tcp \(hostnet\)\n {2}stays reachable: 8080\/tcp from anywhere\n\n/);
  assert.match(c.detail, /Already blocked, nothing to change: h3\./);
  assert.match(c.detail, /Could not be read, left alone:\n {2}• dead: connect ECONNREFUSED 192\.0\.2\.1:2222/);
  assert.doesNotMatch(c.detail, /8082/, 'a loopback-only port is not affected');
});

test('a group host name from the settings cannot break the modal (control characters shown, not obeyed)', () => {
  const c = groupBlockConfirmation('g\u202e1', [{ hostName: 'x\ny', kind: 'change', ports: [], wanted: { locked: true, allows: [] } }]);
  assert.doesNotMatch(c.message, /\u202e/);
  assert.doesNotMatch(c.detail.split('\n')[0] ?? '', /^x$/);
  assert.match(c.message, /^Block external access to 1 host of /);
});
