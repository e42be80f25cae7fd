import * as l10n from '@vscode/l10n';
import { reasonOf } from '../failure';
import { mapBounded } from '../hosts/limiter';
import type { ConfiguredHost } from '../settings/configuredHosts';
import type { Services } from '../services';

/**
 * Work on every host of a group, each on its own: at most dockerFirewall.maxParallelHosts at once,
 * a failure is that host's result (never the others'), and a host that has not finished within
 * `deadlineMs` is given up (its work aborted) so that it holds up no summary. Cancel aborts all.
 */
export type HostOutcome<T> = { readonly hostName: string; readonly ok: true; readonly value: T } | { readonly hostName: string; readonly ok: false; readonly reason: string; readonly error: unknown };

export async function runOnGroup<T>(
  services: Services,
  hosts: readonly ConfiguredHost[],
  signal: AbortSignal,
  deadlineMs: number,
  work: (entry: ConfiguredHost, signal: AbortSignal) => Promise<T>,
  onSettled?: (done: number) => void,
): Promise<HostOutcome<T>[]> {
  let done = 0;
  return mapBounded(hosts, services.settings.current.maxParallelHosts, async (entry): Promise<HostOutcome<T>> => {
    const controller = new AbortController();
    const stop = () => controller.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(l10n.t('no answer within {0} s', Math.round(deadlineMs / 1000)));
        controller.abort(error);
        reject(error);
      }, deadlineMs);
    });
    try {
      const value = await Promise.race([work(entry, controller.signal), deadline]);
      return { hostName: entry.name, ok: true, value };
    } catch (error) {
      services.noteHostError(entry.name, error);
      services.log.error(`${entry.name}: ${reasonOf(error)}`);
      return { hostName: entry.name, ok: false, reason: reasonOf(error), error };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      onSettled?.(++done);
    }
  });
}
