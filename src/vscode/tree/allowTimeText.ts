import * as l10n from '@vscode/l10n';
import { myAddress } from '../../core/firewall/allowRequest';
import { remainingText } from '../../core/firewall/expiry';
import { describeAllow, type Allow } from '../../core/firewall/policy';
import type { HostReport } from '../hosts/hostSnapshot';
import { clockTime } from './treeText';

/**
 * Allows that end, as the views show them (pure, unit-tested). Time is the host's: its kernel
 * closes the port. "Now" is the host's clock at the read plus the time this machine has counted
 * since, so a skew between the two clocks never makes "47 min left" jump.
 */
export interface AllowClock {
  /** The host's clock now (estimated), Unix seconds. */
  readonly now: number;
  /** The address the host sees this client connect from, when it said. */
  readonly clientAddress?: string | undefined;
}

/** The host's clock at `clientNowMs`, from its clock at the read and the time elapsed here since. */
export function hostNow(hostClockAtRead: number, readAt: Date, clientNowMs: number): number {
  return hostClockAtRead + Math.max(0, clientNowMs - readAt.getTime()) / 1000;
}

export function allowClock(report: HostReport, clientNowMs: number): AllowClock {
  return { now: hostNow(report.firewall.now, report.readAt, clientNowMs), clientAddress: report.facts.ssh?.clientAddress };
}

/** Whether the allow is from exactly the address the host sees this client connect from (its /32 or /128). */
export function isForClient(allow: Allow, clientAddress: string | undefined): boolean {
  if (allow.from === undefined || clientAddress === undefined) return false;
  try {
    return myAddress({ now: 0, clientAddress }).text === allow.from.text;
  } catch {
    return false;
  }
}

/** `05:00 UTC`, with the date in front when it is not the same UTC day as `now`. */
export function utcText(until: number, now: number): string {
  const iso = new Date(until * 1000).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now * 1000).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

/** "until 05:00 UTC · 47 min left", or "ended at 05:00 UTC" (Chain Status). */
export function allowEndText(until: number, now: number): string {
  return until <= now ? l10n.t('ended at {0}', utcText(until, now)) : `${l10n.t('until {0}', utcText(until, now))} · ${remainingText(until, now)}`;
}

/** For a tooltip: the end in UTC and in this machine's local time. */
export function allowEndSentence(until: number, now: number): string {
  const date = new Date(until * 1000);
  const utc = `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const local = l10n.t('{0} local time', clockTime(date));
  return until <= now
    ? l10n.t('ended at {0} ({1}): the host no longer lets it through; the next change, or Clean Up Expired, removes its rule', utc, local)
    : l10n.t('until {0} ({1}), {2}: then the host closes it by itself', utc, local, remainingText(until, now));
}

/** One allow as a tooltip line: its source (yours, when it is), and its end. */
export function allowLine(allow: Allow, clock: AllowClock): string {
  const what = describeAllow({ ...allow, until: undefined });
  const source = isForClient(allow, clock.clientAddress) ? l10n.t('{0} (your address)', what) : what;
  return allow.until === undefined ? source : `${source}, ${allowEndSentence(allow.until, clock.now)}`;
}

/**
 * Seconds until the text of timed allows next changes: the nearest end, or the next minute when
 * an end is further (so "N min left" is never stale by a minute); undefined when no allow ends.
 */
export function nextRedrawSeconds(allows: readonly Allow[], now: number): number | undefined {
  const ahead = allows.flatMap((a) => (a.until !== undefined && a.until > now ? [a.until - now] : []));
  if (ahead.length === 0) return undefined;
  const nearest = Math.min(...ahead);
  // "N min left" counts whole minutes up: it changes when the time left crosses a whole minute.
  const toMinute = nearest > 60 ? nearest % 60 || 60 : nearest;
  return Math.max(1, Math.min(nearest, toMinute));
}
