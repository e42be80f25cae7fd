import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { DockerUnavailable } from '../../src/core/errors';
import { DockerClient } from '../../src/core/docker/dockerClient';
import { readInventory, type Inventory } from '../../src/core/docker/inventory';
import { loadSshConfig, resolveSshHost, type SshConfig } from '../../src/core/ssh/sshConfig';
import { SshSession } from '../../src/core/ssh/sshSession';
import { sessionOptionsFromConfig } from '../../src/core/ssh/sshSessionOptions';
import { loadLab, type Lab } from '../support/lab';
import { needsLab } from '../support/requirements';
import { DEMO_PORTS } from '../support/demoContainers';

/**
 * Docker's Engine API over the lab hosts' one SSH connection (Docker 20.10 on h1, 28 on h2). Run
 * from the lab's outside namespace: `ip netns exec dfw-out node scripts/run-node-tests.mjs test/lab`.
 */
const skip = needsLab('SSH and Docker against the lab', { outside: true });


function demoPorts(inventory: Inventory): Record<string, string[]> {
  return Object.fromEntries(
    inventory.containers
      .filter((c) => c.name in DEMO_PORTS)
      .map((c) => [c.name, c.ports.map((p) => `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:${p.hostPort}->${p.containerPort}/${p.proto}`)]),
  );
}

describe('Docker over the SSH connection, against the lab', { skip }, () => {
  let lab: Lab;
  let config: SshConfig;

  before(async () => {
    lab = loadLab();
    config = (await loadSshConfig({ userConfig: lab.sshConfig })).config;
  });

  const sessionFor = (alias: string): SshSession => new SshSession(sessionOptionsFromConfig(resolveSshHost(config, alias)));

  test('listContainers over the forwarded socket returns the demo containers and their published ports, on both versions', async () => {
    for (const host of lab.hosts) {
      const session = sessionFor(host.name);
      const docker = new DockerClient(session, { socketPath: host.dockerSocket });
      try {
        const inventory = await readInventory(docker);
        assert.equal(docker.transport, 'streamlocal');
        assert.equal(inventory.docker.version, host.docker);
        assert.deepEqual(demoPorts(inventory), DEMO_PORTS, host.name);
        if (host.dockerMajor === 20) {
          assert.equal(inventory.docker.firewallBackend, undefined);
          assert.equal(inventory.docker.ipv6Firewall, false);
        } else {
          assert.equal(inventory.docker.firewallBackend, host.firewallBackend, host.name);
          assert.equal(inventory.docker.ipv6Firewall, true);
        }
        assert.equal(session.connectionCount, 1);
      } finally {
        docker.dispose();
        session.close();
      }
    }
  });

  // On the oldest and the newest Docker only: what is tested is SSH's channels, and every host costs CI time.
  test('one SSH connection serves many Docker API calls and commands at once', async () => {
    for (const host of lab.hosts.filter((h) => h.flavor === '20' || h.flavor === '29')) {
      const session = sessionFor(host.name);
      const docker = new DockerClient(session, { socketPath: host.dockerSocket });
      try {
        const [inventories, commands] = await Promise.all([
          Promise.all(Array.from({ length: 15 }, () => readInventory(docker))),
          Promise.all(Array.from({ length: 10 }, () => session.exec(['docker', 'ps', '-q']))),
        ]);
        assert.ok(inventories.every((i) => i.containers.length === inventories[0]?.containers.length));
        assert.ok(commands.every((c) => c.code === 0));
        assert.equal(session.connectionCount, 1, host.name);
        // Each inventory is four Engine API requests (containers, version, info, networks), each a dial-stdio stream.
        assert.equal(session.stats.streamChannels, 15 * 4);
      } finally {
        docker.dispose();
        session.close();
      }
    }
  });

  test('docker system dial-stdio on an exec channel gives the same answers', async () => {
    for (const host of lab.hosts) {
      const session = sessionFor(host.name);
      const docker = new DockerClient(session, { socketPath: host.dockerSocket, transport: 'dial-stdio' });
      try {
        const inventory = await readInventory(docker);
        assert.equal(docker.transport, 'dial-stdio');
        assert.deepEqual(demoPorts(inventory), DEMO_PORTS, host.name);
        assert.equal(session.connectionCount, 1);
        assert.equal(session.stats.streamChannels, 0);
      } finally {
        docker.dispose();
        session.close();
      }
    }
  });

  test('deploy (group docker) reads Docker; sudopw (not in it) reads it through sudo with its password, and without one gets DockerUnavailable saying to add it to the group', async () => {
    const h1 = lab.hosts[0];
    assert.ok(h1);
    const deploy = sessionFor(`${h1.name}-deploy`);
    const deployDocker = new DockerClient(deploy, { socketPath: h1.dockerSocket });
    try {
      assert.deepEqual(demoPorts(await readInventory(deployDocker)), DEMO_PORTS);
    } finally {
      deployDocker.dispose();
      deploy.close();
    }

    const sudopw = sessionFor(`${h1.name}-sudopw`);
    const sudopwDocker = new DockerClient(sudopw, { socketPath: h1.dockerSocket });
    try {
      await assert.rejects(sudopwDocker.listContainers({ all: true }), (error: unknown) => {
        assert.ok(error instanceof DockerUnavailable);
        assert.equal(error.reason, 'permission-denied');
        assert.match(error.message, /add sudopw to the docker group/);
        assert.match(error.message, /sudo: a password is required/);
        return true;
      });
    } finally {
      sudopwDocker.dispose();
      sudopw.close();
    }

    const password = readFileSync(lab.sudoPasswordFile, 'utf8').trim();
    let asked = 0;
    const withPassword = new SshSession({
      ...sessionOptionsFromConfig(resolveSshHost(config, `${h1.name}-sudopw`)),
      askSudoPassword: () => {
        asked++;
        return Promise.resolve(password);
      },
    });
    const throughSudo = new DockerClient(withPassword, { socketPath: h1.dockerSocket });
    try {
      const inventories = await Promise.all([readInventory(throughSudo), readInventory(throughSudo)]);
      assert.ok(inventories.every((inventory) => isDeepStrictEqual(demoPorts(inventory), DEMO_PORTS)));
      assert.equal(throughSudo.transport, 'sudo-dial-stdio');
      assert.equal(asked, 1);
      assert.equal(withPassword.connectionCount, 1);
    } finally {
      throughSudo.dispose();
      withPassword.close();
    }
  });
});
