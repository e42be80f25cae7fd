import * as l10n from '@vscode/l10n';
import type { Allow, Policy } from './policy';

/**
 * Allows that expire. The host's kernel closes them: the rule carries `-m time --datestop` (UTC),
 * so the port closes on time with no client online. The same instant is in the rule's comment so
 * that status reads it back, and every later change leaves expired allows out (the rule would match
 * nothing any more; keeping it would only hide that it ended).
 *
 * Times are whole Unix seconds, UTC. "Now" is the host's clock where the read brought it: the
 * host's kernel is what decides.
 */

/** `2026-12-05T05:00:00`: the form `--datestop` takes and iptables-save prints back. */
export function datestopText(until: number): string {
  return new Date(until * 1000).toISOString().slice(0, 19);
}

/** `2026-12-05T05:00:00Z`: the form in our rule comments and in JSON. */
export function untilText(until: number): string {
  return `${datestopText(until)}Z`;
}

/** The instant of an `until=` comment word; undefined unless it is exactly the form untilText writes. */
export function parseUntilText(text: string): number | undefined {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/.test(text)) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  const until = ms / 1000;
  // Date.parse rolls over impossible dates (Feb 30): only a round trip proves the text was a real instant.
  return untilText(until) === text ? until : undefined;
}

export function isExpired(allow: Allow, now: number): boolean {
  return allow.until !== undefined && allow.until <= now;
}

/** The allows of a policy that have ended by `now`. */
export function endedAllows(allows: readonly Allow[], now: number): Allow[] {
  return allows.filter((a) => isExpired(a, now));
}

/** The policy with expired allows left out: what every change starts from. */
export function withoutExpired(policy: Policy, now: number): Policy {
  return { ...policy, allows: policy.allows.filter((a) => !isExpired(a, now)) };
}

/** "47 min left", "2 h 5 min left", "3 d left", "expired". */
export function remainingText(until: number, now: number): string {
  const left = until - now;
  if (left <= 0) return l10n.t('expired');
  if (left < 60) return l10n.t('{0} s left', Math.ceil(left));
  const minutes = Math.ceil(left / 60);
  if (minutes < 60) return l10n.t('{0} min left', minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? l10n.t('{0} h left', hours) : l10n.t('{0} h {1} min left', hours, minutes % 60);
  return l10n.t('{0} d left', Math.floor(hours / 24));
}

/** The current time as whole Unix seconds, for when no host clock is at hand. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
