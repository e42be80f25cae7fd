import * as l10n from '@vscode/l10n';
import { createConnection, type Socket } from 'node:net';
import { homedir } from 'node:os';
import type { Duplex } from 'node:stream';
import type { Client, ConnectConfig, ServerHostKeyAlgorithm } from 'ssh2';
import { AuthenticationFailed, Cancelled, ConnectionFailed, ConnectTimeout, type DockerFirewallError } from '../errors';
import { createAuthHandler } from './authHandler';
import { orderHostKeyAlgorithms } from './hostKey';
import { createHostKeyCheck } from './hostKeyVerifier';
import { knownKeyTypes, readKnownHostsFiles } from './knownHosts';
import { traceMark } from '../trace';
import { PausableTimeout } from './pausableTimeout';
import { ssh2 } from './ssh2Module';
import { defaultIdentityFiles } from './sshConfig';
import type { SshSessionOptions } from './sshSessionOptions';

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_KEEPALIVE_INTERVAL_MS = 15_000;
export const DEFAULT_KEEPALIVE_COUNT_MAX = 3;

type Ssh2Error = Error & { level?: string; code?: string | number };

export interface ConnectedClient {
  readonly client: Client;
  /** `SHA256:…` of the host key this connection verified. */
  readonly hostKey: string;
}

/**
 * Opens one authenticated SSH connection: host key checked against known_hosts before anything else,
 * then agent, keys and password in turn. `sock` is a stream through a jump host or a ProxyCommand's standard input and output, when there is one.
 */
