import type { Duplex } from 'node:stream';
import { SocketDuplex } from './socketDuplex';
import { ResponseTooLarge } from '../errors';

/**
 * The most one Engine API answer may be: 16 MiB. `GET /containers/json?all=1` holds about 1 KiB per
 * container (recorded: 914 bytes each on Docker 28; more with many labels), so 1000 containers are a
 * few MiB; /version and /info are a few KiB each.
 */
export const MAX_DOCKER_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * A connection to the Docker socket that may receive at most `maxBytes`. docker-modem gathers every
 * answer whole in memory (a Buffer per chunk, then one concat and one string), so the cap must sit
 * below it, on the socket: past the limit the stream is destroyed with ResponseTooLarge, which node's
 * HTTP client hands to the request and docker-modem to our call, and nothing more is read. The count
 * includes the status line and headers: with no keep-alive, one connection carries one answer.
 */
export class ResponseLimitStream extends SocketDuplex {
  private received = 0;
  private ended = false;

  constructor(
    private readonly inner: Duplex,
    maxBytes: number,
    /** Names the request in the error, e.g. "Docker on h1: GET /containers/json". */
    what: string,
  ) {
    super();
    inner.on('data', (chunk: Buffer) => {
      if (this.destroyed) return;
      this.received += chunk.length;
      if (this.received > maxBytes) {
        this.destroy(new ResponseTooLarge(what, maxBytes));
        return;
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => {
      this.ended = true;
      this.push(null);
    });
    inner.on('error', (error: Error) => this.destroy(error));
    inner.on('close', () => {
      if (!this.ended && !this.destroyed) this.destroy();
    });
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // A failed write also fails the stream below, whose 'error' (forwarded above) says why: a
    // DialStdioStream names the command's stderr, where the write itself would only say "write after end".
    this.inner.write(chunk, encoding, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inner.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner.destroy();
    callback(error);
  }
}
