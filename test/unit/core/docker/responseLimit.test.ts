import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientChannel } from 'ssh2';
import { ResponseTooLarge } from '../../../../src/core/errors';
import { DockerClient, type DockerTunnelHost } from '../../../../src/core/docker/dockerClient';
import { MAX_DOCKER_RESPONSE_BYTES } from '../../../../src/core/docker/responseLimit';

// A hostile dockerd answers with a body larger than we accept: docker-modem would gather it whole in
// memory, so the request must fail with ResponseTooLarge once the limit is passed, having read little
// more than the limit. A real HTTP exchange: node's HTTP client and docker-modem over a Unix socket
// that stands for the SSH channel, to a server that stands for dockerd.

const MiB = 1024 * 1024;
let work: string;
let socketPath: string;
let daemon: HttpServer;
/** What the server managed to write of each answer before the client went away. */
let written: number[];
let bodyBytes: number;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'dfw-limit-'));
  socketPath = join(work, 'docker.sock');
  written = [];
  daemon = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    res.write('"');
    const pump = (): void => {
      while (sent < bodyBytes) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end('"');
    };
    res.on('close', () => written.push(sent));
    pump();
  });
  await new Promise<void>((resolve) => daemon.listen(socketPath, resolve));
});

after(async () => {
  await new Promise((resolve) => daemon.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/** The parts of an SSH session the Docker client uses: here, every channel is a connection to the socket. */
const host: DockerTunnelHost = {
  label: 'fake',
  user: 'deploy',
  openStreamLocal: () => Promise.resolve(createConnection(socketPath) as unknown as ClientChannel),
  openExecStream: () => Promise.reject(new Error('not used')),
  openPrivilegedExecStream: () => Promise.reject(new Error('not used')),
  exec: () => Promise.reject(new Error('not used')),
};

test('an answer larger than the limit fails with ResponseTooLarge, and little more than the limit is read', async () => {
  bodyBytes = 256 * MiB;
  written = [];
  const docker = new DockerClient(host, { socketPath, transport: 'streamlocal', maxResponseBytes: MiB });
  const heapBefore = process.memoryUsage().arrayBuffers;
  try {
    await assert.rejects(docker.listContainers({ all: true }), (error: unknown) => {
      assert.ok(error instanceof ResponseTooLarge, String(error));
      assert.equal(error.message, 'Docker on fake: list containers: the host sent more than 1024 KiB, more than Docker Firewall accepts: response too large.');
      return true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [sent] = written;
    assert.ok(sent !== undefined && sent < 4 * MiB, `the server got ${String(sent)} bytes out of 256 MiB before the connection was closed`);
    assert.ok(process.memoryUsage().arrayBuffers - heapBefore < 16 * MiB, 'no buffer near the size of the answer was kept');
  } finally {
    docker.dispose();
  }
});

test('by default an answer may be 16 MiB: one just below passes, one just above does not', async () => {
  assert.equal(MAX_DOCKER_RESPONSE_BYTES, 16 * MiB);
  const docker = new DockerClient(host, { socketPath, transport: 'streamlocal' });
  try {
    bodyBytes = 15 * MiB;
    const body = await docker.listContainers({ all: true });
    assert.equal(typeof body === 'string' ? body.length : -1, 15 * MiB);
    bodyBytes = 17 * MiB;
    await assert.rejects(docker.listContainers({ all: true }), ResponseTooLarge);
  } finally {
    docker.dispose();
  }
});
