import type { FirewallEngine } from '../../core/hosts/firewallEngine';
import type { ConfiguredHost } from '../settings/configuredHosts';
import type { HostAction } from '../failure';
import type { Services } from '../services';
import { reportFailure } from '../ui/notify';
import { withCancellableProgress } from '../ui/progress';

/**
 * Runs work against one host in a cancellable progress notification titled `title`. On failure shows
 * "Could not <verb> on <host>: <reason>" (`action`, with Show Log) and resolves undefined, so that a command
 * run through executeCommand settles once the work is done, never waiting on a notification.
 */
export async function runOnHost<T>(
  services: Services,
  entry: ConfiguredHost,
  work: { readonly action: HostAction; readonly title: string },
  task: (host: FirewallEngine, signal: AbortSignal) => Promise<T>,
): Promise<T | undefined> {
  try {
    return await withCancellableProgress(work.title, (signal) => services.connections.use(entry, (connection) => task(connection.engine, signal)));
  } catch (error) {
    services.noteHostError(entry.name, error);
    void reportFailure(services.log, work.action, entry.name, error);
    return undefined;
  }
}

/** Reads the host again so both views show the result of a change. */
export async function rereadHost(services: Services, entry: ConfiguredHost): Promise<void> {
  await services.reads.load(entry.name, { force: true });
}
