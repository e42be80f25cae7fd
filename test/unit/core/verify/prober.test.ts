import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { probeTcp, probeUdp, UDP_PAYLOAD } from '../../../../src/core/verify/prober';
import { CI } from '../../../support/requirements';

// Real sockets against servers this test starts on 127.0.0.1 (and, as root, in a throw-away network
// namespace of its own for what loopback cannot show: a port whose packets a firewall drops).

const LOCAL = '127.0.0.1';
const OPTIONS = { timeoutMs: 800 };

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, LOCAL, () => resolve((server.address() as AddressInfo).port)));
}

/** A port nothing listens on: bound once by the test, then freed. */
async function freeTcpPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function udpServer(onMessage: (socket: Socket, message: Buffer, rinfo: { address: string; port: number }) => void): Promise<{ port: number; close: () => void }> {
  const socket = createSocket('udp4');
  socket.on('message', (message, rinfo) => onMessage(socket, message, rinfo));
  return new Promise((resolve) =>
    socket.bind(0, LOCAL, () => resolve({ port: socket.address().port, close: () => socket.close() })),
  );
}

test('TCP: a listening port is open, and the connection is closed again at once', async () => {
  const server = createServer((socket) => socket.on('error', () => undefined));
  const port = await listen(server);
  const closed = new Promise<void>((resolve) => server.once('connection', (socket) => socket.once('close', () => resolve())));
  try {
    const outcome = await probeTcp(LOCAL, port, OPTIONS);
    assert.equal(outcome.observed, 'open');
    assert.equal(outcome.detail, 'connected');
    assert.equal(outcome.localAddress, LOCAL);
    await closed;
  } finally {
    server.close();
  }
});

test('TCP: a port nothing listens on is closed (a reset)', async () => {
  const outcome = await probeTcp(LOCAL, await freeTcpPort(), OPTIONS);
  assert.equal(outcome.observed, 'closed');
  assert.equal(outcome.detail, 'refused (TCP reset)');
});

test('UDP: a port that replies is open, and the datagram is ours', async () => {
  const received: string[] = [];
  const server = await udpServer((socket, message, rinfo) => {
    received.push(message.toString('utf8'));
    socket.send('pong', rinfo.port, rinfo.address);
  });
  try {
    const outcome = await probeUdp(LOCAL, server.port, OPTIONS);
    assert.equal(outcome.observed, 'open');
    assert.equal(received[0], UDP_PAYLOAD.toString('utf8'));
  } finally {
    server.close();
  }
});

test('UDP: a port nothing listens on is closed (the ICMP port-unreachable reaches the connected socket)', async () => {
  const server = await udpServer(() => undefined);
  const port = server.port;
  server.close();
  const outcome = await probeUdp(LOCAL, port, OPTIONS);
  assert.equal(outcome.observed, 'closed');
  assert.equal(outcome.detail, 'port unreachable (ICMP)');
});

test('UDP: a service that never replies is open|filtered after the timeout, and got the datagram twice', async () => {
  let count = 0;
  const server = await udpServer(() => count++);
  try {
    const started = Date.now();
    const outcome = await probeUdp(LOCAL, server.port, OPTIONS);
    assert.equal(outcome.observed, 'open|filtered');
    assert.equal(outcome.detail, `no reply in ${OPTIONS.timeoutMs} ms`);
    assert.ok(Date.now() - started >= OPTIONS.timeoutMs - 5);
    assert.equal(count, 2);
  } finally {
    server.close();
  }
});

test('an aborted probe rejects with the reason, TCP and UDP', async () => {
  const server = await udpServer(() => undefined);
  try {
    const controller = new AbortController();
    const pending = probeUdp(LOCAL, server.port, { timeoutMs: 5000, signal: controller.signal });
    controller.abort(new Error('budget spent'));
    await assert.rejects(pending, /budget spent/);
    await assert.rejects(probeTcp(LOCAL, 1, { timeoutMs: 5000, signal: controller.signal }), /budget spent/);
  } finally {
    server.close();
  }
});

const isRoot = process.getuid?.() === 0;
const hasIp = spawnSync('ip', ['-V']).status === 0;
const reason = !isRoot ? 'needs root (a network namespace with iptables)' : !hasIp ? 'needs the ip command' : undefined;
if (reason !== undefined && CI) test(`the prober's namespace test can run (CI=true): ${reason}`, () => assert.fail(reason));

describe('in a throw-away network namespace with iptables', { skip: reason ?? false }, () => {
  const PROBER = join(__dirname, '../../../../src/core/verify/prober.ts');
  /** Runs a probe inside the namespace (a node of its own: sockets belong to the namespace they are made in). */
  const probeIn = (ns: string, kind: 'tcp' | 'udp', port: number): { observed: string; detail: string } => {
    const script = `const p = require(${JSON.stringify(PROBER)}); p.${kind === 'tcp' ? 'probeTcp' : 'probeUdp'}('127.0.0.1', ${port}, { timeoutMs: 700 }).then((o) => process.stdout.write(JSON.stringify(o)));`;
    const out = execFileSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', '-e', script], { encoding: 'utf8', cwd: join(__dirname, '../../../..') });
    const { observed, detail } = JSON.parse(out) as { observed: string; detail: string };
    return { observed, detail };
  };

  test('a port whose packets a firewall drops: TCP filtered, UDP open|filtered; a REJECT with an ICMP error: filtered, with the reason', () => {
    const ns = `dfw-probe-${randomBytes(3).toString('hex')}`;
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      const run = (...argv: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...argv]);
      run('ip', 'link', 'set', 'lo', 'up');
      run('iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '9', '-j', 'DROP');
      run('iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '10', '-j', 'REJECT', '--reject-with', 'icmp-host-unreachable');
      run('iptables', '-A', 'INPUT', '-p', 'udp', '--dport', '9', '-j', 'DROP');
      assert.deepEqual(probeIn(ns, 'tcp', 9), { observed: 'filtered', detail: 'no answer in 700 ms' });
      assert.deepEqual(probeIn(ns, 'tcp', 10), { observed: 'filtered', detail: 'host unreachable (an ICMP error, or no route from here) (EHOSTUNREACH)' });
      assert.deepEqual(probeIn(ns, 'udp', 9), { observed: 'open|filtered', detail: 'no reply in 700 ms' });
      // Nothing dropped, nothing listening: refused, as on any loopback.
      assert.deepEqual(probeIn(ns, 'tcp', 11), { observed: 'closed', detail: 'refused (TCP reset)' });
    } finally {
      execFileSync('ip', ['netns', 'del', ns]);
    }
  });
});
