import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { HostConnection } from '../../../../src/core/hosts/openHost';
import { HostEventStreams, HIDDEN_CLOSE_MS, type ShownHostsView } from '../../../../src/vscode/hosts/hostEventStreams';
import type { HostSnapshot } from '../../../../src/vscode/hosts/hostSnapshot';
import type { ConfiguredHost } from '../../../../src/vscode/settings/configuredHosts';
import { readSettings, type Settings } from '../../../../src/vscode/settings/settings';
import type { HostsViewNode } from '../../../../src/vscode/tree/nodes';
import { FakeTimers, flush } from '../../../support/fakeTimers';

// HostEventStreams with the parts around it faked (the view, the settings, the read cache, the
// connection pool) and a clock that moves only when told: which hosts hold a Docker event stream
// and an SSH connection as the view is hidden, folders collapse, streams fail and work runs.
// The real streams are followed against lab hosts in test/vscode/suite/liveHosts.test.ts.

/** vscode.Event, as a plain emitter. */
class Emitter<T> {
  private readonly listeners = new Set<(e: T) => unknown>();
  readonly event = (listener: (e: T) => unknown): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(e: T): void {
    for (const listener of [...this.listeners]) listener(e);
  }
}

const MINUTE = 60_000;
const HOSTS: ConfiguredHost[] = [
  { name: 'web-1', destination: 'web-1' },
  { name: 'db-1', destination: 'db-1', group: 'databases' },
  { name: 'db-2', destination: 'db-2', group: 'databases' },
];

function world(options: { refreshInterval?: number; visible?: boolean; failingStreams?: number } = {}) {
  const timers = new FakeTimers();
  const settingsChanged = new Emitter<{ current: Settings; previous: Settings }>();
  const settings = {
    current: readSettings({ get: (key) => ({ hosts: HOSTS, refreshInterval: options.refreshInterval ?? 10 })[key] }),
    get hosts() {
      return this.current.hosts;
    },
    find(name: string) {
      return this.current.hosts.find((h) => h.name === name);
    },
    onDidChange: settingsChanged.event,
  };

  const readChanged = new Emitter<{ hostName: string; quiet: boolean }>();
  const readsDone: string[] = [];
  const statuses = new Set<string>();
  const reads = {
    onDidChange: readChanged.event,
    get: (name: string) => ({ status: statuses.has(name) ? {} : undefined, loading: false }) as unknown as HostSnapshot,
    isLoading: () => false,
    // As the real reader, a read runs over the host's pooled connection.
    load: (name: string) => {
      connections.get(settings.find(name)!);
      readsDone.push(name);
      statuses.add(name);
      readChanged.fire({ hostName: name, quiet: false });
      return Promise.resolve(reads.get(name));
    },
  };

  // Connections: each hands out event streams (the first `failingStreams` opens fail), and can be
  // busy; closeIdle closes one unless it is.
  const open = new Set<string>();
  const busy = new Set<string>();
  const streams = new Map<string, PassThrough[]>();
  let failuresLeft = options.failingStreams ?? 0;
  const connections = {
    get: (entry: ConfiguredHost) => {
      open.add(entry.name);
      return {
        events: (signal: AbortSignal) => {
          if (failuresLeft > 0) {
            failuresLeft--;
            return Promise.reject(new Error('connection refused'));
          }
          const stream = new PassThrough();
          signal.addEventListener('abort', () => stream.destroy());
          streams.set(entry.name, [...(streams.get(entry.name) ?? []), stream]);
          return Promise.resolve(stream);
        },
      } as unknown as HostConnection;
    },
    closeIdle: (name: string) => {
      if (busy.has(name)) return false;
      open.delete(name);
      return true;
    },
    isOpen: (name: string) => open.has(name),
  };

  const visibility = new Emitter<{ visible: boolean }>();
  const collapse = new Emitter<{ element: HostsViewNode }>();
  const expand = new Emitter<{ element: HostsViewNode }>();
  const view = {
    visible: options.visible ?? true,
    onDidChangeVisibility: visibility.event,
    onDidCollapseElement: collapse.event,
    onDidExpandElement: expand.event,
  } as unknown as ShownHostsView & { visible: boolean };
  const logged: string[] = [];
  const log = { info: (line: string) => void logged.push(line), debug: () => undefined };

  const events = new HostEventStreams(connections, settings, reads, view, log, { timers, follower: { random: () => 0 } });
  /** A live stream: opened, and not destroyed since. */
  const live = (name: string) => (streams.get(name) ?? []).some((s) => !s.destroyed);
  return {
    timers,
    events,
    reads,
    readsDone,
    open,
    busy,
    live,
    logged,
    setVisible: (visible: boolean) => {
      view.visible = visible;
      visibility.fire({ visible });
    },
    collapse: (group: string) => collapse.fire({ element: { kind: 'group', group } }),
    expand: (group: string) => expand.fire({ element: { kind: 'group', group } }),
    removeHost: (name: string) => {
      const previous = settings.current;
      settings.current = readSettings({ get: (key) => ({ hosts: HOSTS.filter((h) => h.name !== name), refreshInterval: options.refreshInterval ?? 10 })[key] });
      settingsChanged.fire({ current: settings.current, previous });
    },
  };
}

async function readAll(w: ReturnType<typeof world>): Promise<void> {
  for (const { name } of HOSTS) await w.reads.load(name);
  await flush();
}

