import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { backoffDelay } from '../../../../../src/core/docker/events/backoff';
import type { DockerEvent } from '../../../../../src/core/docker/events/dockerEvent';
import { EventFollower, type FollowerState } from '../../../../../src/core/docker/events/eventFollower';
import { FakeTimers, flush } from '../../../../support/fakeTimers';

const lines = readFileSync(join(__dirname, '../../../../fixtures/docker-events/docker-20.jsonl'), 'utf8');

test('backoff doubles from 1 s and stops at its cap; jitter only shortens', () => {
  assert.deepEqual([1, 2, 3, 6, 7, 20].map((n) => backoffDelay(n)), [1000, 2000, 4000, 32_000, 60_000, 60_000]);
  assert.equal(backoffDelay(2, undefined, 0.5), 1750);
});

test('a recorded burst (run, stop, rm) is one call after 300 ms of quiet, with every event', async () => {
  const timers = new FakeTimers();
  const streams: PassThrough[] = [];
  const calls: (readonly DockerEvent[])[] = [];
  const follower = new EventFollower(
    () => {
      const s = new PassThrough();
      streams.push(s);
      return Promise.resolve(s);
    },
    { onEvents: (events) => calls.push(events) },
    { timers, random: () => 0 },
  );
  follower.start();
  await flush();
  // Bytes cut anywhere: the split falls inside a line.
  streams[0]!.write(lines.slice(0, 100));
  streams[0]!.write(lines.slice(100) + 'garbage line\n');
  await flush();
  await timers.advance(299);
  assert.equal(calls.length, 0);
  await timers.advance(1);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.length, 6);
  assert.equal(follower.ignoredLines, 1);
  follower.stop();
  assert.equal(timers.count, 0);
  assert.equal(streams[0]!.listenerCount('data'), 0);
});

test('a failing or ending stream is reopened with growing delays; stop() ends the stream and every timer', async () => {
  const timers = new FakeTimers();
  const states: FollowerState[] = [];
  let opened = 0;
  const streams: PassThrough[] = [];
  const follower = new EventFollower(
    () => {
      opened++;
      if (opened <= 2) return Promise.reject(new Error('channel open failure'));
      const s = new PassThrough();
      streams.push(s);
      return Promise.resolve(s);
    },
    { onEvents: () => undefined, onState: (s) => states.push(s) },
    { timers, random: () => 0 },
  );
  follower.start();
  await flush();
  assert.deepEqual(states.at(-1), { kind: 'waiting', retryInMs: 1000, reason: 'channel open failure' });
  await timers.advance(1000);
  assert.deepEqual(states.at(-1), { kind: 'waiting', retryInMs: 2000, reason: 'channel open failure' });
  await timers.advance(2000);
  assert.deepEqual(states.at(-1), { kind: 'live' });
  assert.equal(opened, 3);
  streams[0]!.end();
  await flush();
  assert.deepEqual(states.at(-1), { kind: 'waiting', retryInMs: 4000, reason: 'the event stream ended' });
  await timers.advance(4000);
  assert.equal(opened, 4);
  // Open for long enough: the next failure starts again from 1 s.
  await timers.advance(15_000);
  streams[1]!.destroy(new Error('connection lost'));
  await flush();
  assert.deepEqual(states.at(-1), { kind: 'waiting', retryInMs: 1000, reason: 'connection lost' });
  follower.stop();
  assert.equal(timers.count, 0);
  await timers.advance(60_000);
  assert.equal(opened, 4);
});

test('stop() while the stream is opening: the stream that arrives late is closed at once', async () => {
  const timers = new FakeTimers();
  const late = new PassThrough();
  let resolve!: (s: NodeJS.ReadableStream) => void;
  const follower = new EventFollower(() => new Promise((r) => (resolve = r)), { onEvents: () => assert.fail('no events') }, { timers });
  follower.start();
  follower.stop();
  resolve(late);
  await flush();
  assert.equal(late.destroyed, true);
  assert.equal(timers.count, 0);
});
