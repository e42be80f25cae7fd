import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../../support/cliMain';
import { openHost } from '../../../src/core/hosts/openHost';
import { sha256Fingerprint } from '../../../src/core/ssh/hostKey';
import { generateKey, publicBlob, startFakeSshServer, type FakeServer } from '../../support/fakeSshServer';

/**
 * accept-new (the --accept-new flag, or StrictHostKeyChecking accept-new/no in the ssh config)
 * records an unknown host key without asking, as OpenSSH does, and like OpenSSH it must say so:
 * found by test/lab/reliability/hostKeys.test.ts, where both took a new key without a word.
 */
const hostKey = generateKey();
const userKey = generateKey();
let server: FakeServer;
let work: string;

before(async () => {
  server = await startFakeSshServer({ hostKeys: [hostKey.private], users: { root: { publicKeys: [userKey.public] } } });
  work = mkdtempSync(join(tmpdir(), 'dfw-accept-new-'));
  writeFileSync(join(work, 'id'), userKey.private, { mode: 0o600 });
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

function config(strict: string, knownHosts: string): string {
  const file = join(work, `config-${strict}`);
  writeFileSync(
    file,
    `Host fake\n  HostName 127.0.0.1\n  Port ${server.port}\n  User root\n  IdentityFile ${join(work, 'id')}\n  IdentitiesOnly yes\n` +
      `  UserKnownHostsFile ${knownHosts}\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking ${strict}\n`,
  );
  return file;
}

const fingerprint = () => sha256Fingerprint(publicBlob(hostKey.public));

for (const strict of ['accept-new', 'no']) {
  test(`StrictHostKeyChecking ${strict} in the ssh config: the CLI records the key and says so on stderr`, async () => {
    const knownHosts = join(work, `known_hosts-${strict}`);
    writeFileSync(knownHosts, '');
    const { stderr } = await runMain(['--ssh-config', config(strict, knownHosts), 'status', 'fake']);
    assert.match(stderr, new RegExp(`permanently added the host key of 127\\.0\\.0\\.1 \\(ssh-ed25519 ${fingerprint().replace(/[+/]/g, '\\$&')}\\) to ${knownHosts}`));
    assert.match(readFileSync(knownHosts, 'utf8'), /ssh-ed25519 /);
  });
}

test('--accept-new: the same notice', async () => {
  const knownHosts = join(work, 'known_hosts-flag');
  writeFileSync(knownHosts, '');
  const { stderr } = await runMain(['--ssh-config', config('yes', knownHosts), '--accept-new', 'status', 'fake']);
  assert.match(stderr, /permanently added the host key of 127\.0\.0\.1 \(ssh-ed25519 SHA256:/);
  assert.notEqual(readFileSync(knownHosts, 'utf8'), '');
});

test('without accept-new an unknown key is refused (exit 3), not recorded, and no notice claims otherwise', async () => {
  const knownHosts = join(work, 'known_hosts-strict');
  writeFileSync(knownHosts, '');
  const { code, stderr } = await runMain(['--ssh-config', config('ask', knownHosts), 'status', 'fake']);
  assert.equal(code, 3);
  assert.doesNotMatch(stderr, /permanently added/);
  assert.equal(readFileSync(knownHosts, 'utf8'), '');
});

test('openHost without an onHostKeyAdded callback tells its log instead', async () => {
  const knownHosts = join(work, 'known_hosts-log');
  writeFileSync(knownHosts, '');
  const logged: string[] = [];
  const handle = openHost({ destination: 'fake', sshConfigPath: config('accept-new', knownHosts) }, { log: (level, message) => logged.push(`${level} ${message}`) });
  try {
    await handle.engine.read().catch(() => undefined);
  } finally {
    handle.close();
  }
  assert.ok(logged.some((l) => l.startsWith('warn accept-new: trusting the unknown ssh-ed25519 host key of 127.0.0.1')), logged.join('\n'));
});
