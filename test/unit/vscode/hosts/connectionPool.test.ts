import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostTarget } from '../../../../src/core/hosts/hostTarget';
import type { HostConnection } from '../../../../src/core/hosts/openHost';
import { ConnectionPool } from '../../../../src/vscode/hosts/connectionPool';
import { readSettings } from '../../../../src/vscode/settings/settings';

// The pool with a stand-in for openHost: which connections it opens, keeps and closes. Real
// connections are opened against lab hosts by every extension-host suite.

function pool() {
  const opened: { target: HostTarget; closed: boolean }[] = [];
  const settings = readSettings({ get: (key) => ({ hosts: [{ name: 'h1', destination: 'root@h1' }] })[key] });
  const connections = new ConnectionPool(
    () => settings,
    () => ({}),
    (target) => {
      const record = { target, closed: false };
      opened.push(record);
      return { label: target.label, close: () => (record.closed = true) } as unknown as HostConnection;
    },
  );
  return { connections, opened, entry: settings.hosts[0]! };
}

test('one connection per host, kept between uses', async () => {
  const { connections, opened, entry } = pool();
  const first = connections.get(entry);
  assert.equal(await connections.use(entry, (c) => Promise.resolve(c)), first);
  assert.equal(opened.length, 1);
  assert.equal(opened[0]?.target.destination, 'root@h1');
});

test('closeIdle closes a connection nothing runs on; the next use opens a new one', async () => {
  const { connections, opened, entry } = pool();
  await connections.use(entry, () => Promise.resolve());
  assert.equal(connections.closeIdle('h1'), true);
  assert.deepEqual([opened[0]?.closed, connections.isOpen('h1')], [true, false]);
  await connections.use(entry, () => Promise.resolve());
  assert.deepEqual([opened.length, opened[1]?.closed, connections.isOpen('h1')], [2, false, true]);
  assert.equal(connections.closeIdle('nowhere'), true, 'nothing open: nothing to close');
});

test('closeIdle leaves a connection open while work runs on it, also when the work fails', async () => {
  const { connections, opened, entry } = pool();
  let finish!: () => void;
  const running = connections.use(entry, () => new Promise<void>((resolve) => (finish = resolve)));
  const failing = connections.use(entry, () => Promise.reject(new Error('refused')));
  await assert.rejects(failing, /refused/);
  assert.equal(connections.closeIdle('h1'), false, 'one piece of work still runs');
  assert.equal(opened[0]?.closed, false);
  finish();
  await running;
  assert.equal(connections.closeIdle('h1'), true);
  assert.equal(opened[0]?.closed, true);
});
