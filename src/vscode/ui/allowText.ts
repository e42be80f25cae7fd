import * as l10n from '@vscode/l10n';
import type { AllowRequest } from '../../core/firewall/allowRequest';
import { remainingText } from '../../core/firewall/expiry';
import { describeAllow, type Allow } from '../../core/firewall/policy';
import { rangeText } from '../../core/firewall/port';
import type { HostAction } from '../failure';
import type { Confirmation } from './confirmations';
import { durationLabel, durationText } from './durationChoices';

/**
 * Texts of the allow commands (pure, unit-tested). What the user reads is translated; the log's
 * lines (requestText, allowedLogLine) stay in English.
 */

/** An allow as asked, before the host resolved it, for the log: "8080/tcp from your address for 15 min". */
export function requestText(request: AllowRequest): string {
  const from = request.from === undefined ? 'anywhere' : request.from === 'me' ? 'your address' : request.from.text;
  const time = durationText(request.forSeconds);
  return `${rangeText(request)} from ${from}${time === '' ? '' : ` ${time}`}`;
}

/** requestText as the user reads it, in the display language. */
export function requestLabel(request: AllowRequest): string {
  const port = rangeText(request);
  const time = request.forSeconds === undefined ? undefined : durationLabel(request.forSeconds);
  if (request.from === undefined) return time === undefined ? l10n.t('{0} from anywhere', port) : l10n.t('{0} from anywhere for {1}', port, time);
  if (request.from === 'me') return time === undefined ? l10n.t('{0} from your address', port) : l10n.t('{0} from your address for {1}', port, time);
  const from = request.from.text;
  return time === undefined ? l10n.t('{0} from {1}', port, from) : l10n.t('{0} from {1} for {2}', port, from, time);
}

/** Allowing what was asked on a host, as runOnHost says it in the log and when it fails. */
export function allowAction(request: AllowRequest): HostAction {
  return {
    verb: `allow ${requestText(request)}`,
    failed: (host, reason) => l10n.t('Could not allow {0} on {1}: {2}', requestLabel(request), host, reason),
  };
}

/** "h1: 8080/tcp from 192.0.2.100 is allowed (15 min left; h1 closes it by itself then)." */
export function allowedNotice(hostName: string, allow: Allow, now: number, applied: boolean): string {
  const what = describeAllow({ ...allow, until: undefined });
  if (allow.until === undefined) return applied ? l10n.t('{0}: {1} is allowed.', hostName, what) : l10n.t('{0}: {1} was already allowed.', hostName, what);
  const left = remainingText(allow.until, now);
  return applied
    ? l10n.t('{0}: {1} is allowed ({2}; {0} closes it by itself then).', hostName, what, left)
    : l10n.t('{0}: {1} was already allowed ({2}; {0} closes it by itself then).', hostName, what, left);
}

/** allowedNotice in English, for the log. */
export function allowedLogLine(hostName: string, allow: Allow, now: number, applied: boolean): string {
  const what = describeAllow({ ...allow, until: undefined });
  const left = allow.until === undefined ? '' : ` (${remainingText(allow.until, now)}; ${hostName} closes it by itself then)`;
  return applied ? `${hostName}: ${what} is allowed${left}.` : `${hostName}: ${what} was already allowed${left}.`;
}

/** What Allow from My Address says about the address: in the duration pick, and in a modal through a jump host. */
export interface FromMeTexts {
  readonly title: string;
  readonly placeHolder: string;
  /** Asked before anything changes when the host sees a jump host rather than this machine. */
  readonly jumpConfirmation: Confirmation | undefined;
}

/** `address`: as the host sees it, without prefix ("192.0.2.101"). */
export function fromMeTexts(hostName: string, port: string, address: string, throughJump: boolean): FromMeTexts {
  if (!throughJump) {
    return {
      title: l10n.t('Allow {0} on {1} from {2}, as {1} sees you', port, hostName, address),
      placeHolder: l10n.t("For how long? Behind NAT this is the NAT's address: everyone behind it gets in too."),
      jumpConfirmation: undefined,
    };
  }
  return {
    title: l10n.t('Allow {0} on {1} from {2}, as {1} sees you (your ProxyJump host)', port, hostName, address),
    placeHolder: l10n.t("For how long? {0} is your jump host's address: anyone coming from there gets in too.", address),
    jumpConfirmation: {
      message: l10n.t('Allow {0} on {1} from {2}?', port, hostName, address),
      detail: l10n.t(
        "You reach {0} through a ProxyJump host, so {0} sees the jump host's address ({1}), not yours. Anyone who connects from the jump host gets in too, not only you.",
        hostName,
        address,
      ),
      action: l10n.t('Allow from This Address'),
    },
  };
}
