import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter, mapBounded } from '../../../../src/vscode/hosts/limiter';

/** A task that settles when told to. */
function gate(): { promise: Promise<void>; open: () => void; fail: (e: Error) => void } {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('at most limit() tasks run at once; the others start, in order, as places free', async () => {
  const limiter = new Limiter(() => 2);
  const gates = [gate(), gate(), gate(), gate()];
  const started: number[] = [];
  const runs = gates.map((g, i) => limiter.run(async () => {
    started.push(i);
    await g.promise;
    return i;
  }));
  await tick();
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(limiter.counts, { running: 2, waiting: 2 });
  gates[1]!.open();
  await tick();
  assert.deepEqual(started, [0, 1, 2]);
  const failed = assert.rejects(runs[2]!, /down/);
  gates[2]!.fail(new Error('down'));
  await failed;
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3], 'a failed task frees its place');
  gates[3]!.open();
  assert.equal(await runs[3], 3);
  assert.deepEqual(limiter.counts, { running: 1, waiting: 0 }, 'task 0 never settles and holds one place only');
});

test('a raised limit lets waiting tasks start at the next release; a limit below 1 counts as 1', async () => {
  let limit = 1;
  const limiter = new Limiter(() => limit);
  const gates = [gate(), gate(), gate(), gate()];
  const started: number[] = [];
  gates.forEach((g, i) => void limiter.run(async () => {
    started.push(i);
    await g.promise;
  }));
  await tick();
  assert.deepEqual(started, [0]);
  limit = 3;
  gates[0]!.open();
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3]);
  const zero = new Limiter(() => 0);
  assert.equal(await zero.run(() => Promise.resolve('ran')), 'ran');
});

test('mapBounded keeps the order of the items', async () => {
  let running = 0;
  let most = 0;
  const out = await mapBounded([30, 5, 20, 1, 10], 2, async (ms, i) => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, ms));
    running--;
    return i;
  });
  assert.deepEqual(out, [0, 1, 2, 3, 4]);
  assert.equal(most, 2);
});
