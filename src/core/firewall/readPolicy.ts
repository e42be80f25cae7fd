import type { FirewallTables } from './firewallTables';
import { normalizeAllows, type Allow, type Policy } from './policy';

/**
 * The policy as the host's rules state it: the host is the source of truth, not a local file. A host
 * is locked while any chain of ours is there; its allows are those its rules' comments name (status
 * then checks that the rules do what the comments say: layoutCheck.ts).
 */
export function readPolicy(tables: FirewallTables): Policy {
  const locked = tables.ipv4.layout.chains.length > 0 || tables.ipv6.layout.chains.length > 0;
  if (!locked) return { locked: false, allows: [] };
  const allows: Allow[] = [];
  for (const family of [tables.ipv4, tables.ipv6]) {
    for (const { role } of family.rules) if (role?.kind === 'allow') allows.push(role.allow);
  }
  return { locked, allows: normalizeAllows(allows) };
}