test('every host read is followed over its connection; a host removed from the settings is let go at once', async () => {
  const w = world();
  await readAll(w);
  assert.deepEqual(w.events.hosts, ['web-1', 'db-1', 'db-2']);
  assert.ok(HOSTS.every((h) => w.live(h.name)));
  w.removeHost('db-2');
  assert.deepEqual(w.events.hosts, ['web-1', 'db-1']);
  assert.equal(w.live('db-2'), false, 'the stream of a removed host is closed');
  w.events.dispose();
  assert.ok(HOSTS.every((h) => !w.live(h.name)), 'dispose closes every stream');
});

test('the view hidden for 10 minutes: every stream and SSH connection is closed; shown again, each host is followed and read again', async () => {
  const w = world();
  await readAll(w);
  w.setVisible(false);
  await w.timers.advance(HIDDEN_CLOSE_MS - 1000);
  assert.deepEqual(w.events.hosts, ['web-1', 'db-1', 'db-2'], 'nothing is closed before 10 minutes');
  assert.equal(w.open.size, 3);

  await w.timers.advance(1000);
  assert.deepEqual(w.events.hosts, []);
  assert.ok(HOSTS.every((h) => !w.live(h.name)), 'the streams are closed');
  assert.equal(w.open.size, 0, 'the SSH connections are closed');
  assert.match(w.logged.join('\n'), /web-1: out of sight for 10 minutes; its Docker event stream and SSH connection are closed/);

  w.readsDone.length = 0;
  w.setVisible(true);
  await flush();
  assert.deepEqual(w.events.hosts, ['web-1', 'db-1', 'db-2']);
  assert.ok(HOSTS.every((h) => w.live(h.name)), 'followed again, over new connections');
  assert.deepEqual(w.readsDone.sort(), ['db-1', 'db-2', 'web-1'], 'each read once more for what happened meanwhile');
});

test('shown again within 10 minutes: nothing was closed, nothing is read again', async () => {
  const w = world();
  await readAll(w);
  w.setVisible(false);
  await w.timers.advance(5 * MINUTE);
  w.readsDone.length = 0;
  w.setVisible(true);
  await w.timers.advance(HIDDEN_CLOSE_MS);
  assert.deepEqual(w.events.hosts, ['web-1', 'db-1', 'db-2']);
  assert.equal(w.open.size, 3);
  assert.deepEqual(w.readsDone, []);
});

test('a collapsed group: its hosts let go after 10 minutes, the others stay; expanding it brings them back', async () => {
  const w = world();
  await readAll(w);
  w.collapse('databases');
  await w.timers.advance(HIDDEN_CLOSE_MS);
  assert.deepEqual(w.events.hosts, ['web-1']);
  assert.deepEqual([...w.open], ['web-1']);
  assert.ok(w.live('web-1') && !w.live('db-1') && !w.live('db-2'));

  w.readsDone.length = 0;
  w.expand('databases');
  await flush();
  assert.deepEqual(w.events.hosts.sort(), ['db-1', 'db-2', 'web-1']);
  assert.deepEqual(w.readsDone.sort(), ['db-1', 'db-2']);
});

test('a connection with work running on it stays open until the work is done, then closes', async () => {
  const w = world();
  await readAll(w);
  w.busy.add('db-1');
  w.setVisible(false);
  await w.timers.advance(HIDDEN_CLOSE_MS);
  assert.deepEqual([...w.open], ['db-1'], 'the busy connection stays');
  assert.equal(w.live('db-1'), false, 'its stream is closed all the same');
  w.busy.delete('db-1');
  await w.timers.advance(HIDDEN_CLOSE_MS);
  assert.deepEqual([...w.open], []);
});

test('a host read while out of sight is followed for 10 minutes, then let go; shown, it is followed and read again', async () => {
  const w = world();
  w.collapse('databases');
  await readAll(w);
  assert.deepEqual(w.events.hosts, ['web-1', 'db-1', 'db-2'], 'its exposed ports still count and notify for a while');
  await w.timers.advance(HIDDEN_CLOSE_MS);
  assert.deepEqual(w.events.hosts, ['web-1']);
  assert.deepEqual([...w.open], ['web-1'], 'closed after 10 minutes out of sight');
  w.readsDone.length = 0;
  w.expand('databases');
  await flush();
  assert.deepEqual(w.events.hosts.sort(), ['db-1', 'db-2', 'web-1']);
  assert.deepEqual(w.readsDone.sort(), ['db-1', 'db-2']);
});

test('while a stream is down the host is read every refreshInterval; once it is live, the polling stops after one read for what was missed', async () => {
  // Four failed opens: retried after 1, 2, 4 and 8 s (backoff, no jitter); the fifth (at 15 s) is live.
  const w = world({ refreshInterval: 5, failingStreams: 4 });
  await w.reads.load('web-1');
  await flush();
  w.readsDone.length = 0;
  await w.timers.advance(14_000);
  assert.equal(w.live('web-1'), false);
  assert.deepEqual(w.readsDone, ['web-1', 'web-1'], 'read at 5 s and at 10 s');
  await w.timers.advance(1000);
  assert.equal(w.live('web-1'), true);
  assert.deepEqual(w.readsDone, ['web-1', 'web-1', 'web-1'], 'and once when the stream is back');
  await w.timers.advance(60_000);
  assert.equal(w.readsDone.length, 3, 'no polling while events flow');
});

test('with refreshInterval 0 a failed stream is only retried, never polled', async () => {
  const w = world({ refreshInterval: 0, failingStreams: 3 });
  await w.reads.load('web-1');
  await flush();
  w.readsDone.length = 0;
  await w.timers.advance(6_000);
  assert.deepEqual(w.readsDone, []);
  await w.timers.advance(2_000);
  assert.equal(w.live('web-1'), true);
  assert.deepEqual(w.readsDone, ['web-1'], 'one read for what was missed');
});
