import { parseDockerSocket } from '../docker/dockerSocket';
import { createDockerClient, type DockerClient } from '../docker/dockerClient';
import { readInventory } from '../docker/inventory';
import { EVENT_FILTERS } from '../docker/events/dockerEvent';
import type { CommandRunner } from '../remote/remoteCommand';
import { parseDestination } from '../ssh/destination';
import { destinationOf } from '../ssh/secretSubject';
import { loadSshConfig, resolveSshHost, type ResolvedSshHost } from '../ssh/sshConfig';
import { SshSession, type SshSessionStats } from '../ssh/sshSession';
import { sessionOptionsFromConfig, type HostKeyInfo, type SshCallbacks, type SshSessionOptions } from '../ssh/sshSessionOptions';
import { traceMark } from '../trace';
import { parseChainName } from '../validate';
import { FirewallEngine } from './firewallEngine';
import type { HostCallbacks, HostTarget } from './hostTarget';

/** One host, opened: its SSH connection (made on first use), the Docker API over it, and the firewall engine. */
export interface HostConnection {
  readonly label: string;
  readonly engine: FirewallEngine;
  /** The host's Docker event stream (EVENT_FILTERS), over this connection: see EventFollower. */
  events(signal: AbortSignal): Promise<NodeJS.ReadableStream>;
  /** Connections and channels opened so far (benchmarks, tests); undefined before the first use. */
  stats(): SshSessionStats | undefined;
  /** Whether the connection goes through a ProxyJump host (then the host sees that hop's address, not ours); undefined before the first use. */
  throughJump(): boolean | undefined;
  close(): void;
}

/**
 * The composition of one host: its ssh config resolved, one SSH session (opened on first use),
 * the Docker API tunnelled over that same session, and the firewall engine on top. The target's
 * destination and chain are checked here, synchronously, so bad input fails before any connection.
 */
export function openHost(target: HostTarget, callbacks: HostCallbacks = {}): HostConnection {
  parseDestination(target.destination);
  const chain = parseChainName(target.chain ?? 'PRE_DOCKER');
  const dockerSocket = parseDockerSocket(target.dockerSocket);
  const label = target.label ?? target.destination;

  let session: SshSession | undefined;
  let closed = false;
  const sessionOnce = once(async () => {
    const loaded = await loadSshConfig({ userConfig: target.sshConfigPath });
    traceMark('ssh-config-read');
    const resolved = resolveSshHost(loaded.config, target.destination, { configFile: loaded.files[0], sources: loaded.sources });
    const options = sessionOptionsFromConfig(resolved, sshCallbacks(callbacks));
    const opened = new SshSession(
      announcingAcceptNew(
        {
          ...options,
          label,
          // undefined (not []) keeps OpenSSH's default ~/.ssh/id_* keys when nothing names a key.
          identityFiles: target.identityFiles?.length ? [...target.identityFiles, ...(options.identityFiles ?? [])] : options.identityFiles,
          knownHostsFiles: target.knownHostsPath !== undefined ? [target.knownHostsPath] : options.knownHostsFiles,
          // The file the user named holds the keys of the hops on the way too, as ssh -o UserKnownHostsFile does.
          jump: target.knownHostsPath === undefined ? options.jump : withKnownHosts(options.jump, target.knownHostsPath),
          strictHostKeyChecking: target.acceptNewHostKeys ? 'accept-new' : options.strictHostKeyChecking,
        },
        callbacks,
      ),
    );
    if (closed) opened.close();
    session = opened;
    return opened;
  });
  const dockerOnce = once(async (): Promise<DockerClient> => {
    const ssh = await sessionOnce();
    return createDockerClient(ssh, { socketPath: dockerSocket, logger: sshCallbacks(callbacks).logger });
  });

  const runner: CommandRunner = {
    exec: async (argv, options) => (await sessionOnce()).exec(argv, options),
  };
  const host = new FirewallEngine(runner, async (signal) => readInventory(await dockerOnce(), signal), chain, dockerSocket, target.tool);
  return {
    label,
    engine: host,
    events: async (signal) => (await dockerOnce()).events(EVENT_FILTERS, signal),
    stats: () => session?.stats,
    throughJump: () => (session === undefined ? undefined : session.options.jump !== undefined),
    close: () => {
      closed = true;
      session?.close();
    },
  };
}

/** A chain of jump hosts with their keys looked up in `path` (theirs kept when no path is named). */
function withKnownHosts(jump: SshSessionOptions | undefined, path: string): SshSessionOptions | undefined {
  return jump === undefined ? undefined : { ...jump, knownHostsFiles: [path], jump: withKnownHosts(jump.jump, path) };
}

/**
 * `user@HostName:port` of the host a target names and of each ProxyJump hop on the way, as the ssh
 * config resolves them now: the accounts whose saved passwords belong to this target (to forget
 * them with it). Connects to nothing.
 */
export async function targetDestinations(target: HostTarget): Promise<string[]> {
  const loaded = await loadSshConfig({ userConfig: target.sshConfigPath });
  const destinations: string[] = [];
  for (let hop: ResolvedSshHost | undefined = resolveSshHost(loaded.config, target.destination, { configFile: loaded.files[0] }); hop !== undefined; hop = hop.proxyJump) {
    destinations.push(destinationOf(hop.user, hop.hostName, hop.port));
  }
  return destinations;
}

/**
 * accept-new records an unknown host key without asking; the session would do it without a word.
 * Routed through the question instead, answered yes by us, the user is told every time (jump hosts too).
 */
function announcingAcceptNew(options: SshSessionOptions, callbacks: HostCallbacks): SshSessionOptions {
  const jump = options.jump === undefined ? undefined : announcingAcceptNew(options.jump, callbacks);
  if (options.strictHostKeyChecking !== 'accept-new') return { ...options, jump };
  const announce = (info: HostKeyInfo): Promise<boolean> => {
    const key = { host: info.host, port: info.port, keyType: info.keyType, fingerprint: info.fingerprint, knownHostsFile: info.knownHostsFile };
    if (callbacks.onHostKeyAdded) callbacks.onHostKeyAdded(key);
    else callbacks.log?.('warn', `accept-new: trusting the unknown ${info.keyType} host key of ${info.host} (${info.fingerprint}) and adding it to ${info.knownHostsFile ?? 'no file'}`);
    return Promise.resolve(true);
  };
  return { ...options, jump, strictHostKeyChecking: 'ask', onUnknownHostKey: announce };
}

function sshCallbacks(callbacks: HostCallbacks): SshCallbacks {
  const log = callbacks.log;
  return {
    onUnknownHostKey: callbacks.onUnknownHostKey
      ? (info) => callbacks.onUnknownHostKey!({ host: info.host, port: info.port, keyType: info.keyType, fingerprint: info.fingerprint })
      : undefined,
    askPassword: callbacks.askPassword ? (r) => callbacks.askPassword!({ host: r.host, user: r.user, subject: r.subject, prompt: r.prompt }) : undefined,
    askPassphrase: callbacks.askPassphrase ? (r) => callbacks.askPassphrase!({ keyPath: r.keyPath, subject: r.subject }) : undefined,
    askSudoPassword: callbacks.askSudoPassword ? (r) => callbacks.askSudoPassword!({ host: r.host, user: r.user, subject: r.subject }) : undefined,
    onSecretAccepted: callbacks.onSecretAccepted,
    logger: log ? (level, message) => log(level, message) : undefined,
  };
}

/** Memoises a promise; a failure is forgotten so that the next call tries again. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= make().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
