import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PortExposure } from '../../../../src/core/firewall/exposure';
import { probePlan, type ProbeAddress } from '../../../../src/core/verify/targets';
import { lockedHost } from '../../../support/recordedHosts';

const V4: ProbeAddress = { address: '192.0.2.1', family: 'ipv4', source: 'ssh' };
const V6: ProbeAddress = { address: '2001:db8:1::1', family: 'ipv6', source: 'host' };
const ports = lockedHost('20').firewall.ports;

const targetsOf = (plan: ReturnType<typeof probePlan>) =>
  plan.targets.map((t) => `${t.address} ${t.port}/${t.proto} ${t.bindings.map((b) => `${b.container}@${b.hostIp}`).join(',')}`).sort();

test('0.0.0.0 bindings are probed on the IPv4 addresses, :: bindings on the IPv6 ones, loopback ones on their family where they must not answer', () => {
  const plan = probePlan(ports, [V4, V6]);
  assert.deepEqual(targetsOf(plan), [
    '192.0.2.1 5353/udp dns@0.0.0.0',
    '192.0.2.1 8080/tcp web@0.0.0.0',
    '192.0.2.1 8081/tcp app@0.0.0.0',
    '192.0.2.1 8082/tcp admin@127.0.0.1',
    '2001:db8:1::1 5353/udp dns@::',
    '2001:db8:1::1 8080/tcp web@::',
    '2001:db8:1::1 8081/tcp app@::',
  ]);
  assert.deepEqual(plan.unprobed, []);
});

test('with only the address SSH uses (IPv4), the :: bindings are listed as not probed, with the reason', () => {
  const plan = probePlan(ports, [V4]);
  assert.equal(plan.targets.length, 4);
  assert.deepEqual(
    plan.unprobed.map((u) => `${u.port.container}@${u.port.hostIp}: ${u.reason}`).sort(),
    ['app@::: no IPv6 address of the host is known here', 'dns@::: no IPv6 address of the host is known here', 'web@::: no IPv6 address of the host is known here'],
  );
});

const port = (over: Partial<PortExposure>): PortExposure => ({
  container: 'c',
  hostIp: '0.0.0.0',
  hostPort: 9000,
  containerPort: 80,
  proto: 'tcp',
  exposure: 'blocked',
  reason: '',
  origin: 'published',
  path: 'dnat',
  paths: ['dnat'],
  ...over,
});

test('a binding on one address is probed on that address only, however it is spelled, and not at all when it is not one of ours', () => {
  const two: ProbeAddress = { address: '192.0.2.50', family: 'ipv4', source: 'host' };
  const plan = probePlan(
    [port({ hostIp: '192.0.2.50', container: 'one' }), port({ hostIp: '2001:DB8:1:0::1', hostPort: 9001, container: 'six' }), port({ hostIp: '198.51.100.7', hostPort: 9002, container: 'elsewhere' })],
    [V4, two, V6],
  );
  assert.deepEqual(targetsOf(plan), ['192.0.2.50 9000/tcp one@192.0.2.50', '2001:db8:1::1 9001/tcp six@2001:DB8:1:0::1']);
  assert.deepEqual(plan.unprobed.map((u) => u.port.container), ['elsewhere']);
  assert.match(plan.unprobed[0]?.reason ?? '', /198\.51\.100\.7 is not an address this machine probes/);
});

test('a loopback binding yields to another binding of the same port on the host addresses; sctp is never probed; no address from Docker means both families', () => {
  const plan = probePlan(
    [port({ hostIp: '127.0.0.1', container: 'local', exposure: 'local-only' }), port({ hostIp: '0.0.0.0', container: 'public' }), port({ hostIp: '', hostPort: 9100, container: 'any' }), port({ proto: 'sctp', hostPort: 9200, container: 'sctp' })],
    [V4, V6],
  );
  assert.deepEqual(targetsOf(plan), ['192.0.2.1 9000/tcp public@0.0.0.0', '192.0.2.1 9100/tcp any@', '2001:db8:1::1 9100/tcp any@']);
  assert.deepEqual(plan.unprobed.map((u) => `${u.port.container}: ${u.reason}`), [
    'sctp: sctp ports are not probed (tcp and udp only)',
    "local: 127.0.0.1:9000/tcp is local only, and another binding serves 9000/tcp on the host's other addresses",
  ]);
});

test('no addresses, no probes: every binding says why (the host’s own services are no claim of ours, and are left out)', () => {
  const plan = probePlan(ports, []);
  assert.equal(plan.targets.length, 0);
  const services = ports.filter((p) => p.exposure === 'host-service');
  assert.ok(services.length > 0, 'the recording lists host services (positive control)');
  assert.equal(plan.unprobed.length, ports.length - services.length);
  assert.ok(!plan.unprobed.some((u) => u.port.exposure === 'host-service'));
});

test('routed and unknown ports are listed as not probed, with why', () => {
  const base = ports.find((p) => p.exposure !== 'host-service')!;
  const plan = probePlan([{ ...base, exposure: 'routed' }, { ...base, exposure: 'unknown', hostPort: base.hostPort + 1 }], [{ address: '192.0.2.1', family: 'ipv4', source: 'ssh' }]);
  assert.equal(plan.targets.length, 0);
  assert.deepEqual(plan.unprobed.map((u) => u.reason), [
    "reachable by routing to the container's own address, which this check does not probe",
    'what serves it could not be read, so there is nothing to compare with',
  ]);
});
