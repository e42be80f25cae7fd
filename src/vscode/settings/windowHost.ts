import { uniqueHostName, type ConfiguredHost } from './configuredHosts';

/**
 * The host of a Remote-SSH window in the host list (pure, unit-tested): first, whether the settings
 * hold it or not. A host of the settings is the window's when its destination, or its name, is what
 * the window's authority names (an ssh config alias is usually both). One the settings do not hold
 * is shown all the same, under its destination, until Keep in My Hosts writes it to them.
 */
export interface WindowHost {
  /** The name the host has in the list. */
  readonly name: string;
  /** Whether `dockerFirewall.hosts` holds it (else it is shown for this window only). */
  readonly saved: boolean;
}

export interface HostsWithWindowHost {
  readonly hosts: readonly ConfiguredHost[];
  readonly windowHost: WindowHost | undefined;
}

export function withWindowHost(configured: readonly ConfiguredHost[], windowDestination: string | undefined): HostsWithWindowHost {
  if (windowDestination === undefined) return { hosts: configured, windowHost: undefined };
  const wanted = windowDestination.toLowerCase();
  const saved = configured.find((h) => h.destination.toLowerCase() === wanted) ?? configured.find((h) => h.name.toLowerCase() === wanted);
  if (saved !== undefined) return { hosts: [saved, ...configured.filter((h) => h !== saved)], windowHost: { name: saved.name, saved: true } };
  const name = uniqueHostName(windowDestination, configured);
  return { hosts: [{ name, destination: windowDestination }, ...configured], windowHost: { name, saved: false } };
}
