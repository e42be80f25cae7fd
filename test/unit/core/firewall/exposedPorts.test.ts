import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PortExposure } from '../../../../src/core/firewall/exposure';
import { exposedPorts } from '../../../../src/core/firewall/exposedPorts';

const port = (over: Partial<PortExposure>): PortExposure => ({
  container: 'web',
  hostIp: '0.0.0.0',
  hostPort: 8080,
  containerPort: 80,
  proto: 'tcp',
  exposure: 'exposed',
  reason: 'no lockdown',
  origin: 'published',
  path: 'dnat',
  paths: ['dnat'],
  ...over,
});

test('an exposed port counts once per container and port/protocol, named by its IPv4 binding; other exposures and host sockets do not count', () => {
  const found = exposedPorts([
    port({ hostIp: '::' }),
    port({}),
    port({ proto: 'udp' }),
    port({ container: 'db', hostPort: 5432, exposure: 'blocked' }),
    port({ container: 'admin', hostIp: '127.0.0.1', hostPort: 8082, exposure: 'local-only' }),
    port({ container: 'sshd', hostPort: 22, origin: 'host-service' }),
  ]);
  assert.deepEqual(
    found.map((p) => [p.key, p.address, p.ports.length]),
    [
      ['web 8080/tcp', '0.0.0.0:8080', 2],
      ['web 8080/udp', '0.0.0.0:8080', 1],
    ],
  );
  assert.deepEqual(exposedPorts([port({ hostIp: '::' })]).map((p) => p.address), ['[::]:8080']);
});
