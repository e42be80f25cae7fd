import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { changes, planChange } from '../../../../src/core/hosts/firewallEngine';
import { lockdownScope, socketOrigin } from '../../../../src/core/firewall/scope';
import { formatPorts } from '../../../../src/cli/format';
import { portJson } from '../../../../src/cli/json';
import { rootlessHost } from '../../../support/recordedHosts';

/**
 * A rootless dockerd beside the root one, as a real lab host printed it (test/fixtures/docker/rootless,
 * lab/record-rootless-fixtures.sh): its published port is a socket of rootlesskit (uid 1005) on the
 * host, which the root daemon knows nothing of. The lab test (test/lab/engine/rootless.test.ts)
 * checks the same port from outside, before and after Block.
 */
const PORT = 8097;

describe('rootless Docker (recorded)', () => {
  const { reading, firewall } = rootlessHost();
  const rootless = firewall.ports.filter((p) => p.hostPort === PORT);

  test('the socket is rootlesskit\'s, a process of the rootless user, and no container of the root daemon holds it', () => {
    const sockets = (reading.facts.sockets ?? []).filter((s) => s.port === PORT);
    assert.deepEqual(sockets.map((s) => `${s.address} ${s.process ?? '?'}`).sort(), ['0.0.0.0 rootlesskit', ':: rootlesskit']);
    for (const socket of sockets) {
      assert.deepEqual(socketOrigin(socket, reading.inventory, reading.facts.processes), { kind: 'rootless', process: 'rootlesskit' });
      assert.equal(reading.facts.processes.get(socket.pids[0]!)?.uid, 1005);
    }
    assert.ok(reading.inventory.containers.every((c) => c.ports.every((p) => p.hostPort !== PORT)));
  });

  test('its port is rootless, on the host-socket path, exposed in both families (no lockdown)', () => {
    assert.deepEqual(rootless.map((p) => `${p.hostIp} ${p.origin} ${p.path} ${p.exposure}`).sort(), ['0.0.0.0 rootless host-socket exposed', ':: rootless host-socket exposed']);
    assert.ok(rootless.every((p) => p.reason.includes('rootlesskit serves a rootless Docker\'s published port on the host\'s own socket (INPUT path)')));
    // The root daemon's own ports stay what they were.
    assert.ok(firewall.ports.filter((p) => p.container === 'web').every((p) => p.origin === 'published' && p.path !== 'host-socket'));
  });

  test('Block covers it on INPUT by port in both families, never the SSH port', () => {
    const scope = lockdownScope(reading.inventory, reading.facts);
    assert.equal(scope.sshPort, 22);
    for (const family of ['ipv4', 'ipv6'] as const) {
      assert.ok(scope[family].hostPorts.some((p) => p.port === PORT && p.proto === 'tcp' && p.address === undefined), family);
      assert.ok(!scope[family].hostPorts.some((p) => p.port === 22), family);
    }
    const plan = planChange(reading, changes.block());
    for (const payload of [plan.ipv4.payload, plan.ipv6.payload]) assert.match(payload ?? '', new RegExp(`-p tcp -m tcp --dport ${PORT} .*-j DROP`));
  });

  test('the CLI names it: origin and path in --json, "(rootless Docker)" in the table', () => {
    const json = rootless.map(portJson);
    assert.ok(json.every((p) => p.origin === 'rootless' && p.path === 'host-socket' && p.container === ''));
    assert.match(formatPorts(rootless), /\(rootless Docker\)\s+0\.0\.0\.0:8097\/tcp\s+8097\s+exposed/);
  });
});
