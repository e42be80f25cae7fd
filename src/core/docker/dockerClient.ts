import * as l10n from '@vscode/l10n';
import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ClientChannel } from 'ssh2';
import { Cancelled, DockerFirewallError, DockerRequestFailed, DockerUnavailable, ResponseTooLarge } from '../errors';
import { classifyStderr, lastStderrLine } from '../remote/classifyStderr';
import type { CommandRunner, ExecResult } from '../remote/remoteCommand';
import type { SshLogger } from '../ssh/sshSessionOptions';
import { capLength, DISPLAY_LIMIT } from '../text/hostText';
import { DialStdioStream } from './dialStdioStream';
import type { DockerInventorySource } from './inventory';
import { dialStdioArgv, mayRetryThroughSudo, sudoFallbackFailure } from './sudoFallback';
import { traceMark } from '../trace';
import { TunnelAgent } from './tunnelAgent';
import { DEFAULT_DOCKER_SOCKET } from './dockerSocket';

/** What the Docker client needs from an SSH session (SshSession has it). */
export interface DockerTunnelHost extends CommandRunner {
  readonly label: string;
  readonly user: string;
  openStreamLocal(socketPath: string, signal?: AbortSignal): Promise<ClientChannel>;
  openExecStream(argv: readonly string[], signal?: AbortSignal): Promise<ClientChannel>;
  /** openExecStream as root: through sudo as the session's privileged commands go (see SshSession). */
  openPrivilegedExecStream(argv: readonly string[], signal?: AbortSignal): Promise<ClientChannel>;
}

export type DockerTransport = 'streamlocal' | 'dial-stdio';

/** How a request reached the socket: a transport, or dial-stdio through sudo (see sudoFallback). */
export type DockerRoute = DockerTransport | 'sudo-dial-stdio';

export interface DockerClientOptions {
  /** The Docker socket on the host. Default /var/run/docker.sock. */
  readonly socketPath?: string | undefined;
  /**
   * 'auto' (default): forward the socket over SSH (direct-streamlocal); if sshd refuses
   * (AllowStreamLocalForwarding no) or cannot open it, run `docker system dial-stdio` instead,
   * and keep to that once it has worked. When the socket refuses the SSH user for permission,
   * run dial-stdio through sudo, and keep to that once sudo has let it through.
   */
  readonly transport?: 'auto' | DockerTransport | undefined;
  /** Per API call. Default 30 s. */
  readonly requestTimeoutMs?: number | undefined;
  /** The most one API answer may be (ResponseTooLarge beyond). Default MAX_DOCKER_RESPONSE_BYTES, 16 MiB. */
  readonly maxResponseBytes?: number | undefined;
  readonly logger?: SshLogger | undefined;
}

export { DEFAULT_DOCKER_SOCKET };

type ChannelOpenFailure = Error & { reason: unknown };

/** dockerode's version() and info() take options with an abortSignal; its typings list no argument. */
interface AbortableCalls {
  version(options: { abortSignal: AbortSignal }): Promise<unknown>;
  info(options: { abortSignal: AbortSignal }): Promise<unknown>;
}

/**
 * Docker's Engine API on a remote host, over the host's one SSH connection: dockerode speaks plain
 * HTTP through an agent whose sockets are SSH channels. docker-modem's own `protocol: 'ssh'` would
 * open a new SSH connection (and handshake) for every request.
 */
export class DockerClient implements DockerInventorySource {
  /** The dockerode instance, for calls this class does not wrap (errors then unmapped). */
  readonly api: Dockerode;
  private readonly agent: TunnelAgent;
  private readonly socketPath: string;
  private readonly mode: 'auto' | DockerTransport;
  private useDialStdio: boolean;
  /** Set once `sudo docker system dial-stdio` has reached the socket: every stream goes that way then. */
  private throughSudo = false;
  /** The one check of the sudo route in flight, shared by the requests that were refused meanwhile. */
  private sudoCheck: Promise<void> | undefined;
  private lastTransport: DockerRoute | undefined;
  /** Why the socket could not be forwarded, kept to explain a later dial-stdio failure. */
  private streamLocalFailure: string | undefined;

  constructor(
    private readonly host: DockerTunnelHost,
    private readonly options: DockerClientOptions = {},
  ) {
    this.socketPath = options.socketPath ?? DEFAULT_DOCKER_SOCKET;
    this.mode = options.transport ?? 'auto';
    this.useDialStdio = this.mode === 'dial-stdio';
    // sshd's MaxSessions (10 by default) caps exec channels, which dial-stdio uses: stay below it.
    this.agent = new TunnelAgent(() => this.openStream(), { maxSockets: 6, maxResponseBytes: options.maxResponseBytes, label: `Docker on ${host.label}` });
    // The agent decides where bytes go; the socketPath is never dialled by it. Requests must carry a
    // socketPath all the same: VS Code's extension host patches http.request for proxy support and
    // replaces the agent of any request without one (dockerode then looked up a host "docker").
    // dockerode's typings do not list `agent`; docker-modem passes it to http.request.
    const dockerOptions: Dockerode.DockerOptions & { agent: TunnelAgent } = { socketPath: this.socketPath, agent: this.agent };
    // Required here, not imported: in the CLI's bundle dockerode (some 10 ms to evaluate) is then
    // evaluated when the first Docker client is made, after the login, not before the connect.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
    const DockerodeClass = require('dockerode') as typeof Dockerode;
    this.api = new DockerodeClass(dockerOptions);
  }

