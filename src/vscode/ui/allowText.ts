import type { AllowRequest } from '../../core/firewall/allowRequest';
import { remainingText } from '../../core/firewall/expiry';
import { describeAllow, type Allow } from '../../core/firewall/policy';
import { rangeText } from '../../core/firewall/port';
import type { Confirmation } from './confirmations';
import { durationText } from './durationChoices';

/** Texts of the allow commands (pure, unit-tested). */

/** An allow as asked, before the host resolved it: "8080/tcp from your address for 15 min". */
export function requestText(request: AllowRequest): string {
  const from = request.from === undefined ? 'anywhere' : request.from === 'me' ? 'your address' : request.from.text;
  const time = durationText(request.forSeconds);
  return `${rangeText(request)} from ${from}${time === '' ? '' : ` ${time}`}`;
}

/** "h1: 8080/tcp from 192.0.2.100 is allowed (15 min left; h1 closes it by itself then)." */
export function allowedNotice(hostName: string, allow: Allow, now: number, applied: boolean): string {
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
  const seen = `${address}, as ${hostName} sees you`;
  if (!throughJump) {
    return {
      title: `Allow ${port} on ${hostName} from ${seen}`,
      placeHolder: 'For how long? Behind NAT this is the NAT\'s address: everyone behind it gets in too.',
      jumpConfirmation: undefined,
    };
  }
  return {
    title: `Allow ${port} on ${hostName} from ${seen} (your ProxyJump host)`,
    placeHolder: `For how long? ${address} is your jump host's address: anyone coming from there gets in too.`,
    jumpConfirmation: {
      message: `Allow ${port} on ${hostName} from ${address}?`,
      detail:
        `You reach ${hostName} through a ProxyJump host, so ${hostName} sees the jump host's address (${address}), not yours. ` +
        'Anyone who connects from the jump host gets in too, not only you.',
      action: 'Allow from This Address',
    },
  };
}
