import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { budgetFor, runBounded, type Task } from '../../../../src/core/verify/scheduler';

/** A task that takes `ms` (or gives up when aborted), and records how many were in flight with it. */
function timed(ms: number, value: number, live: { now: number; peak: number }): Task<number> {
  return async (signal) => {
    live.now++;
    live.peak = Math.max(live.peak, live.now);
    try {
      await sleep(ms, undefined, { signal });
      return value;
    } finally {
      live.now--;
    }
  };
}

test('never more tasks in flight than asked, and every result in the order of the tasks', async () => {
  const live = { now: 0, peak: 0 };
  const tasks = Array.from({ length: 50 }, (_, i) => timed(5 + (i % 7), i, live));
  const run = await runBounded(tasks, { parallel: 8, budgetMs: 10_000 });
  assert.equal(live.peak, 8);
  assert.equal(run.peakInFlight, 8);
  assert.deepEqual(run.results, tasks.map((_, i) => i));
  assert.equal(run.cut, 0);
});

test('fewer tasks than the bound run all at once', async () => {
  const live = { now: 0, peak: 0 };
  const run = await runBounded([timed(20, 1, live), timed(20, 2, live), timed(20, 3, live)], { parallel: 32, budgetMs: 5000 });
  assert.equal(live.peak, 3);
  assert.ok(run.usedMs < 500, `took ${run.usedMs} ms`);
});

test('when the budget is spent, tasks in flight are aborted and the rest never start: their results are missing and counted', async () => {
  const live = { now: 0, peak: 0 };
  let started = 0;
  const tasks = Array.from({ length: 10 }, (_, i): Task<number> => (signal) => {
    started++;
    return timed(300, i, live)(signal);
  });
  // Rounds of two end at about 300 and 600 ms; the third is cut in flight at 750 ms.
  const run = await runBounded(tasks, { parallel: 2, budgetMs: 750 });
  const done = run.results.filter((r) => r !== undefined).length;
  assert.ok(done >= 2 && done <= 4, `done ${done}: ${JSON.stringify(run.results)}`);
  assert.deepEqual(run.results.slice(0, done), Array.from({ length: done }, (_, i) => i), 'the finished ones are the first');
  assert.equal(run.cut, 10 - done);
  assert.ok(started <= done + 2, `started ${started}, done ${done}: at most one round is cut in flight`);
  assert.equal(live.now, 0, 'every task settled');
  assert.ok(run.usedMs < 1500, `took ${run.usedMs} ms`);
});

test('cancelling through the signal rejects with its reason', async () => {
  const live = { now: 0, peak: 0 };
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('cancelled by the user')), 30);
  await assert.rejects(runBounded([timed(500, 1, live), timed(500, 2, live)], { parallel: 2, budgetMs: 5000, signal: controller.signal }), /cancelled by the user/);
});

test('a task that fails on its own fails the run', async () => {
  const failing: Task<number> = () => Promise.reject(new Error('broken prober'));
  await assert.rejects(runBounded([failing], { parallel: 1, budgetMs: 1000 }), /broken prober/);
});

test('progress is reported once per settled task', async () => {
  const live = { now: 0, peak: 0 };
  const seen: string[] = [];
  await runBounded([timed(1, 1, live), timed(1, 2, live), timed(1, 3, live)], { parallel: 2, budgetMs: 1000, onSettled: (n, total) => seen.push(`${n}/${total}`) });
  assert.deepEqual(seen, ['1/3', '2/3', '3/3']);
});

test('the budget is one round per `parallel` tasks, plus one for late timers', () => {
  assert.equal(budgetFor(0, 32, 1500), 0);
  assert.equal(budgetFor(1, 32, 1500), 3000);
  assert.equal(budgetFor(32, 32, 1500), 3000);
  assert.equal(budgetFor(33, 32, 1500), 4500);
  assert.equal(budgetFor(10, 1, 100), 1100);
});
