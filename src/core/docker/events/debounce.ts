import type { Timers } from './timers';

/**
 * Calls `fire` once `quietMs` after the last `poke`, with everything poked meanwhile: a compose up
 * of ten containers is one refresh. `maxWaitMs` bounds the wait under a steady trickle of events.
 */
export class Debouncer<T> {
  private items: T[] = [];
  private timer: unknown;
  private firstAt: number | undefined;

  constructor(
    private readonly fire: (items: readonly T[]) => void,
    private readonly timers: Timers,
    private readonly quietMs = 300,
    private readonly maxWaitMs = 3000,
  ) {}

  poke(item: T): void {
    this.items.push(item);
    const now = this.timers.now();
    this.firstAt ??= now;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    const wait = Math.max(0, Math.min(this.quietMs, this.firstAt + this.maxWaitMs - now));
    this.timer = this.timers.set(() => this.flush(), wait);
  }

  cancel(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    this.items = [];
    this.firstAt = undefined;
  }

  private flush(): void {
    const items = this.items;
    this.cancel();
    if (items.length > 0) this.fire(items);
  }
}
