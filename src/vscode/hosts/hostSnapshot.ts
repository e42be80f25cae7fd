import type { ErrorCode } from '../../core/errors';
import type { Inventory } from '../../core/docker/inventoryModel';
import type { HostFacts } from '../../core/firewall/hostFacts';
import type { FirewallStatus } from '../../core/firewall/status';
import type { HistoryLog } from '../../core/history/historyLine';

/** One successful read of a host: its containers and its firewall as Docker Firewall sees them. */
export interface HostReport {
  readonly inventory: Inventory;
  readonly firewall: FirewallStatus;
  /** What the same read learnt of the host itself: its sockets, addresses and our SSH connection. */
  readonly facts: HostFacts;
  /** The newest changes recorded on the host, from the same read; undefined when it was not read. */
  readonly history?: HistoryLog | undefined;
  readonly readAt: Date;
}

export interface HostFailure {
  readonly message: string;
  /** DockerFirewallError's code when the error had one ('HostKeyMismatch', 'ConnectTimeout'…). */
  readonly code: ErrorCode | undefined;
  readonly at: Date;
}

/**
 * What the extension knows about a host right now. The latest outcome wins: a read that fails
 * clears the status, so nothing stale is shown as current.
 */
export interface HostSnapshot {
  readonly status: HostReport | undefined;
  readonly failure: HostFailure | undefined;
  readonly loading: boolean;
}

export const UNKNOWN_SNAPSHOT: HostSnapshot = { status: undefined, failure: undefined, loading: false };

/**
 * The state a host is shown in. A reload keeps showing the previous status (no flicker while the
 * chain status refreshes every few seconds); only a host with nothing to show yet is 'connecting'.
 */
export type HostDisplayState = 'unknown' | 'connecting' | 'locked' | 'open' | 'unreachable';

export function hostDisplayState(snapshot: HostSnapshot): HostDisplayState {
  if (snapshot.status !== undefined) return snapshot.status.firewall.locked ? 'locked' : 'open';
  if (snapshot.loading) return 'connecting';
  if (snapshot.failure !== undefined) return 'unreachable';
  return 'unknown';
}
