// The engine in the test process, against the lab, the way the CLI composes it (openHost), with
// its debug log kept so a test can tell which remote command was running when a fault struck.
import { openHost, type HostConnection } from '../../src/core/hosts/openHost';
import { FirewallEngine } from '../../src/core/hosts/firewallEngine';
import { createDockerClient } from '../../src/core/docker/dockerClient';
import { readInventory, type DockerInventorySource } from '../../src/core/docker/inventory';
import type { CommandRunner } from '../../src/core/remote/remoteCommand';
import { loadSshConfig, resolveSshHost } from '../../src/core/ssh/sshConfig';
import { SshSession } from '../../src/core/ssh/sshSession';
import { sessionOptionsFromConfig } from '../../src/core/ssh/sshSessionOptions';
import type { HostCallbacks, HostTarget } from '../../src/core/hosts/hostTarget';
import type { Policy } from '../../src/core/firewall/policy';
import { describeAllow } from '../../src/core/firewall/policy';
import { statusJson } from '../../src/cli/json';
import { CLI } from './cli';
import { loadLab, run, type Lab, type RunResult } from './lab';
import { DEFAULT_CHAIN } from '../../src/core/validate';

export interface LoggedHost extends HostConnection {
  /** Debug log lines, in order ("h1$ sh -c …" for every remote command). */
  readonly log: string[];
}

export function labEngine(lab: Lab, destination: string, spec: Partial<HostTarget> = {}, callbacks: HostCallbacks = {}): LoggedHost {
  const log: string[] = [];
  const handle = openHost(
    { destination, sshConfigPath: lab.sshConfig, ...spec },
    {
      ...callbacks,
      log: (level, message) => {
        log.push(`${level} ${message}`);
        callbacks.log?.(level, message);
      },
    },
  );
  return Object.assign(handle, { log });
}

export type StatusJson = ReturnType<typeof statusJson>;

/** The CLI's `status --json` document, computed in the test process by the CLI's own function. */
export async function statusJsonOf(handle: HostConnection): Promise<StatusJson> {
  const { inventory, firewall } = await handle.engine.status();
  return statusJson(handle.label, inventory, firewall);
}

/** Sets the host's policy to exactly this one (one read, one apply). */
export async function setPolicy(handle: HostConnection, policy: Policy): Promise<boolean> {
  const report = await handle.engine.apply(() => policy);
  return report.applied;
}

/** A policy as one comparable line: "open", or "locked 5353/udp from 192.0.2.0/24 8080/tcp from anywhere". */
export function policyKey(policy: { locked: boolean; allows: readonly { port: number; proto: string; from?: { text: string } | undefined }[] }): string {
  if (!policy.locked) return 'open';
  const allows = policy.allows.map((a) => describeAllow({ port: a.port, proto: a.proto === 'udp' ? 'udp' : 'tcp', from: a.from ? { family: a.from.text.includes(':') ? 'ipv6' : 'ipv4', text: a.from.text } : undefined }));
  return ['locked', ...allows.sort()].join(' ');
}

/** The same key from a `status --json` document. */
export function statusPolicyKey(status: Pick<StatusJson, 'locked' | 'allows'>): string {
  return policyKey({ locked: status.locked, allows: status.allows.map((a) => ({ port: a.port, proto: a.proto, from: a.from === null ? undefined : { text: a.from } })) });
}

export interface CliRun extends RunResult {
  /** Remote commands the CLI started, from its debug log (DOCKER_FIREWALL_DEBUG). */
  readonly commands: string[];
  readonly ms: number;
}

/**
 * `docker-firewall ARGS` in a namespace (default the outside), with the lab's ssh config (or the one
 * given) and the debug log on, so the remote commands it ran can be counted.
 */
export async function cli(args: readonly string[], opts: { lab?: Lab; ns?: string; sshConfig?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  const lab = opts.lab ?? loadLab();
  const started = Date.now();
  const result = await run(
    ['ip', 'netns', 'exec', opts.ns ?? lab.outside.ns, 'env', 'DOCKER_FIREWALL_DEBUG=1', process.execPath, CLI, '--ssh-config', opts.sshConfig ?? lab.sshConfig, ...args],
    { timeoutMs: opts.timeoutMs ?? 60_000 },
  );
  // A debug entry may span lines (the scripts hold newlines): entries start with "[level] ".
  const entries = result.stderr.split(/\n(?=\[(?:trace|debug|info|warn|error)\] |docker-firewall: |Warning: )/);
  const commands = entries.filter((e) => /^\[debug\] [^ ]+\$ /.test(e)).map((e) => e.replace(/^\[debug\] [^ ]+\$ /, ''));
  // The debug entries are for counting; the user-facing stderr is what remains.
  const stderr = entries.filter((e) => !/^\[(trace|debug|info|warn|error)\] /.test(e)).join('\n');
  return { ...result, stderr, commands, ms: Date.now() - started };
}

/** How many apply transactions a command line list holds (each is one `sh -c … docker-firewall-apply`). */
export function applyCount(commands: readonly string[]): number {
  return commands.filter((c) => c.includes('docker-firewall-apply')).length;
}

export interface ComposedHost {
  readonly host: FirewallEngine;
  /** The runner the engine uses (the session, counting): for remote commands outside the engine's own steps. */
  readonly runner: CommandRunner;
  /** argv of every command the engine ran, in order. */
  readonly sent: (readonly string[])[];
  close(): void;
}

/**
 * The engine over one real SSH session to a lab host, composed by hand (as openHost does) so that
 * the Docker Engine API's answers can be altered on their way in: `info` forges what a daemon this
 * lab cannot run (Docker 29's nftables backend) would report.
 */
export async function composedLabHost(lab: Lab, alias: string, alter: { info?: (info: Record<string, unknown>) => Record<string, unknown> } = {}): Promise<ComposedHost> {
  const loaded = await loadSshConfig({ userConfig: lab.sshConfig });
  const session = new SshSession(sessionOptionsFromConfig(resolveSshHost(loaded.config, alias, { configFile: lab.sshConfig })));
  const docker = createDockerClient(session);
  const sent: (readonly string[])[] = [];
  const runner: CommandRunner = {
    exec: (argv, options) => {
      sent.push(argv);
      return session.exec(argv, options);
    },
  };
  const source: DockerInventorySource = {
    listContainers: (o) => docker.listContainers(o),
    version: (o) => docker.version(o),
    listNetworks: (o) => docker.listNetworks(o),
    info: async (o) => {
      const info = (await docker.info(o)) as Record<string, unknown>;
      return alter.info ? alter.info(info) : info;
    },
  };
  const host = new FirewallEngine(runner, (signal) => readInventory(source, signal), DEFAULT_CHAIN);
  return {
    host,
    runner,
    sent,
    close: () => {
      docker.dispose();
      session.close();
    },
  };
}
