import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import type { ServerChannel } from 'ssh2';
import { join } from 'node:path';
import { Cancelled, DockerRequestFailed, DockerUnavailable, SudoPasswordIncorrect } from '../../../../src/core/errors';
import { DockerClient } from '../../../../src/core/docker/dockerClient';
import { readInventory } from '../../../../src/core/docker/inventory';
import { type SshSession } from '../../../../src/core/ssh/sshSession';
import type { SshLogger } from '../../../../src/core/ssh/sshSessionOptions';
import { generateKey, sessionToFakeServer, startFakeSshServer, type FakeServer, type SudoPolicy } from '../../../support/fakeSshServer';
import { recording as recorded } from '../../../support/dockerRecordings';

const hostKey = generateKey();
const userKey = generateKey();
const KEYS = { hostPublicKey: hostKey.public, userPrivateKey: userKey.private };
const recording = recorded('docker-28');
const DEMO = ['admin', 'app', 'dns', 'web', 'worker'];

let work: string;
let socketPath: string;
let daemon: HttpServer;
let requests: string[];
let slowPath: string | undefined;
/** Called when the daemon receives a request for slowPath (which it never answers). */
let onSlowRequest: (() => void) | undefined;

/** A stand-in for dockerd: the recorded answers on a Unix socket. */
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'dfw-docker-'));
  socketPath = join(work, 'docker.sock');
  requests = [];
  daemon = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const path = (req.url ?? '').split('?')[0];
    if (path === slowPath) {
      onSlowRequest?.();
      return; // never answers
    }
    const body = path === '/containers/json' ? recording.containers : path === '/version' ? recording.version : path === '/info' ? recording.info : path === '/networks' ? recording.networks : undefined;
    if (body === undefined) {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'boom from the daemon' }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => daemon.listen(socketPath, resolve));
});

