/**
 * At most `limit()` tasks at once; the others wait in order (pure, unit-tested). The limit is read
 * each time a task could start, so a change of `dockerFirewall.maxParallelHosts` applies at once.
 * One task that never settles holds one place only: the others go on through the rest.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: () => number) {}

  /** How many tasks run now, and how many wait (for progress texts and tests). */
  get counts(): { readonly running: number; readonly waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A waiting task is counted as running by the one that hands it its place (release).
    if (this.running >= this.max()) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private release(): void {
    this.running--;
    while (this.waiting.length > 0 && this.running < this.max()) {
      this.running++;
      this.waiting.shift()!();
    }
  }

  private max(): number {
    const limit = this.limit();
    if (limit === Number.POSITIVE_INFINITY) return limit;
    return Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : 1;
  }
}

/** `fn` over `items`, at most `limit` at once; results in the order of `items`. */
export async function mapBounded<I, O>(items: readonly I[], limit: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const limiter = new Limiter(() => limit);
  return Promise.all(items.map((item, index) => limiter.run(() => fn(item, index))));
}
