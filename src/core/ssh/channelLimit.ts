/**
 * A counting semaphore for session channels. sshd caps the session channels of one connection
 * (MaxSessions, 10 by default) and refuses the rest with "open failed", so commands and dial-stdio
 * streams beyond the cap wait here for a free slot instead of failing.
 */
export class ChannelLimit {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error('the channel limit must be a positive whole number');
  }

  /** Resolves with a release function once a slot is free; release exactly once. */
  async acquire(): Promise<() => void> {
    if (this.inUse >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      this.waiting.shift()?.();
    };
  }
}
