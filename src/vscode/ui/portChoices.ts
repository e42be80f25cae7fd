import type { PortExposure } from '../../core/firewall/exposure';
import type { Allow } from '../../core/firewall/policy';
import type { PortSpec } from '../../core/validate';
import { portDescription } from '../tree/hostTreeText';

export interface PortChoice {
  readonly label: string;
  readonly description: string;
  readonly detail: string;
  readonly spec: PortSpec;
}

/**
 * The host's published ports as choices for "Allow Port": one per port and protocol (Docker lists
 * 0.0.0.0 and :: apart), with their containers; loopback-only and sctp ports cannot be allowed.
 * Pure, unit-tested.
 */
export function portChoices(ports: readonly PortExposure[], allows: readonly Allow[]): PortChoice[] {
  const byKey = new Map<string, { spec: PortSpec; containers: Set<string>; exposures: PortExposure[] }>();
  for (const p of ports) {
    if (p.exposure === 'local-only' || (p.proto !== 'tcp' && p.proto !== 'udp')) continue;
    const key = `${p.hostPort}/${p.proto}`;
    const entry = byKey.get(key) ?? { spec: { port: p.hostPort, proto: p.proto }, containers: new Set<string>(), exposures: [] };
    entry.containers.add(p.container);
    entry.exposures.push(p);
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .sort((a, b) => a.spec.port - b.spec.port || a.spec.proto.localeCompare(b.spec.proto))
    .map(({ spec, containers, exposures }) => {
      const portAllows = allows.filter((a) => a.port === spec.port && a.proto === spec.proto);
      const states = [...new Set(exposures.map((e) => portDescription(e, portAllows)))];
      return {
        label: `${spec.port}/${spec.proto}`,
        description: [...containers].sort().join(', '),
        detail: states.join(' / '),
        spec,
      };
    });
}
