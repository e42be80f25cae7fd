/**
 * How long to wait before the `attempt`th reconnection (1-based): doubling from `baseMs`, capped at
 * `capMs`, with up to a quarter taken off at random (`random` in [0, 1)) so that many windows
 * reconnecting to one host after it restarts do not all arrive together.
 */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
}

export const EVENT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 60_000 };

export function backoffDelay(attempt: number, options: BackoffOptions = EVENT_BACKOFF, random = 0): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const full = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  return Math.round(full * (1 - Math.min(Math.max(random, 0), 0.999) / 4));
}
