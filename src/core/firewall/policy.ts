import * as l10n from '@vscode/l10n';
import type { Cidr, Family, Proto } from '../validate';
import { rangeText } from './port';
import { untilText } from './expiry';

/** An exception to the lockdown: new connections to a published host port, from anywhere or from one source range. */
export interface Allow {
  readonly port: number;
  /** The last port of a range (inclusive, above `port`); undefined: the one port. */
  readonly endPort?: number | undefined;
  readonly proto: Proto;
  /** Undefined: from anywhere. */
  readonly from?: Cidr | undefined;
  /** When the host's kernel stops letting it through (Unix seconds, UTC); undefined: until denied. Not part of its identity. */
  readonly until?: number | undefined;
}

/** What the user asked for on a host. Read back from the host's own rules, never kept elsewhere. */
export interface Policy {
  readonly locked: boolean;
  readonly allows: readonly Allow[];
}

export const OPEN_POLICY: Policy = { locked: false, allows: [] };

/** Port, protocol and source: an allow given again for the same ones replaces the earlier (its expiry with it). */
export function allowKey(allow: Allow): string {
  return `${rangeText(allow)}${allow.from ? ` from ${allow.from.text}` : ''}`;
}

export function sameAllow(a: Allow, b: Allow): boolean {
  return allowKey(a) === allowKey(b);
}

/** Allows in a stable order, without duplicates (the last given wins), so the same policy always renders the same rules. */
export function normalizeAllows(allows: readonly Allow[]): Allow[] {
  const byKey = new Map<string, Allow>();
  for (const allow of allows) {
    byKey.delete(allowKey(allow));
    byKey.set(allowKey(allow), allow);
  }
  return [...byKey.values()].sort(
    (a, b) => a.port - b.port || (a.endPort ?? a.port) - (b.endPort ?? b.port) || a.proto.localeCompare(b.proto) || (a.from?.text ?? '').localeCompare(b.from?.text ?? ''),
  );
}

export function withAllow(policy: Policy, allow: Allow): Policy {
  return { ...policy, allows: normalizeAllows([...policy.allows, allow]) };
}

export function withoutAllow(policy: Policy, allow: Allow): Policy {
  return { ...policy, allows: policy.allows.filter((a) => !sameAllow(a, allow)) };
}

/** An allow from a source range applies only to that range's family; one from anywhere to both. */
export function allowAppliesTo(allow: Allow, family: Family): boolean {
  return allow.from === undefined || allow.from.family === family;
}

export function describeAllow(allow: Allow): string {
  const from = allow.from ? allow.from.text : undefined;
  if (allow.until === undefined) return from === undefined ? l10n.t('{0} from anywhere', rangeText(allow)) : l10n.t('{0} from {1}', rangeText(allow), from);
  return from === undefined
    ? l10n.t('{0} from anywhere until {1}', rangeText(allow), untilText(allow.until))
    : l10n.t('{0} from {1} until {2}', rangeText(allow), from, untilText(allow.until));
}

/** "h1: removed 2 ended allows: 8080/tcp from 192.0.2.100/32; 8081/tcp from anywhere." (the CLI's prune and Clean Up Expired). */
export function pruneSummary(label: string, ended: readonly Allow[], applied: boolean): string {
  if (ended.length === 0) return l10n.t('{0}: no allow has ended; nothing changed.', label);
  const what = ended.map((a) => describeAllow({ ...a, until: undefined })).join('; ');
  if (ended.length === 1) return applied ? l10n.t('{0}: removed 1 ended allow: {1}.', label, what) : l10n.t('{0}: 1 ended allow ({1}) had already been removed.', label, what);
  return applied
    ? l10n.t('{0}: removed {1} ended allows: {2}.', label, ended.length, what)
    : l10n.t('{0}: {1} ended allows ({2}) had already been removed.', label, ended.length, what);
}
