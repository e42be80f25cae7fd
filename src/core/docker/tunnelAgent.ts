import { Agent, type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * An HTTP agent whose "connections" are streams opened by a function: here, channels on an existing
 * SSH connection to the host's Docker socket. No keep-alive: a channel costs one round trip on a
 * connection that is already up, and a fresh one per request keeps failures from leaking between calls.
 */
export class TunnelAgent extends Agent {
  constructor(
    private readonly openStream: () => Promise<Duplex>,
    maxSockets = 8,
  ) {
    super({ keepAlive: false, maxSockets });
  }

  override createConnection(_options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    // node's typings demand a stream along with an error; node itself ignores it then.
    const fail = callback as ((error: Error) => void) | undefined;
    this.openStream().then(
      (stream) => callback?.(null, stream),
      (error: unknown) => fail?.(error instanceof Error ? error : new Error(String(error))),
    );
    return undefined;
  }
}