export async function connectSsh(options: SshSessionOptions, sock?: Duplex, signal?: AbortSignal): Promise<ConnectedClient> {
  const label = options.label ?? options.host;
  const port = options.port ?? 22;
  const log = options.logger;
  const home = homedir();
  if (signal?.aborted) throw new Cancelled(`Connecting to ${label}`);

  const knownHostsFiles = options.knownHostsFiles ?? [`${home}/.ssh/known_hosts`];
  // The TCP connection is opened while known_hosts is read (its key types order the host key
  // algorithms, sent once the server's greeting is in): the connect and sshd's start overlap the read.
  const early = sock === undefined ? connectEarly(options.host, port) : undefined;
  const knownRead = readKnownHostsFiles([...knownHostsFiles, ...(options.globalKnownHostsFiles ?? ['/etc/ssh/ssh_known_hosts'])]);
  // ssh2's code runs while the connection opens and known_hosts is read (ssh2Module.ts).
  const { Client } = ssh2();
  let known: Awaited<ReturnType<typeof readKnownHostsFiles>>;
  try {
    known = await knownRead;
  } catch (error) {
    early?.socket.destroy();
    throw error;
  }
  traceMark('known-hosts-read');
  for (const s of known.skipped) log?.('debug', `known_hosts ${s.source}:${s.line} ignored: ${s.reason}`);
  // With HostKeyAlias, ssh looks the alias up as it is, without the port.
  const keyHost = options.hostKeyAlias ?? options.host;
  const keyPort = options.hostKeyAlias !== undefined ? 22 : port;
  const recordIn = knownHostsFiles.find((f) => f !== '/dev/null');

  const client = new Client();
  return new Promise<ConnectedClient>((resolve, reject) => {
    let settled = false;
    let lastError: Ssh2Error | undefined;
    const fail = (error: DockerFirewallError): void => {
      if (settled) return;
      settled = true;
      timeout.clear();
      signal?.removeEventListener('abort', onAbort);
      client.removeAllListeners('ready');
      client.destroy();
      early?.socket.destroy();
      reject(error);
    };
    const timeout = new PausableTimeout(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, () =>
      fail(new ConnectTimeout(label, port, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)),
    );
    const onAbort = (): void => fail(new Cancelled(`Connecting to ${label}`));
    signal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while known_hosts was read: the listener came too late to hear it.
    if (signal?.aborted === true) onAbort();

    const hostKeyCheck = createHostKeyCheck({
      host: keyHost,
      port: keyPort,
      entries: known.entries,
      recordIn,
      hashed: options.hashKnownHosts ?? false,
      strict: options.strictHostKeyChecking ?? 'ask',
      onUnknownHostKey: options.onUnknownHostKey,
      logger: log,
      pauseTimer: () => timeout.pause(),
    });
    const agent = options.agent === false ? undefined : (options.agent ?? nonEmpty(process.env.SSH_AUTH_SOCK));
    const auth = createAuthHandler({
      user: options.user,
      host: label,
      hostName: options.host,
      port,
      hostKey: () => hostKeyCheck.accepted(),
      agent,
      identityFiles: options.identityFiles ?? defaultIdentityFiles(home),
      explicitIdentityFiles: options.identityFiles !== undefined,
      askPassword: options.askPassword,
      askPassphrase: options.askPassphrase,
      onSecretAccepted: options.onSecretAccepted,
      logger: log,
      pauseTimer: () => timeout.pause(),
    });

    client.once('connect', () => {
      if (early === undefined) traceMark('tcp-connected');
      // Our exchanges are small request/response packets, the login's too: with Nagle's algorithm
      // on, each packet that followed an unacknowledged one waited for the server's delayed ACK
      // (measured: 22 ms per exec instead of 3 ms; about 45 ms for each of the three round trips of
      // a key login). Set before ssh2 sends its first byte ('connect' comes before its handshake).
      client.setNoDelay(true);
    });
    client.once('handshake', () => traceMark('key-exchange-done'));
    client.on('ready', () => {
      traceMark('authenticated');
      if (settled) return;
      const hostKey = hostKeyCheck.accepted();
      // ssh2 only logs in after the verifier said yes; a login without a verified key is refused all the same.
      if (hostKey === undefined) return fail(new ConnectionFailed(label, port, l10n.t('logged in without a verified host key')));
      settled = true;
      timeout.clear();
      signal?.removeEventListener('abort', onAbort);
      auth.loggedIn();
      resolve({ client, hostKey });
    });
    client.on('error', (error: Ssh2Error) => {
      // ssh2 reports a failed agent or key signature as an error and then carries on with the next
      // method; only the errors after which nothing more happens end the attempt.
      if (error.level === 'agent' || (error.level === 'client-authentication' && !/All configured/.test(error.message))) {
        log?.('debug', `${label}: ${error.message}`);
        return;
      }
      lastError = error;
      const refusal = hostKeyCheck.refusal();
      if (refusal !== undefined) return fail(refusal);
      if (error.level === 'client-authentication') return fail(new AuthenticationFailed(label, options.user, auth.tried, auth.serverMethods(), auth.lockedKeys));
      if (error.level === 'client-timeout') return fail(new ConnectTimeout(label, port, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS));
      fail(new ConnectionFailed(label, port, describeNetworkError(error, port), { cause: error }));
    });
    client.on('close', () => {
      const refusal = hostKeyCheck.refusal();
      if (refusal !== undefined) return fail(refusal);
      fail(new ConnectionFailed(label, port, lastError?.message ?? l10n.t('the server closed the connection before login'), { cause: lastError }));
    });

    const config: ConnectConfig = {
      host: options.host,
      port,
      username: options.user,
      sock: sock ?? early?.socket,
      hostVerifier: hostKeyCheck.verifier,
      authHandler: auth.handler,
      // Our own PausableTimeout replaces ssh2's readyTimeout, which would also count the time the
      // user spends reading a host key fingerprint or typing a passphrase.
      readyTimeout: 0,
      keepaliveInterval: options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: options.keepaliveCountMax ?? DEFAULT_KEEPALIVE_COUNT_MAX,
      algorithms: { serverHostKey: orderHostKeyAlgorithms(knownKeyTypes(known.entries, keyHost, keyPort)) as ServerHostKeyAlgorithm[] },
    };
    log?.('info', `connecting to ${options.user}@${options.host}:${port}${sock ? (options.proxyCommand !== undefined ? ' (through its ProxyCommand)' : ' (through a jump host)') : ''}`);
    // A connect that failed while known_hosts was read: ssh2 would take the closed socket for a connected one.
    const earlyError = early?.error();
    if (earlyError !== undefined) return fail(new ConnectionFailed(label, port, describeNetworkError(earlyError, port), { cause: earlyError }));
    try {
      client.connect(config);
    } catch (error) {
      fail(new ConnectionFailed(label, port, error instanceof Error ? error.message : String(error), { cause: error }));
    }
  });
}

/**
 * A TCP connection started ahead of ssh2, with TCP_NODELAY (see the 'connect' handler). What
 * arrives before ssh2 takes the socket waits in it (a socket nobody reads is paused); an error
 * before then is kept for connectSsh to report.
 */
function connectEarly(host: string, port: number): { socket: Socket; error: () => Ssh2Error | undefined } {
  let error: Ssh2Error | undefined;
  const socket = createConnection({ host, port, noDelay: true });
  socket.once('connect', () => traceMark('tcp-connected'));
  socket.on('error', (e: Ssh2Error) => (error ??= e));
  return { socket, error: () => error };
}

function describeNetworkError(error: Ssh2Error, port: number): string {
  switch (typeof error.code === 'string' ? error.code : '') {
    case 'ECONNREFUSED':
      return l10n.t('connection refused (is sshd listening on port {0}?)', port);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return l10n.t('no route to host');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return l10n.t('host name not found');
    case 'ETIMEDOUT':
      return l10n.t('timed out');
    case 'ECONNRESET':
      return l10n.t('the connection was reset');
    default:
      return error.message;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}
