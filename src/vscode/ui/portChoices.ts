import type { PortExposure } from '../../core/firewall/exposure';
import type { Allow } from '../../core/firewall/policy';
import { allowsFor, comparePortSpecs, portText, specOf, type PortSpec } from '../../core/firewall/port';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';
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
    const spec = specOf(p);
    if (p.exposure === 'local-only' || p.origin === 'host-service' || spec === undefined) continue;
    const key = portText(spec);
    const entry = byKey.get(key) ?? { spec, containers: new Set<string>(), exposures: [] };
    entry.containers.add(p.container);
    entry.exposures.push(p);
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .sort((a, b) => comparePortSpecs(a.spec, b.spec))
    .map(({ spec, containers, exposures }) => {
      const portAllows = allowsFor(allows, { hostPort: spec.port, proto: spec.proto });
      const states = [...new Set(exposures.map((e) => portDescription(e, portAllows)))];
      return {
        label: portText(spec),
        // QuickPick items render $(icon): container names from the host go through forDisplay.
        description: forDisplay([...containers].sort().join(', '), DISPLAY_LIMIT.message),
        detail: forDisplay(states.join(' / '), DISPLAY_LIMIT.message),
        spec,
      };
    });
}
