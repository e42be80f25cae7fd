import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerChannel } from 'ssh2';
import { ResponseTooLarge } from '../../../../src/core/errors';
import { DEFAULT_MAX_OUTPUT_BYTES } from '../../../../src/core/ssh/execChannel';
import { MAX_STDERR_BYTES, STDERR_OMITTED } from '../../../../src/core/remote/stderrBuffer';
import { generateKey, sessionToFakeServer, startFakeSshServer, type FakeServer } from '../../../support/fakeSshServer';

// A hostile host answers our commands with more than we accept to hold: stdout past the limit is
// ResponseTooLarge, and of a flood of stderr only its start and end are kept.

const MiB = 1024 * 1024;
const hostKey = generateKey();
const userKey = generateKey();
let server: FakeServer;
let work: string;

/** Writes `bytes` to the stream in 64 KiB chunks, minding back-pressure, then calls done. */
function flood(stream: NodeJS.WritableStream, bytes: number, done: () => void): void {
  const chunk = Buffer.alloc(64 * 1024, 'y');
  let sent = 0;
  const pump = (): void => {
    while (sent < bytes) {
      sent += chunk.length;
      if (!stream.write(chunk)) return void stream.once('drain', pump);
    }
    done();
  };
  pump();
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'dfw-exec-'));
  server = await startFakeSshServer({
    hostKeys: [hostKey.private],
    users: { root: { publicKeys: [userKey.public] } },
    exec: (command: string, channel: ServerChannel) => {
      if (command === 'flood-stdout') {
        flood(channel, DEFAULT_MAX_OUTPUT_BYTES + MiB, () => {
          channel.exit(0);
          channel.end();
        });
        return true;
      }
      if (command === 'flood-stderr') {
        channel.stderr.write('sudo: unable to resolve host fake\n');
        flood(channel.stderr, 4 * MiB, () => {
          // Once written: the channel's end would not wait for stderr still queued.
          channel.stderr.write('\niptables-save: the verdict\n', () => {
            channel.exit(1);
            channel.end();
          });
        });
        return true;
      }
      return false;
    },
  });
});

after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const session = () => sessionToFakeServer(server, { hostPublicKey: hostKey.public, userPrivateKey: userKey.private }, work, { user: 'root', label: 'fake' });

test('a command that prints more than 8 MiB fails with ResponseTooLarge', async () => {
  assert.equal(DEFAULT_MAX_OUTPUT_BYTES, 8 * MiB);
  const ssh = session();
  try {
    await assert.rejects(ssh.exec(['flood-stdout']), (error: unknown) => {
      assert.ok(error instanceof ResponseTooLarge, String(error));
      assert.match(error.message, /more than 8192 KiB.*response too large/);
      return true;
    });
  } finally {
    ssh.close();
  }
});

test('of 4 MiB of stderr, its first and last 4 KiB are kept for the message', async () => {
  const ssh = session();
  try {
    const result = await ssh.exec(['flood-stderr']);
    assert.equal(result.code, 1);
    assert.ok(result.stderr.startsWith('sudo: unable to resolve host fake\n'));
    assert.ok(result.stderr.endsWith('\niptables-save: the verdict\n'));
    assert.ok(result.stderr.includes(STDERR_OMITTED));
    assert.ok(result.stderr.length <= MAX_STDERR_BYTES + STDERR_OMITTED.length, `${result.stderr.length}`);
  } finally {
    ssh.close();
  }
});
