import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { REPO_ROOT, type Lab } from '../test/support/lab';
import { countLogins, DockerCliEnv, hostNamed, openLabHost } from './lib/benchLab';
import { measureOurs, msOf, ourCosts, withHandles, type OurSample } from './lib/ours';
import { compare, retriedNotes, variant, type Comparison, type Section } from './lib/results';
import { interleave, middle, retryingLostExit, timed } from './lib/stats';

const ROUNDS = 12;

/** "Docker CLI 28.2.2", from this machine's docker --version. */
function dockerCliVersion(): string {
  const out = spawnSync('docker', ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return `Docker CLI ${/version ([0-9.]+)/.exec(out)?.[1] ?? '?'}`;
}

export function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
}

interface BaselineSample {
  readonly ms: number;
  readonly logins: number;
}

/**
 * A host's inventory: ours (containers, engine version and info, and the firewall read, in parallel
 * over one SSH connection) against Docker's CLI over OpenSSH and against dockerode's own
 * `protocol: 'ssh'`, which opens a connection for every request.
 */
export async function measureInventory(lab: Lab, hosts: readonly { name: string; containers: number }[]): Promise<Section> {
  const cli = new DockerCliEnv(lab);
  const comparisons: Comparison[] = [];
  const notes: string[] = [];
  const retried: string[] = [];
  try {
    for (const { name, containers } of hosts) {
      const labHost = hostNamed(lab, name);
      const dockerode = new Dockerode({
        protocol: 'ssh',
        host: labHost.ipv4,
        port: 22,
        username: 'root',
        sshOptions: { privateKey: readFileSync(lab.keys.root) },
      });
      const seen = { ours: 0, cli: 0, dockerode: 0 };
      const result = await withHandles(lab, [name], async ([warm]) => {
        const warmHandle = warm!;
        // Opens the connection: the warm rounds measure a view's refresh.
        await retryingLostExit(() => warmHandle.engine.status(), retried);
        return interleave<OurSample | BaselineSample>(
          [
            {
              key: 'warm',
              run: async () => measureOurs(lab, [warmHandle], [name], async () => {
                seen.ours = (await warmHandle.engine.status()).inventory.containers.length;
              }),
            },
            {
              key: 'cold',
              run: async () => {
                const handle = openLabHost(lab, name);
                try {
                  return await measureOurs(lab, [handle], [name], () => handle.engine.status());
                } finally {
                  handle.close();
                }
              },
            },
            {
              key: 'cli',
              run: async () => {
                const { value, logins } = await countLogins(lab, [name], () => timed(() => cli.ps(name)));
                seen.cli = value.value.stdout.trim().split('\n').length - 1;
                return { ms: value.ms, logins };
              },
            },
            {
              key: 'dockerode',
              run: async () => {
                const { value, logins } = await countLogins(lab, [name], () =>
                  timed(() => Promise.all([dockerode.listContainers({ all: true }), dockerode.version(), dockerode.info()])),
                );
                seen.dockerode = value.value[0].length;
                return { ms: value.ms, logins };
              },
            },
          ],
          { rounds: ROUNDS, warmup: 1, timeoutMs: 60_000, label: `inventory ${name}` },
        );
      });
      retried.push(...result.retried);
      const warm = result.samples.get('warm') as OurSample[];
      const cold = result.samples.get('cold') as OurSample[];
      const cliSamples = result.samples.get('cli') as BaselineSample[];
      const dockerodeSamples = result.samples.get('dockerode') as BaselineSample[];
      const warmV = variant('ours: status(), connection open', msOf(warm), ourCosts(warm));
      const coldV = variant('ours: status(), new connection', msOf(cold), ourCosts(cold));
      const cliV = variant('`docker -H ssh://` ps', msOf(cliSamples), { sshConnections: middle(cliSamples.map((s) => s.logins)) });
      const dockerodeV = variant("dockerode `protocol: 'ssh'` (same 3 API calls)", msOf(dockerodeSamples), {
        sshConnections: middle(dockerodeSamples.map((s) => s.logins)),
      });
      // The title names what the contenders listed (observed), not what the lab was asked for.
      const what = seen.ours === seen.cli && seen.ours === seen.dockerode ? `${name} (${seen.ours} containers)` : `${name} (ours ${seen.ours}, docker CLI ${seen.cli}, dockerode ${seen.dockerode} containers)`;
      comparisons.push(
        compare(`inventory-${name}-warm-vs-cli`, `Inventory + firewall, ${what}`, 'ms', warmV, cliV),
        compare(`inventory-${name}-warm-vs-dockerode`, `Inventory + firewall, ${what}`, 'ms', warmV, dockerodeV),
        compare(`inventory-${name}-cold-vs-cli`, `Inventory + firewall, ${what}, cold`, 'ms', coldV, cliV),
        compare(`inventory-${name}-cold-vs-dockerode`, `Inventory + firewall, ${what}, cold`, 'ms', coldV, dockerodeV),
      );
      const same = seen.ours === seen.cli && seen.ours === seen.dockerode;
      notes.push(
        same
          ? `${name}: the three contenders listed the same number of containers (ours ${seen.ours}, docker CLI ${seen.cli}, dockerode ${seen.dockerode}).`
          : `**${name}: the contenders listed different numbers of containers** (ours ${seen.ours}, docker CLI ${seen.cli}, dockerode ${seen.dockerode}).`,
      );
      if (seen.ours !== containers) notes.push(`${name}: the lab was made with ${containers} containers; ours listed ${seen.ours}.`);
    }
  } finally {
    cli.dispose();
  }
  return {
    id: 'inventory',
    title: 'Inventory and firewall status of one host',
    method: [
      'Ours: `openHost(…).host.status()`: containers, engine version and info (three Engine API calls over forwarded ' +
        'Docker-socket channels) and the firewall read (one exec of `iptables-save` for both families), in parallel over one SSH connection. ' +
        '"Connection open" reuses the session, as the extension does on refresh; "new connection" opens a handle per run, ' +
        'which includes reading the ssh config, the handshake, host key check and login, as one CLI invocation does.',
      `Baselines list containers only (no firewall): \`docker -H ssh://HOST ps --all\` (${dockerCliVersion()} over OpenSSH, ` +
        `a process per run) and dockerode ${packageVersion('dockerode')} with \`protocol: 'ssh'\` and the lab's root key in \`sshOptions\`, making the same three calls as ours ` +
        '(containers, version, info) concurrently.',
      'SSH connections: ours from the session counter and checked against sshd; baselines from the "Accepted publickey" lines in the host\'s sshd log.',
    ],
    comparisons,
    facts: [],
    notes: [...notes, ...retriedNotes(retried)],
    lostExitStatus: retried.length,
  };
}
