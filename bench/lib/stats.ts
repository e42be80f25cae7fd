import { performance } from 'node:perf_hooks';

/** Order statistics of one variant's samples. */
export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

/** Linear interpolation between closest ranks (what numpy and most spreadsheets call "linear"). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function median(samples: readonly number[]): number {
  return summarize(samples).median;
}

/** The lower middle value: a count that was actually observed (connections, channels), never a fraction. */
export function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/**
 * A 95% percentile-bootstrap interval for the median: how far the median of these samples could
 * move with other samples of the same spread. Seeded, so the same samples give the same interval.
 */
export function medianInterval(samples: readonly number[], iterations = 2000, seed = 1): { low: number; high: number } {
  let state = seed >>> 0;
  const random = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const medians: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const resample = samples.map(() => samples[Math.floor(random() * samples.length)]!);
    medians.push(median(resample));
  }
  medians.sort((a, b) => a - b);
  return { low: quantile(medians, 0.025), high: quantile(medians, 0.975) };
}

/** Runs fn and returns its value with the wall time it took, in milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export class BenchTimeout extends Error {}

/** Rejects after ms with a message naming what did not finish; the timer never holds the process. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BenchTimeout(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One way of doing the thing measured; run() does one repetition and reports its own sample. */
export interface Contender<S> {
  readonly key: string;
  run(round: number): Promise<S>;
}

export interface Interleaved<S> {
  readonly samples: Map<string, S[]>;
  /** Runs that failed in a known, transient way and were run again: "key: message". */
  readonly retried: string[];
}

/**
 * A known race of the product (see bench/README.md): an exec channel whose command has already
 * finished when its open is confirmed loses its exit status, and the command is reported as cut
 * off. Such a run is run again and counted, so the benchmark measures the rest and reports it.
 */
export function isLostExitStatus(error: unknown): boolean {
  return error instanceof Error && error.message.includes('the connection was lost while');
}

/** With ten hosts read at once, several runs in a row can hit the race: enough tries that a run gets through. */
const MAX_RETRIES = 10;

/**
 * Runs every contender once per round, rounds one after another, so that a slow spell of the
 * machine (other labs share these two cores) falls on all contenders alike rather than on
 * whichever happened to run then. The first warmup rounds are run and thrown away.
 */
export async function interleave<S>(
  contenders: readonly Contender<S>[],
  options: { readonly rounds: number; readonly warmup?: number; readonly timeoutMs: number; readonly label: string },
): Promise<Interleaved<S>> {
  const samples = new Map<string, S[]>(contenders.map((c) => [c.key, []]));
  const retried: string[] = [];
  const warmup = options.warmup ?? 0;
  for (let round = 0; round < warmup + options.rounds; round++) {
    for (const contender of contenders) {
      const what = `${options.label}: ${contender.key} (round ${round + 1})`;
      for (let attempt = 0; ; attempt++) {
        try {
          const sample = await withTimeout(contender.run(round), options.timeoutMs, what);
          if (round >= warmup) samples.get(contender.key)!.push(sample);
          break;
        } catch (error) {
          if (!isLostExitStatus(error) || attempt >= MAX_RETRIES) throw error;
          retried.push(`${options.label}, ${contender.key}: ${(error as Error).message}`);
        }
      }
    }
  }
  return { samples, retried };
}

/** Runs fn again (up to ten times) when it fails with the known lost-exit-status race; for setup and undo steps. */
export async function retryingLostExit<T>(fn: () => Promise<T>, retried?: string[], label = 'setup'): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isLostExitStatus(error) || attempt >= MAX_RETRIES) throw error;
      retried?.push(`${label}: ${(error as Error).message}`);
    }
  }
}
