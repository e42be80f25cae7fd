import type { Timers } from '../../src/core/docker/events/timers';

/** Lets promises and stream callbacks queued so far run. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A clock that moves only when told (Timers, as the event follower and the event streams take them). */
export class FakeTimers implements Timers {
  time = 0;
  private next = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  now(): number {
    return this.time;
  }
  set(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.time + ms, callback });
    return id;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  get count(): number {
    return this.pending.size;
  }
  /** Runs every timer due within `ms`, in order, letting what each one starts settle. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.pending].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
      await flush();
    }
    this.time = end;
    await flush();
  }
}
