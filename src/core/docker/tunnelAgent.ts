import { Agent, type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { MAX_DOCKER_RESPONSE_BYTES, ResponseLimitStream } from './responseLimit';

export interface TunnelAgentOptions {
  readonly maxSockets?: number | undefined;
  /** The most one answer may be (see ResponseLimitStream). Default MAX_DOCKER_RESPONSE_BYTES. */
  readonly maxResponseBytes?: number | undefined;
  /** Who answers, for errors: "Docker on h1". */
  readonly label?: string | undefined;
}

/**
 * An HTTP agent whose "connections" are streams opened by a function: here, channels on an existing
 * SSH connection to the host's Docker socket. No keep-alive: a channel costs one round trip on a
 * connection that is already up, and a fresh one per request keeps failures from leaking between calls.
 * Each connection may receive at most maxResponseBytes: a hostile host cannot make us buffer more.
 */
export class TunnelAgent extends Agent {
  private readonly maxResponseBytes: number;
  private readonly label: string;

  constructor(
    private readonly openStream: () => Promise<Duplex>,
    options: TunnelAgentOptions = {},
  ) {
    super({ keepAlive: false, maxSockets: options.maxSockets ?? 8 });
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_DOCKER_RESPONSE_BYTES;
    this.label = options.label ?? 'Docker';
  }

  override createConnection(_options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    // node's typings demand a stream along with an error; node itself ignores it then.
    const fail = callback as ((error: Error) => void) | undefined;
    this.openStream().then(
      (stream) => callback?.(null, new ResponseLimitStream(stream, this.maxResponseBytes, `${this.label}: an Engine API answer`)),
      (error: unknown) => fail?.(error instanceof Error ? error : new Error(String(error))),
    );
    return undefined;
  }
}
