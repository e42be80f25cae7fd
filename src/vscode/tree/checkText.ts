import type { Observation } from '../../core/verify/observation';
import type { PortCheck } from '../../core/verify/verifyHost';
import type { PortCheckView } from '../hosts/checkResults';
import { escapeMarkdown, type IconSpec, type ItemText } from './treeText';

/** What a port item says of the last Check From Here (pure, unit-tested). */

const SEEN: Record<Observation, string> = {
  open: 'open',
  closed: 'refused',
  filtered: 'no answer',
  'open|filtered': 'no reply',
};

const ERROR_ICON: IconSpec = { id: 'error', color: 'list.errorForeground' };
const WARNING_ICON: IconSpec = { id: 'warning', color: 'list.warningForeground' };

/**
 * A port item's text with the check's result: the description gets `checked: no answer` (or the
 * mismatch, loudly), the tooltip a line "Checked 14:02 from this machine: no answer on 192.0.2.1.",
 * and a mismatch the error or warning icon.
 */
export function withPortCheck(text: ItemText, check: PortCheckView | undefined): ItemText {
  if (check === undefined) return text;
  const time = hoursMinutes(check.at);
  if (check.results.length === 0) {
    const why = check.cannotProbe ?? check.unprobed ?? 'not probed';
    return { ...text, tooltip: appendLine(text.tooltip, `Not checked from this machine at ${time}: ${escapeMarkdown(why)}.`) };
  }
  const errors = check.results.filter((r) => r.severity === 'error');
  const warnings = check.results.filter((r) => r.severity === 'warning');
  const seen = distinct(check.results.map((r) => SEEN[r.observed]));
  const suffix = errors.length > 0 ? `MISMATCH: ${distinct(errors.map((r) => SEEN[r.observed])).join(', ')} from here` : warnings.length > 0 ? `mismatch: ${distinct(warnings.map((r) => SEEN[r.observed])).join(', ')} from here` : `checked: ${seen.join(', ')}`;
  const lines = [`Checked ${time} from this machine: ${check.results.map(resultText).join('; ')}.`];
  if (errors.length > 0) lines.push('$(error) **Mismatch**: the rules close this port, yet it answered from this machine. The lockdown does not hold for it: see Chain Status and Preview Rules.');
  else if (warnings.length > 0) lines.push('$(warning) **Mismatch**: the rules open this port, yet it does not answer from this machine. Something else filters it (a cloud firewall, this network, this machine), or the service is down.');
  const notes = distinct(check.results.flatMap((r) => (r.expectedNote === undefined ? [] : [r.expectedNote])));
  if (notes.length > 0) lines.push(...notes.map((n) => `Expected from here: ${escapeMarkdown(n)}.`));
  return {
    ...text,
    description: text.description === undefined || text.description === '' ? suffix : `${text.description} · ${suffix}`,
    tooltip: appendLine(text.tooltip, lines.join('\n\n')),
    icon: errors.length > 0 ? ERROR_ICON : warnings.length > 0 ? WARNING_ICON : text.icon,
  };
}

function resultText(result: PortCheck): string {
  const address = result.family === 'ipv6' ? `[${result.address}]` : result.address;
  return `${SEEN[result.observed]} on ${escapeMarkdown(address)} (${escapeMarkdown(result.detail)})`;
}

/** 14:02, in local time: the check is of one moment, the date is that of the read beside it. */
function hoursMinutes(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

function appendLine(tooltip: string | undefined, line: string): string {
  return tooltip === undefined || tooltip === '' ? line : `${tooltip}\n\n${line}`;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}
