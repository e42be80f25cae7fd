import { backoffDelay, EVENT_BACKOFF, type BackoffOptions } from './backoff';
import { Debouncer } from './debounce';
import { parseDockerEvent, type DockerEvent } from './dockerEvent';
import { EventLineSplitter } from './eventLines';
import { REAL_TIMERS, type Timers } from './timers';

/** Opens the host's event stream (GET /events with EVENT_FILTERS); aborting the signal ends it. */
export type OpenEventStream = (signal: AbortSignal) => Promise<NodeJS.ReadableStream>;

/** `live`: the stream is open; `waiting`: it failed or ended, and is reopened after `retryInMs`. */
export type FollowerState = { readonly kind: 'connecting' } | { readonly kind: 'live' } | { readonly kind: 'waiting'; readonly retryInMs: number; readonly reason: string };

export interface FollowerHandlers {
  /** The events of one burst (debounced): a compose up of ten containers is one call. */
  onEvents(events: readonly DockerEvent[]): void;
  onState?(state: FollowerState): void;
}

export interface FollowerOptions {
  readonly timers?: Timers;
  readonly backoff?: BackoffOptions;
  readonly debounceMs?: number;
  /** A stream that stayed open this long resets the backoff. */
  readonly healthyAfterMs?: number;
  readonly random?: () => number;
}

/**
 * Follows one host's Docker events: one stream at a time, reopened with capped backoff when it
 * fails or ends, each line parsed strictly (parseDockerEvent) and bounded (EventLineSplitter),
 * bursts debounced. stop() ends the stream and every timer and listener.
 */
export class EventFollower {
  private controller: AbortController | undefined;
  /** Leaves the open stream: its listeners removed, the stream destroyed. */
  private leaveStream: (() => void) | undefined;
  private retryTimer: unknown;
  private attempt = 0;
  private stopped = true;
  private readonly timers: Timers;
  private readonly debouncer: Debouncer<DockerEvent>;
  /** Lines that were not an event we follow (for the log, tests). */
  ignoredLines = 0;

  constructor(
    private readonly open: OpenEventStream,
    private readonly handlers: FollowerHandlers,
    private readonly options: FollowerOptions = {},
  ) {
    this.timers = options.timers ?? REAL_TIMERS;
    this.debouncer = new Debouncer((events) => handlers.onEvents(events), this.timers, options.debounceMs ?? 300);
  }

  get running(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    this.controller = undefined;
    this.leaveStream?.();
    if (this.retryTimer !== undefined) this.timers.clear(this.retryTimer);
    this.retryTimer = undefined;
    this.debouncer.cancel();
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stopped) return;
    const controller = new AbortController();
    this.controller = controller;
    this.handlers.onState?.({ kind: 'connecting' });
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.open(controller.signal);
    } catch (error) {
      if (this.controller === controller) this.retry(reasonOf(error));
      return;
    }
    if (this.controller !== controller) {
      destroy(stream);
      return;
    }
    this.handlers.onState?.({ kind: 'live' });
    const openedAt = this.timers.now();
    const splitter = new EventLineSplitter();
    let ended = false;
    const end = (reason: string): void => {
      if (ended) return;
      ended = true;
      this.leaveStream = undefined;
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('close', onEnd);
      stream.removeListener('error', onError);
      stream.on('error', () => undefined); // a late error of a stream we left must not go unhandled
      destroy(stream);
      if (this.controller !== controller) return;
      if (this.timers.now() - openedAt >= (this.options.healthyAfterMs ?? 10_000)) this.attempt = 0;
      this.retry(reason);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const line of splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) {
        if (line.trim() === '') continue;
        const event = parseDockerEvent(line);
        if (event === undefined) this.ignoredLines++;
        else this.debouncer.poke(event);
      }
    };
    const onEnd = (): void => end('the event stream ended');
    const onError = (error: unknown): void => end(reasonOf(error));
    this.leaveStream = () => end('stopped');
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    stream.once('error', onError);
  }

  private retry(reason: string): void {
    if (this.stopped) return;
    this.attempt++;
    const retryInMs = backoffDelay(this.attempt, this.options.backoff ?? EVENT_BACKOFF, (this.options.random ?? Math.random)());
    this.handlers.onState?.({ kind: 'waiting', retryInMs, reason });
    this.retryTimer = this.timers.set(() => void this.connect(), retryInMs);
  }
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as { destroy?: () => void }).destroy?.();
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
