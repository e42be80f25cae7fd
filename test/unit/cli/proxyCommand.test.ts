import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../../support/cliMain';
import { ProxyCommandUnsupported } from '../../../src/core/errors';
import { openHost } from '../../../src/core/hosts/openHost';

/**
 * A host whose ssh config has a ProxyCommand is reached through that command by ssh (a bastion, a
 * tunnel). We cannot run it yet; connecting to HostName directly instead would bypass the bastion.
 * So nothing may connect to HostName: a TCP listener there counts every connection. `ProxyCommand
 * none` is the positive control: the same listener sees the connection then.
 */
interface Recorder {
  readonly port: number;
  connections: number;
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
    set connections(value: number) {
      state.connections = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let target: Recorder;
let hop: Recorder;
let work: string;
let configFile: string;
let marker: string;

before(async () => {
  target = await recorder();
  hop = await recorder();
  work = mkdtempSync(join(tmpdir(), 'dfw-proxycommand-'));
  marker = join(work, 'proxy-command-ran');
  configFile = join(work, 'config');
  const common = `  User root\n  IdentityFile ${join(work, 'no-such-key')}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${join(work, 'known_hosts')}\n  GlobalKnownHostsFile /dev/null\n  ConnectTimeout 3\n`;
  writeFileSync(
    configFile,
    [
      '# hosts behind a bastion',
      'Host proxied',
      '  HostName 127.0.0.1',
      `  Port ${target.port}`,
      `  ProxyCommand touch ${marker}`,
      common,
      'Host via-hop',
      '  HostName 127.0.0.1',
      `  Port ${target.port}`,
      '  ProxyJump hop',
      common,
      'Host hop',
      '  HostName 127.0.0.1',
      `  Port ${hop.port}`,
      `  ProxyCommand=touch ${marker}-hop`,
      common,
      'Host unproxied',
      '  HostName 127.0.0.1',
      `  Port ${target.port}`,
      '  ProxyCommand none',
      common,
    ].join('\n'),
  );
});

after(async () => {
  await target.close();
  await hop.close();
  rmSync(work, { recursive: true, force: true });
});

/** The 1-based line of the config that contains `text`. */
function lineOf(text: string): number {
  const index = readFileSync(configFile, 'utf8').split('\n').findIndex((line) => line.includes(text));
  assert.notEqual(index, -1, text);
  return index + 1;
}

const pattern = (text: string): RegExp => new RegExp(text.replace(/[.+/()]/g, '\\$&'));

test('a ProxyCommand host is refused with exit 2 naming the file and line, and nothing connects to its HostName', async () => {
  target.connections = 0;
  const { code, stderr } = await runMain(['--ssh-config', configFile, 'status', 'proxied']);
  assert.equal(code, 2, stderr);
  assert.match(stderr, pattern(`gives proxied a ProxyCommand (${configFile}:${lineOf(`ProxyCommand touch`)})`));
  assert.match(stderr, /Nothing was connected: going to 127\.0\.0\.1 port \d+ directly would bypass the proxy/);
  assert.match(stderr, /write ProxyJump instead/);
  // The command itself is not echoed: a ProxyCommand may carry a password (sshpass -p …).
  assert.doesNotMatch(stderr, /touch/);
  assert.equal(target.connections, 0);
  assert.equal(existsSync(marker), false, 'the ProxyCommand was not run either');
});

test('a ProxyJump hop with a ProxyCommand is refused too, and neither the hop nor the target is connected to', async () => {
  target.connections = 0;
  hop.connections = 0;
  const { code, stderr } = await runMain(['--ssh-config', configFile, 'status', 'via-hop']);
  assert.equal(code, 2, stderr);
  assert.match(stderr, pattern(`gives hop, a ProxyJump hop on the way to via-hop, a ProxyCommand (${configFile}:${lineOf('ProxyCommand=')})`));
  assert.deepEqual([hop.connections, target.connections], [0, 0]);
  assert.equal(existsSync(`${marker}-hop`), false);
});

test('openHost refuses with ProxyCommandUnsupported before any socket is opened', async () => {
  target.connections = 0;
  const connection = openHost({ destination: 'proxied', sshConfigPath: configFile });
  try {
    await assert.rejects(connection.engine.read(), (error: unknown) => {
      assert.ok(error instanceof ProxyCommandUnsupported);
      assert.equal(error.code, 'ProxyCommandUnsupported');
      assert.deepEqual(error.locations, [`${configFile}:${lineOf('ProxyCommand touch')}`]);
      return true;
    });
  } finally {
    connection.close();
  }
  assert.equal(target.connections, 0);
});

test('positive control: with ProxyCommand none the same listener is connected to (and the login then fails, exit 1)', async () => {
  target.connections = 0;
  const { code } = await runMain(['--ssh-config', configFile, 'status', 'unproxied']);
  assert.equal(code, 1);
  assert.ok(target.connections >= 1, 'the listener saw the connection');
});
