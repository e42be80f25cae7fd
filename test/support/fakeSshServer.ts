/**
 * An in-process SSH server (ssh2's Server) that behaves like the parts of OpenSSH + sudo + a shell
 * that the session relies on, so session behaviour is tested without root, namespaces or a lab.
 * The texts it prints are the ones recorded from real hosts (test/fixtures/ssh/stderr).
 */
import { createConnection, type AddressInfo, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server, utils, type Connection, type ParsedKey, type ServerChannel, type Session } from 'ssh2';
import { formatKnownHostsLine } from '../../src/core/ssh/knownHosts';
import { SshSession } from '../../src/core/ssh/sshSession';
import type { SshSessionOptions } from '../../src/core/ssh/sshSessionOptions';

/**
 * `nopasswd`: NOPASSWD for everything; `password`: sudo asks for it, except for the commands (argv[0])
 * in `nopasswd`, which run without one, as sudoers' `NOPASSWD: /usr/bin/docker` beside `ALL`.
 */
export type SudoPolicy = 'nopasswd' | { password: string; nopasswd?: readonly string[] } | 'not-in-sudoers';

export interface FakeUser {
  readonly password?: string;
  /** OpenSSH public key lines (or blobs) accepted for this user. */
  readonly publicKeys?: readonly string[];
  readonly sudo?: SudoPolicy;
}

/**
 * A command this server answers with the exec request's success, the exit status, EOF and the
 * channel close in ONE write: the client reads them in one chunk and handles them in one go, as a
 * busy client does with a fast command's reply (the lost-exit-status race of execChannel.ts).
 */
export const COALESCED_TRUE = 'coalesced-true';

export interface FakeServerOptions {
  /** Private host keys, OpenSSH format. */
  readonly hostKeys: readonly string[];
  readonly users: Readonly<Record<string, FakeUser>>;
  /** Extra commands: return true when handled. */
  readonly exec?: (command: string, channel: ServerChannel, user: string, connection: Connection) => boolean;
  /** Refuse direct-streamlocal like `AllowStreamLocalForwarding no`. */
  readonly refuseStreamLocal?: boolean;
}

export interface FakeServer {
  readonly port: number;
  /** Connections accepted (TCP), logins that succeeded. */
  readonly stats: { connections: number; logins: number; authAttempts: number; streamLocalRequests: number; maxConcurrentCommands: number };
  /** Every exec command line, as received. */
  readonly commands: string[];
  /** Commands whose channel closed before they finished. */
  readonly interrupted: string[];
  /** What the session wrote to a command's stdin (sudo password lines included). */
  readonly stdin: string[];
  close(): Promise<void>;
}

export function generateKey(passphrase?: string): { private: string; public: string } {
  // ssh2 now and then writes an ed25519 key that its own parser calls malformed (seen in CI, about
  // one key in a few hundred): draw again rather than let a test fail at random.
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair =
      passphrase === undefined
        ? utils.generateKeyPairSync('ed25519')
        : utils.generateKeyPairSync('ed25519', { passphrase, cipher: 'aes256-ctr', rounds: 4 });
    if (!(utils.parseKey(pair.private, passphrase) instanceof Error)) return pair;
  }
  throw new Error('ssh2 generated no parseable ed25519 key in 20 tries');
}

/** The raw public blob of an OpenSSH public key line. */
export function publicBlob(publicKeyLine: string): Buffer {
  return Buffer.from(publicKeyLine.split(' ')[1] ?? '', 'base64');
}

/**
 * An SshSession to a fake server, logging in with `userKey` and trusting exactly `hostPublicKey`: the
 * key file and known_hosts are written into `dir` (named by the port, so one dir serves many servers).
 */
