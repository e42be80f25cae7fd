/**
 * Splits the event stream into lines, holding at most `maxLineBytes` of an unfinished line: a host
 * that never sends a newline cannot make us buffer more. A line longer than that is dropped whole
 * (counted in `dropped`), up to its newline. Docker writes one JSON object per line; a compose
 * container's event carries its labels, a few KiB.
 */
export const MAX_EVENT_LINE_BYTES = 64 * 1024;

export class EventLineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;
  /** Lines dropped for their length. */
  dropped = 0;

  constructor(private readonly maxLineBytes = MAX_EVENT_LINE_BYTES) {}

  /** The whole lines completed by `chunk`, without their newline. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      this.add(chunk.subarray(start, newline));
      if (!this.skipping) lines.push(Buffer.concat(this.pending).toString('utf8'));
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = false;
      start = newline + 1;
    }
    this.add(chunk.subarray(start));
    return lines;
  }

  private add(part: Buffer): void {
    if (this.skipping || part.length === 0) return;
    if (this.pendingBytes + part.length > this.maxLineBytes) {
      this.skipping = true;
      this.dropped++;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }
}
