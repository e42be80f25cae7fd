import type { FirewallTables } from './firewallTables';
import { normalizeAllows, type Allow, type Policy } from './policy';

/** The policy as the host's rules state it: the host is the source of truth, not a local file. */
export function readPolicy(state: FirewallTables): Policy {
  const allows: Allow[] = [];
  let locked = false;
  for (const family of [state.ipv4, state.ipv6]) {
    for (const { role } of family.rules) {
      if (role?.kind === 'block' || role?.kind === 'proxy-block') locked = true;
      if (role?.kind === 'allow') allows.push(role.allow);
    }
  }
  return { locked, allows: locked ? normalizeAllows(allows) : [] };
}
