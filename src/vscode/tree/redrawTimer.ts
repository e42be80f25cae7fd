import type * as vscode from 'vscode';

/**
 * One timer for text that changes with time alone ("47 min left", an allow that ends): it fires
 * after the delay `nextSeconds` gives, redraws, and asks again. Rescheduled whenever what it is
 * computed from changes; nothing runs while no allow has an end ahead.
 */
export class RedrawTimer implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly nextSeconds: () => number | undefined,
    private readonly redraw: () => void,
  ) {}

  schedule(): void {
    this.clear();
    const seconds = this.nextSeconds();
    if (seconds === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.redraw();
      this.schedule();
    }, Math.ceil(seconds * 1000));
  }

  dispose(): void {
    this.clear();
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
