import type { PortExposure } from './exposure';
import { hostAddressText, hostPortText } from './port';

/**
 * A container's port that is reachable from every network: published (on 0.0.0.0, [::] or a host
 * address) and `exposed` (no lockdown, or one that does not cover it). One per container and
 * port/protocol, however many address families publish it: what the badge counts and what a
 * notification names once.
 */
export interface ExposedPort {
  /** `container 5432/tcp`: unique on its host. */
  readonly key: string;
  readonly container: string;
  /** The binding to name: `0.0.0.0:5432` (IPv4 first). */
  readonly address: string;
  /** The port items it stands for (one per address family). */
  readonly ports: readonly PortExposure[];
}

export function exposedPorts(ports: readonly PortExposure[]): ExposedPort[] {
  const byKey = new Map<string, PortExposure[]>();
  for (const port of ports) {
    if (port.exposure !== 'exposed' || port.origin !== 'published') continue;
    const key = portKey(port);
    byKey.set(key, [...(byKey.get(key) ?? []), port]);
  }
  return [...byKey].map(([key, group]) => {
    const first = [...group].sort((a, b) => Number(a.hostIp.includes(':')) - Number(b.hostIp.includes(':')))[0]!;
    return { key, container: first.container, address: `${hostAddressText(first.hostIp)}:${first.hostPort}`, ports: group };
  });
}

/** `container 5432/tcp`: a published port of a container, whatever its address family. */
export function portKey(port: PortExposure): string {
  return `${port.container} ${hostPortText(port)}`;
}
