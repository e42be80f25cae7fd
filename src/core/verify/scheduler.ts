/** One piece of work; it must give up when the signal aborts (the budget ran out, or the user cancelled). */
export type Task<T> = (signal: AbortSignal) => Promise<T>;

export interface ScheduleOptions {
  /** At most this many tasks in flight at once. */
  readonly parallel: number;
  /** The whole run's budget: when it is spent, tasks still running are aborted and the rest never start. */
  readonly budgetMs: number;
  /** Cancellation from the caller: the run rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Called after each task settles, with how many have. */
  readonly onSettled?: ((settled: number, total: number) => void) | undefined;
}

export interface Scheduled<T> {
  /** One entry per task, in the tasks' order; undefined for a task the budget cut (not started, or aborted). */
  readonly results: readonly (T | undefined)[];
  /** How many tasks the budget cut. */
  readonly cut: number;
  readonly usedMs: number;
  /** The most tasks that were in flight at once (never above `parallel`). */
  readonly peakInFlight: number;
}

/**
 * Runs tasks with at most `parallel` in flight and a total time budget. A task that fails for any
 * other reason than the budget's abort makes the run reject (after the tasks in flight settle).
 */
export async function runBounded<T>(tasks: readonly Task<T>[], options: ScheduleOptions): Promise<Scheduled<T>> {
  const parallel = Math.max(1, Math.floor(options.parallel));
  const started = performance.now();
  const budget = new AbortController();
  const timer = setTimeout(() => budget.abort(new Error(`the budget of ${options.budgetMs} ms is spent`)), Math.max(0, options.budgetMs));
  const onCancel = (): void => budget.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onCancel, { once: true });
  if (options.signal?.aborted) onCancel();

  const results: (T | undefined)[] = new Array<T | undefined>(tasks.length).fill(undefined);
  let next = 0;
  let settled = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let cut = 0;
  let failure: { error: unknown } | undefined;

  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      const task = tasks[index];
      if (task === undefined) return;
      if (budget.signal.aborted || failure !== undefined) {
        cut++;
        continue;
      }
      inFlight++;
      peakInFlight = Math.max(peakInFlight, inFlight);
      try {
        results[index] = await task(budget.signal);
      } catch (error) {
        if (budget.signal.aborted) cut++;
        else failure ??= { error };
      } finally {
        inFlight--;
        settled++;
        options.onSettled?.(settled, tasks.length);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, worker));
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCancel);
  }
  if (options.signal?.aborted) throw options.signal.reason;
  if (failure !== undefined) throw failure.error;
  return { results, cut, usedMs: Math.round(performance.now() - started), peakInFlight };
}

/**
 * The most a run of `count` tasks can take when each gives up after `taskMs`: one round per
 * `parallel` tasks, and one round more for timers that fire late on a busy machine.
 */
export function budgetFor(count: number, parallel: number, taskMs: number): number {
  if (count === 0) return 0;
  return (Math.ceil(count / Math.max(1, Math.floor(parallel))) + 1) * taskMs;
}
