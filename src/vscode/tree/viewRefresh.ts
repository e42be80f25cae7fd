import * as vscode from 'vscode';

/**
 * The one way a view is redrawn. Reads of several hosts often settle together (Refresh All, a
 * settings change): requests made within a short window are fired as one change, and a request for
 * the whole view absorbs those for single nodes. Both views use it for their onDidChangeTreeData.
 */
export class ViewRefresh<T> implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<T | T[] | undefined>();
  readonly event = this.emitter.event;
  private pending: Set<T> | 'all' | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly delayMs = 25) {}

  /** Redraws `node` and what is below it, or the whole view when no node is given. */
  request(node?: T): void {
    if (node === undefined) this.pending = 'all';
    else if (this.pending === undefined) this.pending = new Set([node]);
    else if (this.pending !== 'all') this.pending.add(node);
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.emitter.dispose();
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = undefined;
    this.timer = undefined;
    if (pending === undefined) return;
    this.emitter.fire(pending === 'all' ? undefined : [...pending]);
  }
}
