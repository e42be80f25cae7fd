import * as l10n from '@vscode/l10n';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { Cancelled, ConnectionFailed, DockerFirewallError, SudoPasswordIncorrect, SudoPasswordRequired } from '../errors';
import type { CommandRunner, ExecOptions, ExecResult } from '../remote/remoteCommand';
import { shellJoin } from '../remote/shellQuote';
import { ChannelLimit } from './channelLimit';
import { startProxyCommand, type ProxyProcess } from './proxyCommand';
import { connectSsh } from './connectSsh';
import type { HostSecretSubject } from './secretSubject';
import { ChannelLost, NotConnected, openChannel, runOnChannel } from './execChannel';
import { passwordThenStdin, sudoCommandKey, sudoNonInteractive, sudoPasswordLine, sudoRefusal, sudoWithPassword, type SudoRoute } from './privilege';
import type { SshSessionOptions } from './sshSessionOptions';
import { traceMark } from '../trace';

export interface SshSessionStats {
  /** SSH connections that reached login (1 for a session that never dropped). */
  readonly connectionsOpened: number;
  /** Exec channels opened (commands, sudo retries, docker dial-stdio). */
  readonly execChannels: number;
  /** Forwarding channels opened (Docker socket, jump hops). */
  readonly streamChannels: number;
}

/** sudo's own limit; a wrong password is asked again this many times in all. */
const SUDO_PASSWORD_ATTEMPTS = 3;

/** Below OpenSSH's default MaxSessions (10), leaving room for an interactive ssh -o ControlMaster. */
export const DEFAULT_MAX_SESSION_CHANNELS = 8;

/**
 * One SSH connection to one host, opened on first use and shared by every command and every Docker
 * API call for that host. When the connection drops, the next call opens a new one; a command that
 * was running when it dropped fails (it may or may not have run) rather than being repeated.
 */
export class SshSession implements CommandRunner {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private jumpSession: SshSession | undefined;
  /** The ProxyCommand process carrying the current connection, if the config names one. */
  private proxy: ProxyProcess | undefined;
  private closed = false;
  private counters = { connectionsOpened: 0, execChannels: 0, streamChannels: 0 };
  /** Kept in memory for the session only, never logged; cleared when sudo refuses it. */
  private sudoPassword: string | undefined;
  /**
   * What sudo wants, per command (sudoCommandKey): sudoers may let `docker` run without a password
   * and ask one for `sh`. A password line goes only to a command sudo was seen to want it for: to
   * any other it would be the command's own input (for dial-stdio, bytes sent to the Docker socket).
   */
  private readonly sudoRoutes = new Map<string, SudoRoute>();
  /** What the kept sudo password was given for, and whether sudo has accepted it yet (onSecretAccepted, once). */
  private sudoPasswordSubject: HostSecretSubject | undefined;
  private sudoPasswordConfirmed = false;
  /** `SHA256:…` of the host key the current (or last) connection verified. */
  private hostKey: string | undefined;
  private sudoPasswordQuestion: Promise<string | undefined> | undefined;
  private readonly sessionChannels: ChannelLimit;

  constructor(readonly options: SshSessionOptions) {
    this.sessionChannels = new ChannelLimit(options.maxSessionChannels ?? DEFAULT_MAX_SESSION_CHANNELS);
  }

  get label(): string {
    return this.options.label ?? this.options.host;
  }

  get user(): string {
    return this.options.user;
  }

  get stats(): SshSessionStats {
    return { ...this.counters };
  }

  /** How many SSH connections this session has opened so far. */
  get connectionCount(): number {
    return this.counters.connectionsOpened;
  }

  get isConnected(): boolean {
    return this.client !== undefined;
  }

