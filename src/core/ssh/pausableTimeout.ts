/**
 * A timeout that stops counting while the user is being asked something (a host key, a password):
 * the connect timeout is about the network and the server, not about how fast someone types.
 */
export class PausableTimeout {
  private timer: NodeJS.Timeout | undefined;
  private remainingMs: number;
  private startedAt = 0;
  private pauses = 0;
  private done = false;

  constructor(
    timeoutMs: number,
    private readonly onTimeout: () => void,
  ) {
    this.remainingMs = timeoutMs;
    this.start();
  }

  /** Stops the clock until the returned function is called (calls may nest). */
  pause(): () => void {
    if (this.pauses++ === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.remainingMs -= Date.now() - this.startedAt;
    }
    let resumed = false;
    return () => {
      if (resumed) return;
      resumed = true;
      if (--this.pauses === 0) this.start();
    };
  }

  clear(): void {
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    if (this.done) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(() => {
      this.done = true;
      this.onTimeout();
    }, Math.max(0, this.remainingMs));
  }
}
