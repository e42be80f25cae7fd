import { SocketDuplex } from './socketDuplex';
import type { ClientChannel } from 'ssh2';
import { StderrBuffer } from '../remote/stderrBuffer';

/**
 * `docker system dial-stdio` on an exec channel, as a socket for node's HTTP client. The command
 * relays stdin/stdout to the Docker socket; when it cannot (no docker CLI, no rights on the socket) it
 * prints why on stderr and exits, which this turns into an error on the stream (so on the request)
 * instead of a bare "socket hang up". Once Docker has answered, an exit is just the end of the stream.
 */
export class DialStdioStream extends SocketDuplex {
  private readonly stderr = new StderrBuffer();
  private exitCode: number | null | undefined;
  private answered = false;

  constructor(
    private readonly channel: ClientChannel,
    private readonly failure: (stderr: string, exitCode: number | null | undefined) => Error,
    private readonly onAnswer?: () => void,
  ) {
    super();
    channel.on('data', (chunk: Buffer) => {
      if (!this.answered) this.onAnswer?.();
      this.answered = true;
      if (!this.push(chunk)) channel.pause();
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      this.stderr.add(chunk);
    });
    channel.on('exit', (code: number | null) => {
      this.exitCode = code;
    });
    channel.on('error', (error: Error) => this.destroy(error));
    channel.on('close', () => {
      if (this.destroyed) return;
      if (!this.answered) this.destroy(this.failure(this.stderr.text(), this.exitCode));
      else this.push(null);
    });
  }

  override _read(): void {
    this.channel.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.channel.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.channel.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    try {
      this.channel.close();
    } catch {
      // Already closed with the connection.
    }
    callback(error);
  }
}