export function sessionToFakeServer(
  server: FakeServer,
  keys: { readonly hostPublicKey: string; readonly userPrivateKey: string },
  dir: string,
  options: Partial<SshSessionOptions> & { readonly user: string },
): SshSession {
  const keyFile = join(dir, `id-${server.port}`);
  writeFileSync(keyFile, keys.userPrivateKey, { mode: 0o600 });
  const knownHosts = join(dir, `known_hosts-${server.port}`);
  writeFileSync(knownHosts, `${formatKnownHostsLine('127.0.0.1', server.port, publicBlob(keys.hostPublicKey), { hashed: false })}\n`);
  return new SshSession({
    host: '127.0.0.1',
    port: server.port,
    identityFiles: [keyFile],
    agent: false,
    knownHostsFiles: [knownHosts],
    globalKnownHostsFiles: [],
    ...options,
  });
}

export async function startFakeSshServer(options: FakeServerOptions): Promise<FakeServer> {
  const stats = { connections: 0, logins: 0, authAttempts: 0, streamLocalRequests: 0, maxConcurrentCommands: 0 };
  let runningCommands = 0;
  const commands: string[] = [];
  const interrupted: string[] = [];
  const stdinSeen: string[] = [];
  const connections = new Set<Connection>();

  const server = new Server({ hostKeys: [...options.hostKeys], ident: 'OpenSSH_9.2p1 Debian-2+deb12u3' }, (client) => {
    stats.connections++;
    connections.add(client);
    let user = '';
    client.on('authentication', (ctx) => {
      stats.authAttempts++;
      user = ctx.username;
      const account = options.users[ctx.username];
      const methods: ('publickey' | 'password' | 'keyboard-interactive')[] = ['publickey', 'password'];
      if (account === undefined) return ctx.reject(methods);
      switch (ctx.method) {
        case 'password':
          return account.password !== undefined && ctx.password === account.password ? ctx.accept() : ctx.reject(methods);
        case 'publickey': {
          const allowed = (account.publicKeys ?? []).map((k) => utils.parseKey(k)).find((k): k is ParsedKey => !(k instanceof Error) && sameBlob(k.getPublicSSH(), ctx.key.data));
          if (allowed === undefined) return ctx.reject(methods);
          if (ctx.signature === undefined || ctx.blob === undefined) return ctx.accept();
          return allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? ctx.accept() : ctx.reject(methods);
        }
        case 'keyboard-interactive':
        case 'hostbased':
        case 'none':
          return ctx.reject(methods);
      }
    });
    client.on('ready', () => {
      stats.logins++;
      client.on('session', (accept) => {
        // ssh2's server ignores channel requests (signals) once a command runs, so none are seen here.
        const session: Session = accept();
        session.on('exec', (acceptExec, _reject, info) => {
          if (info.command === COALESCED_TRUE) {
            const socket = (client as unknown as { _sock?: Socket })._sock;
            if (socket === undefined) throw new Error('ssh2 server: no _sock to cork');
            socket.cork();
            const channel = acceptExec();
            commands.push(info.command);
            channel.write('done\n');
            channel.exit(0);
            channel.end();
            process.nextTick(() => socket.uncork());
            return;
          }
          const channel = acceptExec();
          commands.push(info.command);
          let finished = false;
          stats.maxConcurrentCommands = Math.max(stats.maxConcurrentCommands, ++runningCommands);
          channel.on('close', () => {
            runningCommands--;
            if (!finished) interrupted.push(info.command);
          });
          void runCommand(info.command, channel, user, options, client, stdinSeen).then(() => {
            finished = true;
          });
        });
      });
      client.on('tcpip', (accept, reject, info) => {
        const socket = createConnection(info.destPort, info.destIP);
        socket.on('connect', () => {
          const channel = accept();
          channel.pipe(socket).pipe(channel);
        });
        socket.on('error', () => reject());
      });
      client.on('openssh.streamlocal', (accept, reject, info) => {
        stats.streamLocalRequests++;
        // Like OpenSSH, the refusal is the same "open failed" (reason 2) as for a socket that is not there.
        if (options.refuseStreamLocal === true) return reject();
        const socket = createConnection(info.socketPath);
        socket.on('connect', () => {
          const channel = accept();
          channel.pipe(socket).pipe(channel);
        });
        socket.on('error', () => reject());
      });
    });
    client.on('error', () => undefined);
    client.on('close', () => connections.delete(client));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    stats,
    commands,
    interrupted,
    stdin: stdinSeen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.end();
        server.close(() => resolve());
      }),
  };
}