  /** How the last request reached the socket. */
  get transport(): DockerRoute | undefined {
    return this.lastTransport;
  }

  listContainers(options: { all: boolean; abortSignal?: AbortSignal | undefined }): Promise<unknown> {
    return this.request('list containers', options.abortSignal, (abortSignal) => this.api.listContainers({ all: options.all, abortSignal }));
  }

  version(options: { abortSignal?: AbortSignal | undefined } = {}): Promise<unknown> {
    return this.request('read the version', options.abortSignal, (abortSignal) => (this.api as unknown as AbortableCalls).version({ abortSignal }));
  }

  listNetworks(options: { abortSignal?: AbortSignal | undefined } = {}): Promise<unknown> {
    return this.request('list networks', options.abortSignal, (abortSignal) => this.api.listNetworks({ abortSignal }));
  }

  info(options: { abortSignal?: AbortSignal | undefined } = {}): Promise<unknown> {
    return this.request('read info', options.abortSignal, (abortSignal) => (this.api as unknown as AbortableCalls).info({ abortSignal }));
  }

  /**
   * Docker's event stream (GET /events) with these filters, over the same SSH connection. The
   * request timeout applies until Docker answers; the stream then lasts until `signal` is aborted
   * or the host ends it (it holds one of the agent's sockets, and at most maxResponseBytes).
   */
  events(filters: Readonly<Record<string, readonly string[]>>, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
    return this.request('follow events', signal, async (requestSignal) => {
      const untilAnswered = new AbortController();
      const stop = (): void => untilAnswered.abort();
      requestSignal.addEventListener('abort', stop, { once: true });
      try {
        return await this.api.getEvents({ filters: JSON.stringify(filters), abortSignal: AbortSignal.any([signal, untilAnswered.signal]) } as Dockerode.GetEventsOptions);
      } finally {
        requestSignal.removeEventListener('abort', stop);
      }
    });
  }

  /** Closes idle sockets; the SSH session is the caller's to close. */
  dispose(): void {
    this.agent.destroy();
  }

