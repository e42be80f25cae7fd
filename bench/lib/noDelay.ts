import type { Client } from 'ssh2';
import { createDockerClient } from '../../src/core/docker/dockerClient';
import { readInventory } from '../../src/core/docker/inventory';
import { FirewallEngine } from '../../src/core/hosts/firewallEngine';
import { loadSshConfig, resolveSshHost } from '../../src/core/ssh/sshConfig';
import { SshSession } from '../../src/core/ssh/sshSession';
import { sessionOptionsFromConfig } from '../../src/core/ssh/sshSessionOptions';
import type { Lab } from '../../test/support/lab';
import { compare, variant, type Comparison } from './results';
import { interleave, retryingLostExit, timed } from './stats';
import { DEFAULT_CHAIN } from '../../src/core/validate';

/** openHost's composition, rebuilt here so that the session's socket can be reached. */
export async function composedHost(lab: Lab, host: string, noDelay: boolean): Promise<{ session: SshSession; host: FirewallEngine }> {
  const loaded = await loadSshConfig({ userConfig: lab.sshConfig });
  const resolved = resolveSshHost(loaded.config, host, { configFile: loaded.files[0] });
  const session = new SshSession({ ...sessionOptionsFromConfig(resolved), label: host });
  await session.connect();
  // ssh2 leaves Nagle's algorithm on; Client.setNoDelay() is its public switch, which connectSsh.ts
  // turns off when connecting. Set here both ways, whatever the product does: the session keeps its
  // client private, hence the cast.
  (session as unknown as { client: Client }).client.setNoDelay(noDelay);
  const docker = createDockerClient(session);
  return { session, host: new FirewallEngine(session, (signal) => readInventory(docker, signal), DEFAULT_CHAIN) };
}

/**
 * Nagle's algorithm on (ssh2's default) and off, on the same composition. Small SSH messages written
 * back to back (channel open, exec request, EOF) can wait for the host's delayed ACK when it is on.
 */
export async function measureNoDelay(lab: Lab, host: string, rounds = 25): Promise<Comparison[]> {
  const plain = await composedHost(lab, host, false);
  const fast = await composedHost(lab, host, true);
  try {
    await retryingLostExit(() => plain.host.status());
    await retryingLostExit(() => fast.host.status());
    // Two separate series: how the host delays its ACKs depends on what the connection did just before.
    const { samples: execs } = await interleave<number>(
      [
        { key: 'exec-plain', run: async () => (await timed(() => plain.session.exec(['true']))).ms },
        { key: 'exec-fast', run: async () => (await timed(() => fast.session.exec(['true']))).ms },
      ],
      { rounds, warmup: 1, timeoutMs: 30_000, label: 'TCP_NODELAY exec' },
    );
    const { samples: statuses } = await interleave<number>(
      [
        { key: 'status-plain', run: async () => (await timed(() => plain.host.status())).ms },
        { key: 'status-fast', run: async () => (await timed(() => fast.host.status())).ms },
      ],
      { rounds, warmup: 1, timeoutMs: 30_000, label: 'TCP_NODELAY status' },
    );
    const samples = new Map([...execs, ...statuses]);
    return [
      compare('nodelay-exec', `One SSH exec of \`true\`, connection open (${host})`, 'ms', variant('Nagle off (TCP_NODELAY)', samples.get('exec-fast')!), variant("Nagle on (ssh2's default)", samples.get('exec-plain')!)),
      compare('nodelay-status', `status(), connection open (${host})`, 'ms', variant('Nagle off (TCP_NODELAY)', samples.get('status-fast')!), variant("Nagle on (ssh2's default)", samples.get('status-plain')!)),
    ];
  } finally {
    plain.session.close();
    fast.session.close();
  }
}
