import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portChoices } from '../../../../src/vscode/ui/portChoices';
import { openHost } from '../../../support/recordedHosts';

test('Allow Port offers each published port once, with its containers, leaving out loopback-only ones', () => {
  const rec = openHost('20');
  const choices = portChoices(rec.firewall.ports, []);
  assert.deepEqual(
    choices.map((c) => [c.label, c.description, c.detail]),
    [
      ['5353/udp', 'dns', 'exposed'],
      ['8080/tcp', 'web', 'exposed'],
      ['8081/tcp', 'app', 'exposed'],
      ['8090/tcp', 'hostnet', 'exposed (host network)'],
    ],
  );
  assert.deepEqual(choices[0]?.spec, { port: 5353, proto: 'udp' });
});

test('a port published by two containers (different addresses) names both; allows show in the detail', () => {
  const base = { hostPort: 8080, containerPort: 80, proto: 'tcp' as const, reason: '', origin: 'published' as const, path: 'dnat' as const, paths: ['dnat' as const] };
  const choices = portChoices(
    [
      { ...base, container: 'blue', hostIp: '192.0.2.10', exposure: 'allowed' },
      { ...base, container: 'green', hostIp: '192.0.2.11', exposure: 'allowed' },
      { ...base, container: 'sctp', hostIp: '0.0.0.0', hostPort: 9, proto: 'sctp', exposure: 'blocked' },
    ],
    [{ port: 8080, proto: 'tcp', from: { family: 'ipv4', text: '203.0.113.0/24' } }],
  );
  assert.deepEqual(choices.map((c) => [c.label, c.description, c.detail]), [['8080/tcp', 'blue, green', 'allowed from 203.0.113.0/24']]);
});