  /**
   * Runs one dockerode call (given the abort signal to pass on) with the request timeout, and turns
   * whatever went wrong into a typed error: for API calls this class does not wrap. A call the socket
   * refused for permission is made once more through sudo (it never reached the daemon).
   */
  async request<T>(what: string, signal: AbortSignal | undefined, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.attempt(what, signal, request);
    } catch (error) {
      if (this.mode !== 'auto' || !mayRetryThroughSudo(error, this.host.user)) throw error;
      await this.switchToSudo(error, signal);
      return this.attempt(what, signal, request);
    }
  }

  private async attempt<T>(what: string, signal: AbortSignal | undefined, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw new Cancelled(`Docker: ${what} on ${this.host.label}`);
    const timeoutMs = this.options.requestTimeoutMs ?? 30_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    try {
      const answer = await request(combined);
      traceMark(`docker ${what}`);
      return answer;
    } catch (error) {
      if (signal?.aborted) throw new Cancelled(`Docker: ${what} on ${this.host.label}`);
      if (timeout.aborted) throw new DockerUnavailable(this.host.label, this.host.user, 'no-answer', l10n.t('no answer to "{0}" within {1} s', what, timeoutMs / 1000));
      // The agent does not know which call its connection carried: the error says it here.
      if (error instanceof ResponseTooLarge) throw new ResponseTooLarge(`Docker on ${this.host.label}: ${what}`, error.limitBytes);
      throw this.mapError(error);
    }
  }

  private mapError(error: unknown): DockerFirewallError {
    if (error instanceof DockerFirewallError) return error;
    const statusCode = typeof error === 'object' && error !== null && 'statusCode' in error ? error.statusCode : undefined;
    if (typeof statusCode === 'number') {
      const json = (error as { json?: unknown }).json;
      const detail = typeof json === 'object' && json !== null && 'message' in json && typeof json.message === 'string' ? json.message : String(error);
      // Docker's own words, as its host sent them: cut here, made safe where they are shown (core/text/hostText).
      return new DockerRequestFailed(this.host.label, statusCode, capLength(detail, DISPLAY_LIMIT.message));
    }
    const message = error instanceof Error ? error.message : String(error);
    return new DockerUnavailable(this.host.label, this.host.user, 'socket-unreachable', capLength(message, DISPLAY_LIMIT.message));
  }

  private async openStream(): Promise<Duplex> {
    if (this.throughSudo) return this.openSudoDialStdio();
    if (!this.useDialStdio) {
      try {
        const channel = await this.host.openStreamLocal(this.socketPath);
        this.lastTransport = 'streamlocal';
        return channel;
      } catch (error) {
        if (!isChannelOpenFailure(error)) throw error;
        this.streamLocalFailure = `forwarding ${this.socketPath}: ${error.message}`;
        if (this.mode === 'streamlocal') throw new DockerUnavailable(this.host.label, this.host.user, 'socket-unreachable', this.streamLocalFailure);
      }
    }
    return this.openDialStdio();
  }

  private async openDialStdio(): Promise<Duplex> {
    const channel = await this.host.openExecStream(dialStdioArgv(this.socketPath));
    this.lastTransport = 'dial-stdio';
    return new DialStdioStream(
      channel,
      (stderr, exitCode) => this.dialStdioFailure(stderr, exitCode),
      () => this.dialStdioAnswered(),
    );
  }

  private async openSudoDialStdio(): Promise<Duplex> {
    const channel = await this.host.openPrivilegedExecStream(dialStdioArgv(this.socketPath));
    this.lastTransport = 'sudo-dial-stdio';
    return new DialStdioStream(channel, (stderr, exitCode) => this.dialStdioFailure(stderr, exitCode));
  }

  /**
   * Checks the sudo route once, with the very command the streams will run: dial-stdio as root with
   * its stdin closed at once connects to the socket, relays nothing and exits 0. It runs as a
   * privileged command, so whether sudo wants a password for docker (not for the firewall's `sh`:
   * sudoers decides per command) is found there, and the user asked if so (once per session: the
   * session keeps the answer for the streams, which cannot be replayed with one). A stream gets the
   * password line only when this check found that sudo wants it for docker; otherwise it would go
   * through dial-stdio to the Docker socket.
   */
  private async switchToSudo(socketRefusal: DockerUnavailable, signal: AbortSignal | undefined): Promise<void> {
    if (this.throughSudo) return;
    this.sudoCheck ??= this.checkSudoRoute(socketRefusal, signal).finally(() => {
      this.sudoCheck = undefined;
    });
    await this.sudoCheck;
  }

  private async checkSudoRoute(socketRefusal: DockerUnavailable, signal: AbortSignal | undefined): Promise<void> {
    let result: ExecResult;
    try {
      result = await this.host.exec(dialStdioArgv(this.socketPath), { privileged: true, signal });
    } catch (error) {
      throw sudoFallbackFailure(socketRefusal, error);
    }
    if (result.code !== 0) throw this.dialStdioFailure(result.stderr, result.code);
    this.throughSudo = true;
    this.options.logger?.('info', `${this.host.label}: ${this.host.user} may not use the Docker socket (${socketRefusal.stderrLine}); using sudo docker system dial-stdio`);
  }

  /**
   * OpenSSH answers "open failed" both when AllowStreamLocalForwarding forbids forwarding and when
   * the socket cannot be opened, so the two cannot be told apart. Once dial-stdio has worked after
   * forwarding failed, forwarding is not tried again on this client.
   */
  private dialStdioAnswered(): void {
    if (this.useDialStdio || this.streamLocalFailure === undefined) return;
    this.useDialStdio = true;
    this.options.logger?.('info', `${this.host.label}: the Docker socket cannot be forwarded (${this.streamLocalFailure}); using docker system dial-stdio`);
  }

  private dialStdioFailure(stderr: string, exitCode: number | null | undefined): Error {
    const context = { host: this.host.label, user: this.host.user, command: ['docker'] };
    const classified = classifyStderr(stderr, context);
    if (classified instanceof DockerUnavailable && classified.reason === 'cli-missing' && this.streamLocalFailure !== undefined) {
      // Both ways failed: the socket-forwarding failure says more than "docker: not found".
      return new DockerUnavailable(this.host.label, this.host.user, 'socket-unreachable', `${this.streamLocalFailure}; ${classified.stderrLine}`);
    }
    if (classified !== undefined) return classified;
    const line = lastStderrLine(stderr) || `docker system dial-stdio exited with status ${String(exitCode)}`;
    return new DockerUnavailable(this.host.label, this.host.user, 'socket-unreachable', line);
  }
}

function isChannelOpenFailure(error: unknown): error is ChannelOpenFailure {
  return error instanceof Error && 'reason' in error && /Channel open failure/.test(error.message);
}

/** A DockerClient over an SSH session's connection. */
export function createDockerClient(host: DockerTunnelHost, options: DockerClientOptions = {}): DockerClient {
  return new DockerClient(host, options);
}