after(async () => {
  await new Promise((resolve) => daemon.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/** An SSH server in front of the fake daemon; `dialStdio` decides what `docker system dial-stdio` does. */
async function sshHost(options: { refuseStreamLocal?: boolean; dialStdio?: 'relay' | 'permission-denied' }): Promise<{ server: FakeServer; session: SshSession }> {
  const server = await startFakeSshServer({
    hostKeys: [hostKey.private],
    users: { deploy: { publicKeys: [userKey.public] } },
    refuseStreamLocal: options.refuseStreamLocal,
    exec: (command, channel) => {
      if (!command.endsWith('system dial-stdio')) return false;
      if (options.dialStdio === 'permission-denied') {
        channel.stderr.write('failed to open the raw stream connection: dial unix /var/run/docker.sock: connect: permission denied\n');
        channel.exit(1);
        channel.end();
        return true;
      }
      const socket = createConnection(socketPath);
      channel.pipe(socket).pipe(channel);
      socket.on('close', () => {
        channel.exit(0);
        channel.end();
      });
      return true;
    },
  });
  const session = sessionToFakeServer(server, KEYS, work, { user: 'deploy', label: 'fake' });
  return { server, session };
}

test('API calls go over forwarded socket channels of the one SSH connection', async () => {
  const { server, session } = await sshHost({});
  const docker = new DockerClient(session, { socketPath });
  try {
    const inventories = await Promise.all(Array.from({ length: 5 }, () => readInventory(docker)));
    assert.ok(DEMO.every((name) => inventories[0]?.containers.some((c) => c.name === name)));
    assert.equal(inventories[0]?.docker.firewallBackend, 'iptables');
    assert.equal(docker.transport, 'streamlocal');
    assert.equal(session.connectionCount, 1);
    assert.equal(server.stats.connections, 1);
    assert.deepEqual(session.stats, { connectionsOpened: 1, execChannels: 0, streamChannels: 20 }, "four Engine API calls per inventory, five inventories");
    assert.ok(requests.includes('GET /containers/json?all=true'));
  } finally {
    docker.dispose();
    session.close();
    await server.close();
  }
});

test('when sshd refuses socket forwarding, docker system dial-stdio on an exec channel is used from then on', async () => {
  const { server, session } = await sshHost({ refuseStreamLocal: true, dialStdio: 'relay' });
  const docker = new DockerClient(session, { socketPath });
  try {
    const first = await readInventory(docker);
    assert.ok(DEMO.every((name) => first.containers.some((c) => c.name === name)));
    assert.equal(docker.transport, 'dial-stdio');
    const attemptsAfterFirst = server.stats.streamLocalRequests;
    // The four calls of one inventory start at once: each may try forwarding before one of them finds dial-stdio works.
    assert.ok(attemptsAfterFirst >= 1 && attemptsAfterFirst <= 4, String(attemptsAfterFirst));
    await docker.version();
    await docker.info();
    assert.equal(server.stats.streamLocalRequests, attemptsAfterFirst, 'no new forwarding attempt once dial-stdio worked');
    assert.equal(session.connectionCount, 1);
    assert.ok(server.commands.every((c) => c === `docker -H unix://${socketPath} system dial-stdio`));
  } finally {
    docker.dispose();
    session.close();
    await server.close();
  }
});

test('no rights on the socket is DockerUnavailable saying to add the user to the docker group', async () => {
  const { server, session } = await sshHost({ refuseStreamLocal: true, dialStdio: 'permission-denied' });
  const docker = new DockerClient(session, { socketPath: '/var/run/docker.sock' });
  try {
    await assert.rejects(docker.listContainers({ all: true }), (error: unknown) => {
      assert.ok(error instanceof DockerUnavailable);
      assert.equal(error.reason, 'permission-denied');
      assert.match(error.message, /add deploy to the docker group/);
      assert.match(error.message, /connect: permission denied/);
      return true;
    });
  } finally {
    docker.dispose();
    session.close();
    await server.close();
  }
});

test('an HTTP error from the daemon is DockerRequestFailed with its message', async () => {
  const { server, session } = await sshHost({});
  const docker = new DockerClient(session, { socketPath });
  try {
    await assert.rejects(
      docker.request('inspect a volume', undefined, (abortSignal) => docker.api.getVolume('nope').inspect({ abortSignal })),
      (error: unknown) => error instanceof DockerRequestFailed && error.statusCode === 500 && /boom from the daemon/.test(error.message),
    );
  } finally {
    docker.dispose();
    session.close();
    await server.close();
  }
});

// The abort is sent once the daemon holds the request, not after a fixed delay, and the client that
// is aborted has a timeout far beyond it: on a loaded machine a 50 ms timer could lose the race to a
// 300 ms request timeout, and the test would then prove the timeout instead of the abort.
test('aborting a call is Cancelled; a daemon that never answers times out as DockerUnavailable', async () => {
  const { server, session } = await sshHost({});
  const patient = new DockerClient(session, { socketPath, requestTimeoutMs: 60_000 });
  const hasty = new DockerClient(session, { socketPath, requestTimeoutMs: 300 });
  try {
    slowPath = '/info';
    const controller = new AbortController();
    const received = new Promise<void>((resolve) => (onSlowRequest = resolve));
    const pending = patient.info({ abortSignal: controller.signal });
    await received;
    controller.abort();
    await assert.rejects(pending, Cancelled);
    onSlowRequest = undefined;
    await assert.rejects(hasty.info(), (error: unknown) => error instanceof DockerUnavailable && error.reason === 'no-answer');
    assert.equal(session.connectionCount, 1);
  } finally {
    slowPath = undefined;
    onSlowRequest = undefined;
    patient.dispose();
    hasty.dispose();
    session.close();
    await server.close();
  }
});

/**
 * A user outside the docker group: the socket refuses them (sshd's forward of it fails, dial-stdio
 * says "permission denied"), and sudo, as this fake host's sudoers has it for each user, lets docker
 * run as root or not. The sudo texts are those recorded from real hosts.
 */
const SUDO_USERS = { sudoer: 'nopasswd', sudopw: 'password', nosudo: 'none', mixed: 'docker-nopasswd' } as const;
/** 29 characters: a length that no other number in the logs of these tests has. */
const SUDO_PASSWORD = 'dial-s3cret-of-29-characters!';
const SUDO_N = 'sudo -n -- ';
const SUDO_S = "sudo -S -k -p '' -- ";

/** The same policies for the fake server's other commands (cat, id). */
const FAKE_SUDO: Record<keyof typeof SUDO_USERS, SudoPolicy> = {
  sudoer: 'nopasswd',
  sudopw: { password: SUDO_PASSWORD },
  nosudo: 'not-in-sudoers',
  mixed: { password: SUDO_PASSWORD, nopasswd: ['docker'] },
};

interface SudoHost {
  readonly server: FakeServer;
  readonly session: SshSession;
  /** The first stdin line of each `sudo -S … dial-stdio`, as sudo read it. */
  readonly stdinFirstLines: string[];
  /** Every byte that dial-stdio relayed to the Docker socket. */
  readonly toSocket: Buffer[];
}

/**
 * An SSH host in front of the fake daemon, the user outside the docker group. `mixed` is sudoers'
 * `ALL` with a password plus `NOPASSWD: /usr/bin/docker`: sudo -S then reads no password for docker,
 * and what the session writes first goes to dial-stdio, and on to the socket.
 */
async function sudoHost(user: keyof typeof SUDO_USERS, askSudoPassword?: () => Promise<string | undefined>, logger?: SshLogger): Promise<SudoHost> {
  const stdinFirstLines: string[] = [];
  const toSocket: Buffer[] = [];
  const dialStdio = `docker -H unix://${socketPath} system dial-stdio`;
  const refuse = (channel: ServerChannel, stderr: string): true => {
    channel.stderr.write(stderr);
    channel.exit(1);
    channel.end();
    return true;
  };
  const server = await startFakeSshServer({
    hostKeys: [hostKey.private],
    users: { [user]: { publicKeys: [userKey.public], sudo: FAKE_SUDO[user] } },
    refuseStreamLocal: true,
    exec: (command, channel) => {
      const policy = SUDO_USERS[user];
      if (command === dialStdio) return refuse(channel, `failed to open the raw stream connection: dial unix ${socketPath}: connect: permission denied\n`);
      if (command === `${SUDO_N}${dialStdio}`) {
        if (policy !== 'nopasswd' && policy !== 'docker-nopasswd') return refuse(channel, 'sudo: a password is required\n');
        relay(channel, Buffer.alloc(0), toSocket);
        return true;
      }
      if (command !== `${SUDO_S}${dialStdio}`) return false;
      // NOPASSWD: sudo -S reads nothing, all of stdin is docker's.
      if (policy === 'docker-nopasswd') {
        relay(channel, Buffer.alloc(0), toSocket);
        return true;
      }
      // As sudo -S does: the password line is read byte by byte, the rest of stdin is docker's.
      let input = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        input = Buffer.concat([input, chunk]);
        const newline = input.indexOf(0x0a);
        if (newline === -1) return;
        channel.off('data', onData);
        const password = input.subarray(0, newline).toString('utf8');
        stdinFirstLines.push(password);
        if (password !== SUDO_PASSWORD) return void refuse(channel, 'Sorry, try again.\nsudo: no password was provided\nsudo: 1 incorrect password attempt\n');
        if (policy === 'none') return void refuse(channel, `${user} is not in the sudoers file.  This incident will be reported.\n`);
        relay(channel, input.subarray(newline + 1), toSocket);
      };
      channel.on('data', onData);
      return true;
    },
  });
  const session = sessionToFakeServer(server, KEYS, work, { user, label: 'fake', askSudoPassword, logger });
  return { server, session, stdinFirstLines, toSocket };
}

/** dial-stdio as root: what came before on stdin was sudo's, the rest goes to the socket (and into `record`). */
function relay(channel: ServerChannel, first: Buffer, record: Buffer[]): void {
  const socket = createConnection(socketPath);
  if (first.length > 0) {
    record.push(first);
    socket.write(first);
  }
  channel.on('data', (chunk: Buffer) => record.push(chunk));
  channel.pipe(socket);
  // Not ended by the pipe: as sshd does, the exit status goes first, then the channel's end.
  socket.pipe(channel, { end: false });
  socket.on('close', () => {
    channel.exit(0);
    channel.end();
  });
}

test('outside the docker group with passwordless sudo, Docker is read through sudo -n docker system dial-stdio on the same connection', async () => {
  const { server, session } = await sudoHost('sudoer');
  const docker = new DockerClient(session, { socketPath });
  try {
    const first = await readInventory(docker);
    assert.ok(DEMO.every((name) => first.containers.some((c) => c.name === name)));
    assert.equal(docker.transport, 'sudo-dial-stdio');
    const commandsAfterFirst = server.commands.length;
    await readInventory(docker);
    assert.deepEqual(
      [...new Set(server.commands.slice(commandsAfterFirst))],
      [`sudo -n -- docker -H unix://${socketPath} system dial-stdio`],
      'once sudo worked, straight to it',
    );
    assert.equal(session.connectionCount, 1);
  } finally {
    docker.dispose();
    session.close();
    await server.close();
  }
});

test('with a sudo password, it is asked once for the session and written as the first stdin line of every stream', async () => {
  let asked = 0;
  const { server, session, stdinFirstLines } = await sudoHost('sudopw', () => {
    asked++;
    return Promise.resolve(SUDO_PASSWORD);
  });
  const docker = new DockerClient(session, { socketPath });
  try {
    const inventories = await Promise.all([readInventory(docker), readInventory(docker)]);
    await readInventory(docker);
    assert.ok(inventories.every((i) => DEMO.every((name) => i.containers.some((c) => c.name === name))));
    assert.equal(docker.transport, 'sudo-dial-stdio');
    assert.equal(asked, 1);
    const throughSudo = server.commands.filter((c) => c.startsWith("sudo -S -k -p '' -- docker "));
    assert.ok(throughSudo.length >= 1 + 12, `the check and every request: ${throughSudo.length}`);
    assert.equal(stdinFirstLines.length, throughSudo.length);
    assert.ok(stdinFirstLines.every((line) => line === SUDO_PASSWORD));
    assert.equal(session.connectionCount, 1);
  } finally {
    docker.dispose();
    session.close();
    await server.close();
  }
});

test('without a sudo password to give, the error names both remedies: the docker group, or sudo with its password', async () => {
  const { server, session } = await sudoHost('sudopw');
  const docker = new DockerClient(session, { socketPath });
  try {
    await assert.rejects(docker.listContainers({ all: true }), (error: unknown) => {
      assert.ok(error instanceof DockerUnavailable, String(error));
      assert.equal(error.reason, 'permission-denied');
      assert.equal(error.sudoRefusal, 'a password is required');
      assert.match(error.message, /^sudopw on fake may not use the Docker socket, and sudo did not run docker for sudopw either: add sudopw to the docker group \(sudo usermod -aG docker sudopw\) and reconnect, or let sudopw run `sudo docker -H unix:\/\/SOCKET system dial-stdio` \(sudoers: "sudopw ALL=\(root\) NOPASSWD: \/usr\/bin\/docker", or enter the sudo password when asked\)\. \(.*connect: permission denied; sudo: a password is required\)$/);
      return true;
    });
  } finally {
    docker.dispose();
    session.close();
    await server.close();
  }
});

test('a user sudo does not know gets the same DockerUnavailable, with sudo\'s refusal; a wrong password is SudoPasswordIncorrect', async () => {
  const nosudo = await sudoHost('nosudo', () => Promise.resolve(SUDO_PASSWORD));
  const refused = new DockerClient(nosudo.session, { socketPath });
  try {
    await assert.rejects(refused.listContainers({ all: true }), (error: unknown) => {
      assert.ok(error instanceof DockerUnavailable, String(error));
      assert.match(error.message, /add nosudo to the docker group/);
      assert.match(error.message, /sudo: nosudo is not in the sudoers file/);
      return true;
    });
    assert.equal(refused.transport, 'dial-stdio', 'never through sudo');
  } finally {
    refused.dispose();
    nosudo.session.close();
    await nosudo.server.close();
  }

  let asked = 0;
  const wrong = await sudoHost('sudopw', () => {
    asked++;
    return Promise.resolve('not-it');
  });
  const docker = new DockerClient(wrong.session, { socketPath });
  try {
    await assert.rejects(docker.listContainers({ all: true }), SudoPasswordIncorrect);
    assert.equal(asked, 3, "sudo's three attempts");
  } finally {
    docker.dispose();
    wrong.session.close();
    await wrong.server.close();
  }
});

test('sudo with a password for sh but NOPASSWD for docker: dial-stdio goes through sudo -n and the socket never receives the password', async () => {
  let asked = 0;
  const { server, session, toSocket } = await sudoHost('mixed', () => {
    asked++;
    return Promise.resolve(SUDO_PASSWORD);
  });
  const docker = new DockerClient(session, { socketPath });
  try {
    // As the engine does: a firewall command, for which sudo wants the password, comes first.
    assert.equal((await session.exec(['id', '-un'], { privileged: true })).stdout, 'root\n');
    assert.equal(asked, 1);
    const inventory = await readInventory(docker);
    assert.ok(DEMO.every((name) => inventory.containers.some((c) => c.name === name)));
    assert.equal(docker.transport, 'sudo-dial-stdio');
    assert.deepEqual(
      server.commands.filter((c) => c.includes('dial-stdio') && c.startsWith('sudo')),
      server.commands.filter((c) => c.startsWith(`${SUDO_N}docker `)),
      'docker only ever through sudo -n',
    );
    const relayed = Buffer.concat(toSocket).toString('latin1');
    assert.match(relayed, /^GET \/.* HTTP\/1\.1\r\n/, 'the recording saw the requests (positive control)');
    assert.ok(!relayed.includes(SUDO_PASSWORD), 'the password never reached the Docker socket');
    assert.equal(asked, 1);
  } finally {
    docker.dispose();
    session.close();
    await server.close();
  }
});

test('nothing any logger receives tells the sudo password: neither its text nor its length', async () => {
  const logged: string[] = [];
  const logger: SshLogger = (level, message) => logged.push(`${level} ${message}`);
  const { server, session } = await sudoHost('sudopw', () => Promise.resolve(SUDO_PASSWORD), logger);
  const docker = new DockerClient(session, { socketPath, logger });
  try {
    // The sudo-password path end to end: sudo -n refused, the password asked, sudo -S for the check and every stream.
    await readInventory(docker);
    assert.equal(((await session.exec(['cat'], { privileged: true, stdin: 'payload' })).stdout), 'payload');
    assert.ok(server.commands.some((c) => c.startsWith(SUDO_S)), 'the password path was taken');
    assert.ok(logged.some((l) => l.includes(SUDO_S.trim())), `the logger saw the sudo -S commands: ${logged.join('\n')}`);
    const length = new RegExp(`\\b(${SUDO_PASSWORD.length}|${SUDO_PASSWORD.length + 1})\\b`);
    for (const line of logged) {
      assert.ok(!line.includes(SUDO_PASSWORD), line);
      assert.doesNotMatch(line, length);
      assert.doesNotMatch(line, /\bbytes?\b/i, line);
    }
  } finally {
    docker.dispose();
    session.close();
    await server.close();
  }
});
