import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../../support/cliMain';
import { ConnectionFailed, SshConfigError } from '../../../src/core/errors';
import { loadSshConfig, resolveSshHost } from '../../../src/core/ssh/sshConfig';
import { sessionOptionsFromConfig } from '../../../src/core/ssh/sshSessionOptions';
import { SshSession } from '../../../src/core/ssh/sshSession';
import { formatKnownHostsLine } from '../../../src/core/ssh/knownHosts';
import { COALESCED_TRUE, generateKey, publicBlob, startFakeSshServer, type FakeServer } from '../../support/fakeSshServer';

/**
 * A host whose ssh config has a ProxyCommand is reached as ssh reaches it: the command runs here
 * (`sh -c`, tokens expanded and quoted), and its standard input and output carry the SSH
 * connection; nothing connects to HostName. The proxy here is socat into an SSH server (ssh2's, on
 * loopback) that the host's name does not lead to (`.invalid` names resolve nowhere), so a login
 * proves the command's stdio carried the whole connection. `ProxyCommand none` is the positive control
 * for the listener that counts direct connections.
 */
interface Recorder {
  readonly port: number;
  readonly connections: number;
  close(): Promise<void>;
}

async function recorder(): Promise<Recorder> {
  const state = { connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const hostKey = generateKey();
const userKey = generateKey();
let ssh: FakeServer;
let direct: Recorder;
let work: string;
let configFile: string;
let marker: string;

before(async () => {
  ssh = await startFakeSshServer({ hostKeys: [hostKey.private], users: { ops: { publicKeys: [userKey.public] } } });
  direct = await recorder();
  work = mkdtempSync(join(tmpdir(), 'dfw-proxycommand-'));
  marker = join(work, 'proxy-saw');
  configFile = join(work, 'config');
  const keyFile = join(work, 'id');
  writeFileSync(keyFile, userKey.private, { mode: 0o600 });
  const knownHosts = join(work, 'known_hosts');
  writeFileSync(knownHosts, `${formatKnownHostsLine('proxied', 22, publicBlob(hostKey.public), { hashed: false })}\n`);
  const common = `  User ops\n  IdentityFile ${keyFile}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${knownHosts}\n  GlobalKnownHostsFile /dev/null\n  HostKeyAlias proxied\n  ConnectTimeout 5\n`;
  writeFileSync(
    configFile,
    [
      'Host proxied',
      '  HostName db.internal.invalid',
      `  Port ${ssh.port}`,
      // The tokens as the command sees them, then the connection itself.
      `  ProxyCommand printf '%%s %%s %%s %%s' %h %p %r %n >${marker}; exec socat - TCP:127.0.0.1:%p`,
      common,
      'Host failing',
      '  HostName 127.0.0.1',
      `  Port ${direct.port}`,
      "  ProxyCommand echo 'tunnel: access denied for this role' >&2; exit 3",
      common,
      'Host both',
      '  HostName 127.0.0.1',
      '  ProxyJump proxied',
      '  ProxyCommand socat - TCP:%h:%p',
      common,
      'Host unproxied',
      '  HostName 127.0.0.1',
      `  Port ${direct.port}`,
      '  ProxyCommand none',
      common,
    ].join('\n'),
  );
});

after(async () => {
  await ssh.close();
  await direct.close();
  rmSync(work, { recursive: true, force: true });
});

async function sessionFor(alias: string): Promise<SshSession> {
  const loaded = await loadSshConfig({ userConfig: configFile });
  return new SshSession(sessionOptionsFromConfig(resolveSshHost(loaded.config, alias, { configFile: loaded.files[0], sources: loaded.sources })));
}

test('a ProxyCommand host: the command runs with its tokens expanded, and its stdin and stdout carry the SSH connection', async () => {
  const session = await sessionFor('proxied');
  try {
    const result = await session.exec([COALESCED_TRUE]);
    assert.equal(result.code, 0);
  } finally {
    session.close();
  }
  assert.equal(readFileSync(marker, 'utf8'), `db.internal.invalid ${ssh.port} ops proxied`);
  assert.equal(ssh.stats.logins, 1);
});

test('a ProxyCommand that ends before the connection is made: its own reason, not "connection lost"; nothing connects to HostName', async () => {
  const before = direct.connections;
  const session = await sessionFor('failing');
  try {
    await assert.rejects(session.exec([COALESCED_TRUE]), (error: unknown) => {
      assert.ok(error instanceof ConnectionFailed, String(error));
      assert.match(error.message, /the ProxyCommand exited with status 3: tunnel: access denied for this role/);
      // The command itself is not shown: a ProxyCommand may carry a secret (sshpass -p …).
      assert.doesNotMatch(error.message, /echo/);
      return true;
    });
  } finally {
    session.close();
  }
  assert.equal(direct.connections, before);
});

test('the CLI goes through the ProxyCommand too, and reports its failure (exit 1) without running anything else', async () => {
  const before = direct.connections;
  const { code, stderr } = await runMain(['--ssh-config', configFile, 'status', 'failing']);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /tunnel: access denied for this role/);
  assert.equal(direct.connections, before);
});

test('ProxyJump and ProxyCommand on one host are refused (exit 2): ssh would use whichever it met first', async () => {
  const { code, stderr } = await runMain(['--ssh-config', configFile, 'status', 'both']);
  assert.equal(code, 2, stderr);
  assert.match(stderr, /both has both a ProxyJump and a ProxyCommand .*keep one of them/);
  await assert.rejects(sessionFor('both'), SshConfigError);
});

test('positive control: with ProxyCommand none the listener at HostName is connected to (and the login then fails, exit 1)', async () => {
  const before = direct.connections;
  const { code } = await runMain(['--ssh-config', configFile, 'status', 'unproxied']);
  assert.equal(code, 1);
  assert.ok(direct.connections > before, 'the listener saw the connection');
  assert.ok(existsSync(marker));
});
