/**
 * What we keep of a remote command's stderr: the first and the last 4 KiB. sudo says why it refused
 * at the start, tools put their verdict at the end; what lies between is never shown, and a host
 * that writes gigabytes of it costs us 8 KiB.
 */
export const MAX_STDERR_BYTES = 8 * 1024;

/** Marks the bytes left out between the head and the tail, on a line of its own. */
export const STDERR_OMITTED = '\n[…]\n';

export class StderrBuffer {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private omitted = false;

  constructor(private readonly maxBytes = MAX_STDERR_BYTES) {}

  add(chunk: Buffer): void {
    const headRoom = Math.floor(this.maxBytes / 2) - this.headBytes;
    if (headRoom > 0) {
      // Copies, here and below, so that the rest of a large chunk is not kept alive by a slice of it.
      const part = Buffer.from(chunk.subarray(0, headRoom));
      this.head.push(part);
      this.headBytes += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    const tailRoom = this.maxBytes - Math.floor(this.maxBytes / 2);
    while (this.tailBytes > tailRoom) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - tailRoom;
      this.omitted = true;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
      } else {
        this.tail[0] = Buffer.from(first.subarray(excess));
        this.tailBytes -= excess;
      }
    }
  }

  /** The kept stderr as text; STDERR_OMITTED stands where bytes were left out. */
  text(): string {
    if (!this.omitted) return Buffer.concat([...this.head, ...this.tail]).toString('utf8');
    return `${Buffer.concat(this.head).toString('utf8')}${STDERR_OMITTED}${Buffer.concat(this.tail).toString('utf8')}`;
  }
}