  /** Connects now rather than on first use (to ask the host key question up front, say). */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.ensureClient(signal);
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const { stdin, privileged, signal, maxOutputBytes } = options;
    if (privileged === true && this.options.user !== 'root') return this.execPrivileged(argv, stdin, signal, maxOutputBytes);
    return this.run(argv, stdin, signal, argv, maxOutputBytes);
  }

  /** A stream to a Unix socket on the host (direct-streamlocal), e.g. the Docker socket. */
  openStreamLocal(socketPath: string, signal?: AbortSignal): Promise<ClientChannel> {
    return this.withClient(signal, async (client) => {
      const channel = await openChannel((callback) => client.openssh_forwardOutStreamLocal(socketPath, callback));
      this.counters.streamChannels++;
      return channel;
    });
  }

  /** A TCP stream to host:port as seen from this host (direct-tcpip), for jumping to the next host. */
  forwardOut(host: string, port: number, signal?: AbortSignal): Promise<ClientChannel> {
    return this.withClient(signal, async (client) => {
      const channel = await openChannel((callback) => client.forwardOut('127.0.0.1', 0, host, port, callback));
      this.counters.streamChannels++;
      return channel;
    });
  }

  /** A running command as a raw channel (stdout/stdin as the stream, `.stderr`, 'exit'), for dial-stdio. */
  async openExecStream(argv: readonly string[], signal?: AbortSignal): Promise<ClientChannel> {
    const command = shellJoin(argv);
    const release = await this.sessionSlot(signal, `${argv[0] ?? 'the command'} on ${this.label}`);
    try {
      const channel = await this.withClient(signal, (client) => openChannel((callback) => client.exec(command, callback)));
      this.counters.execChannels++;
      channel.once('close', release);
      return channel;
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * A command as root, as a raw channel like openExecStream: run directly by root, else through sudo
   * the way the same command went when run with exec (privileged): `sudo -n`, or `sudo -S` with the
   * session's sudo password written as the first line of stdin, ahead of whatever the caller then
   * writes. A stream cannot be replayed with a password once its caller has written to it, so a
   * caller runs the same command (same argv[0]) with exec first: that is where sudo is found to want
   * a password for it, and the answer asked for, checked and kept. A command not run that way yet
   * goes through `sudo -n`: a password is never written to a stream on a guess.
   */
  async openPrivilegedExecStream(argv: readonly string[], signal?: AbortSignal): Promise<ClientChannel> {
    if (this.options.user === 'root') return this.openExecStream(argv, signal);
    if (this.sudoRoutes.get(sudoCommandKey(argv)) !== 'password') return this.openLoggedStream(sudoNonInteractive(argv), signal);
    const password = await this.sudoPasswordFor(1, signal);
    if (password === undefined) throw new SudoPasswordRequired(this.label, this.options.user, 'no sudo password was given', argv);
    return this.openLoggedStream(sudoWithPassword(argv), signal, sudoPasswordLine(password));
  }

  /** Ends the connection (and the jump host's); the session cannot be used afterwards. */
  close(): void {
    this.closed = true;
    this.sudoPassword = undefined;
    this.client?.end();
    this.client = undefined;
    this.jumpSession?.close();
    this.proxy?.stop();
  }

  private async openLoggedStream(argv: readonly string[], signal: AbortSignal | undefined, passwordLine?: Buffer): Promise<ClientChannel> {
    // The command line only (sudo -S in it says a password goes first): nothing about the password.
    this.options.logger?.('debug', `${this.label}$ ${shellJoin(argv)} (stream)`);
    const channel = await this.openExecStream(argv, signal);
    if (passwordLine !== undefined) channel.write(passwordLine);
    return channel;
  }

  private async run(
    argv: readonly string[],
    stdin: string | Buffer | undefined,
    signal: AbortSignal | undefined,
    shownArgv: readonly string[],
    maxOutputBytes?: number,
  ): Promise<ExecResult> {
    const command = shellJoin(argv);
    const description = `${shownArgv[0] ?? 'the command'} on ${this.label}`;
    // The command line only: stdin may carry a sudo password, so neither it nor its size is logged.
    this.options.logger?.('debug', `${this.label}$ ${command}`);
    const release = await this.sessionSlot(signal, description);
    try {
      const result = await this.withClient(signal, (client) =>
        runOnChannel(client, command, { stdin, signal, description, maxOutputBytes, onOpen: () => this.counters.execChannels++ }),
      );
      traceMark(`exec ${shownArgv[0] ?? ''}`);
      return result;
    } catch (error) {
      if (error instanceof ChannelLost) throw new ConnectionFailed(this.label, this.options.port ?? 22, error.message, { cause: error });
      throw error;
    } finally {
      release();
    }
  }

  private async execPrivileged(argv: readonly string[], stdin: string | undefined, signal: AbortSignal | undefined, maxOutputBytes?: number): Promise<ExecResult> {
    const context = { host: this.label, user: this.options.user, command: argv };
    const key = sudoCommandKey(argv);
    // Each command is first tried with sudo -n: sudo wanting a password for one says nothing about another.
    if (this.sudoRoutes.get(key) !== 'password') {
      const result = await this.run(sudoNonInteractive(argv), stdin, signal, argv, maxOutputBytes);
      const refusal = sudoRefusal(result, context);
      if (refusal === undefined) {
        this.sudoRoutes.set(key, 'no-password');
        return result;
      }
      if (!(refusal instanceof SudoPasswordRequired) || this.options.askSudoPassword === undefined) throw refusal;
      this.sudoRoutes.set(key, 'password');
    }
    for (let attempt = 1; ; attempt++) {
      const password = await this.sudoPasswordFor(attempt, signal);
      if (password === undefined) throw new SudoPasswordRequired(this.label, this.options.user, 'no sudo password was given', argv);
      const result = await this.run(sudoWithPassword(argv), passwordThenStdin(password, stdin), signal, argv, maxOutputBytes);
      const refusal = sudoRefusal(result, context);
      if (refusal === undefined) {
        this.sudoPassword = password;
        this.confirmSudoPassword();
        return result;
      }
      if (this.sudoPassword === password) this.sudoPassword = undefined;
      if (!(refusal instanceof SudoPasswordIncorrect) || attempt >= SUDO_PASSWORD_ATTEMPTS) throw refusal;
      this.options.logger?.('warn', `${this.label}: sudo did not accept the password for ${this.options.user}`);
    }
  }

  /** Waits for a free session channel; a wait given up on (abort) gives its slot back when it comes. */
  private async sessionSlot(signal: AbortSignal | undefined, what: string): Promise<() => void> {
    const pending = this.sessionChannels.acquire();
    try {
      return await abortable(pending, signal, what);
    } catch (error) {
      void pending.then((release) => release());
      throw error;
    }
  }

  /** sudo ran a command with the kept password: the first time for this answer, say so. */
  private confirmSudoPassword(): void {
    if (this.sudoPasswordConfirmed || this.sudoPasswordSubject === undefined) return;
    this.sudoPasswordConfirmed = true;
    this.options.onSecretAccepted?.(this.sudoPasswordSubject);
  }

  /** The cached sudo password, or one asked for (one question at a time, shared by concurrent commands). */
  private async sudoPasswordFor(attempt: number, signal: AbortSignal | undefined): Promise<string | undefined> {
    if (this.sudoPassword !== undefined) return this.sudoPassword;
    const ask = this.options.askSudoPassword;
    if (ask === undefined) return undefined;
    // The question names the machine by its verified host key, so connect first if need be.
    if (this.hostKey === undefined) await this.ensureClient(signal);
    const hostKey = this.hostKey;
    if (hostKey === undefined) return undefined;
    const subject: HostSecretSubject = { kind: 'sudo', user: this.options.user, hostName: this.options.host, port: this.options.port ?? 22, hostKey };
    // The answer is kept as soon as it is given, before sudo has judged it: a command that finds
    // meanwhile that sudo wants a password uses it rather than asking again. A refused one is dropped.
    this.sudoPasswordQuestion ??= ask({ host: this.label, user: this.options.user, attempt, subject })
      .then((answer) => {
        if (answer !== undefined && !this.closed) {
          this.sudoPassword = answer;
          this.sudoPasswordSubject = subject;
          this.sudoPasswordConfirmed = false;
        }
        return answer;
      })
      .finally(() => {
        this.sudoPasswordQuestion = undefined;
      });
    return abortable(this.sudoPasswordQuestion, signal, `sudo on ${this.label}`);
  }

  /**
   * Runs `use` with a connected client. If the connection turns out to be gone before anything was
   * sent (NotConnected), it reconnects and tries once more.
   */
  private async withClient<T>(signal: AbortSignal | undefined, use: (client: Client) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.ensureClient(signal);
      try {
        return await use(client);
      } catch (error) {
        if (!(error instanceof NotConnected) || attempt >= 2) throw error;
        this.forget(client, `connection to ${this.label} was found closed; reconnecting`);
      }
    }
  }

  private async ensureClient(signal: AbortSignal | undefined): Promise<Client> {
    if (this.closed) throw new Cancelled(`The SSH session to ${this.label} (closed)`);
    if (this.client !== undefined) return this.client;
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return abortable(this.connecting, signal, `Connecting to ${this.label}`);
  }

  private async open(): Promise<Client> {
    let sock: Duplex | undefined;
    if (this.options.proxyCommand !== undefined) {
      // As ssh: the command's standard input and output are the connection (a jump is its business).
      this.proxy?.stop();
      this.proxy = startProxyCommand(this.options.proxyCommand, this.label, this.options.logger);
      sock = this.proxy.sock;
    } else if (this.options.jump !== undefined) {
      const jump = (this.jumpSession ??= new SshSession(this.options.jump));
      try {
        sock = await jump.forwardOut(this.options.host, this.options.port ?? 22);
      } catch (error) {
        // The jump host's own failures (host key, login) are already typed; its refusal to connect onwards is not.
        if (error instanceof DockerFirewallError) throw error;
        const reason = l10n.t('through {0}: {1}', jump.label, error instanceof Error ? error.message : String(error));
        throw new ConnectionFailed(this.label, this.options.port ?? 22, reason, { cause: error });
      }
    }
    const { client, hostKey } = await this.handshake(sock);
    this.counters.connectionsOpened++;
    if (this.closed) {
      client.end();
      throw new Cancelled(`The SSH session to ${this.label} (closed)`);
    }
    // Another key than before (known_hosts may trust several): the sudo password was given to the other.
    if (this.hostKey !== undefined && this.hostKey !== hostKey) this.sudoPassword = undefined;
    this.hostKey = hostKey;
    client.on('close', () => this.forget(client, `connection to ${this.label} closed`));
    // After login ssh2 still reports keepalive timeouts and socket errors; 'close' follows them.
    client.on('error', (error: Error) => this.options.logger?.('warn', `${this.label}: ${error.message}`));
    this.client = client;
    this.options.logger?.('info', `connected to ${this.label} (${this.counters.connectionsOpened} connection(s) so far)`);
    return client;
  }

  /** connectSsh, and when a ProxyCommand carried it and ended, the command's own reason instead of "connection lost". */
  private async handshake(sock: Duplex | undefined): Promise<Awaited<ReturnType<typeof connectSsh>>> {
    const proxy = this.proxy;
    // A command that ends before the login ends the attempt at once (not at the connect timeout).
    const gone = new AbortController();
    void proxy?.ended.then(() => gone.abort());
    try {
      return await connectSsh(this.options, sock, gone.signal);
    } catch (error) {
      if (proxy === undefined || this.options.proxyCommand === undefined) throw error;
      const why = await proxy.failure(500);
      proxy.stop();
      if (why === undefined) throw error;
      throw new ConnectionFailed(this.label, this.options.port ?? 22, why, { cause: error });
    }
  }

  private forget(client: Client, why: string): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.destroy();
    this.proxy?.stop();
    if (!this.closed) this.options.logger?.('info', why);
  }
}

/** The promise, or Cancelled as soon as the signal fires (the work itself goes on for other waiters). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(new Cancelled(what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Cancelled(what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