function sameBlob(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function readAll(channel: ServerChannel): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    channel.on('data', (c: Buffer) => chunks.push(c));
    channel.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function finish(channel: ServerChannel, code: number, stdout = '', stderr = ''): void {
  if (stdout) channel.write(stdout);
  if (stderr) channel.stderr.write(stderr);
  channel.exit(code);
  channel.end();
}

const SUDO_N = "sudo -n -- ";
const SUDO_S = "sudo -S -k -p '' -- ";

/** A tiny "shell": the commands the tests use, as a remote host would answer them. */
async function runCommand(
  command: string,
  channel: ServerChannel,
  user: string,
  options: FakeServerOptions,
  connection: Connection,
  stdinSeen: string[],
): Promise<void> {
  if (options.exec?.(command, channel, user, connection) === true) return;
  const policy = options.users[user]?.sudo;
  const noPassword = (rest: string): boolean =>
    policy === 'nopasswd' || (typeof policy === 'object' && (policy.nopasswd ?? []).includes(rest.split(' ')[0] ?? ''));
  if (command.startsWith(SUDO_N)) {
    if (noPassword(command.slice(SUDO_N.length))) return runCommand(command.slice(SUDO_N.length), channel, 'root', options, connection, stdinSeen);
    await readAll(channel);
    return finish(channel, 1, '', 'sudo: unable to resolve host fake: Temporary failure in name resolution\nsudo: a password is required\n');
  }
  // As sudo -S does for a command it needs no password for: it reads nothing, stdin is the command's.
  if (command.startsWith(SUDO_S) && noPassword(command.slice(SUDO_S.length))) {
    return runCommand(command.slice(SUDO_S.length), channel, 'root', options, connection, stdinSeen);
  }
  if (command.startsWith(SUDO_S)) {
    const input = await readAll(channel);
    stdinSeen.push(input);
    const newline = input.indexOf('\n');
    const password = newline === -1 ? input : input.slice(0, newline);
    const rest = newline === -1 ? '' : input.slice(newline + 1);
    const expected = typeof policy === 'object' ? policy.password : options.users[user]?.password;
    if (password !== expected) return finish(channel, 1, '', 'Sorry, try again.\n\nsudo: no password was provided\nsudo: 1 incorrect password attempt\n');
    if (policy === 'not-in-sudoers' || policy === undefined) return finish(channel, 1, '', `${user} is not in the sudoers file.  This incident will be reported.\n`);
    return answer(command.slice(SUDO_S.length), channel, 'root', rest);
  }
  if (command === 'sleep 30') {
    channel.resume(); // read (and drop) stdin so that the channel's end and close are seen
    return new Promise<void>(() => undefined); // never exits by itself
  }
  if (command === 'sleep 0.2') {
    await readAll(channel);
    await new Promise((resolve) => setTimeout(resolve, 200));
    return finish(channel, 0);
  }
  if (command === 'kill-connection') {
    connection.end();
    return;
  }
  const input = await readAll(channel);
  stdinSeen.push(input);
  return answer(command, channel, user, input);
}

function answer(command: string, channel: ServerChannel, user: string, input: string): void {
  switch (command) {
    case 'id -un':
      return finish(channel, 0, `${user}\n`);
    case 'cat':
      return finish(channel, 0, input);
    case "sh -c 'echo out; echo err >&2; exit 3'":
      return finish(channel, 3, 'out\n', 'err\n');
    case "printf %s 'it'\\''s'":
      return finish(channel, 0, "it's");
    default:
      return finish(channel, 127, '', `bash: line 1: ${command.split(' ')[0] ?? ''}: command not found\n`);
  }
}
