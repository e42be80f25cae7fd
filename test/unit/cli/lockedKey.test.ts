import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../../support/cliMain';
import { formatKnownHostsLine } from '../../../src/core/ssh/knownHosts';
import { generateKey, publicBlob, startFakeSshServer, type FakeServer } from '../../support/fakeSshServer';

/**
 * An encrypted private key and no terminal to ask for its passphrase (the CLI in a script or CI; the
 * test runs without one): the login fails, and the message must say that the key was locked and
 * what to do, not send the user to check authorized_keys (the message of a server that refused the
 * key). The server here accepts exactly that key, so a key that opened would have logged in.
 */
const hostKey = generateKey();
const lockedKey = generateKey('correct horse');
let server: FakeServer;
let work: string;
let config: string;

before(async () => {
  server = await startFakeSshServer({ hostKeys: [hostKey.private], users: { ops: { publicKeys: [lockedKey.public] } } });
  work = mkdtempSync(join(tmpdir(), 'dfw-locked-key-'));
  writeFileSync(join(work, 'id_locked'), lockedKey.private, { mode: 0o600 });
  writeFileSync(join(work, 'known_hosts'), `${formatKnownHostsLine('127.0.0.1', server.port, publicBlob(hostKey.public), { hashed: false })}\n`);
  config = join(work, 'config');
  writeFileSync(
    config,
    `Host locked\n  HostName 127.0.0.1\n  Port ${server.port}\n  User ops\n  IdentityFile ${join(work, 'id_locked')}\n  IdentitiesOnly yes\n` +
      `  UserKnownHostsFile ${join(work, 'known_hosts')}\n  GlobalKnownHostsFile /dev/null\n`,
  );
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

test('an encrypted key with no terminal: exit 1, the message names the key, says no terminal could ask, and says what to do', async () => {
  // No agent either: the key file is the only way in.
  const agent = process.env.SSH_AUTH_SOCK;
  delete process.env.SSH_AUTH_SOCK;
  let result;
  try {
    result = await runMain(['--ssh-config', config, 'status', 'locked']);
  } finally {
    if (agent !== undefined) process.env.SSH_AUTH_SOCK = agent;
  }
  const { code, stderr } = result;
  assert.equal(code, 1, stderr);
  assert.match(stderr, new RegExp(`The key ${join(work, 'id_locked').replace(/[.\\/]/g, '\\$&')} is encrypted, and there was no terminal to ask for the passphrase`));
  assert.match(stderr, /add it to ssh-agent \(ssh-add .*id_locked\) with SSH_AUTH_SOCK set, or run docker-firewall in a terminal/);
  assert.doesNotMatch(stderr, /authorized_keys/);
  assert.equal(server.stats.logins, 0);
});
