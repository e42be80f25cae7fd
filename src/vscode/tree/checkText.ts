import * as l10n from '@vscode/l10n';
import type { Observation } from '../../core/verify/observation';
import type { PortCheck } from '../../core/verify/verifyHost';
import type { PortCheckView } from '../hosts/checkResults';
import { escapeMarkdown, type IconSpec, type ItemText } from './treeText';

/** What a port item says of the last Check From Here (pure, unit-tested). */

/** What a probe of the port saw, in a word or two. */
function seenText(observed: Observation): string {
  switch (observed) {
    case 'open':
      return l10n.t({ message: 'open', comment: ['A probed port that accepted the connection'] });
    case 'closed':
      return l10n.t('refused');
    case 'filtered':
      return l10n.t('no answer');
    case 'open|filtered':
      return l10n.t('no reply');
  }
}

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
    const why = check.cannotProbe ?? check.unprobed ?? l10n.t('not probed');
    return { ...text, tooltip: appendLine(text.tooltip, l10n.t('Not checked from this machine at {0}: {1}.', time, escapeMarkdown(why))) };
  }
  const errors = check.results.filter((r) => r.severity === 'error');
  const warnings = check.results.filter((r) => r.severity === 'warning');
  const seen = (results: readonly PortCheck[]) => distinct(results.map((r) => seenText(r.observed))).join(', ');
  const suffix =
    errors.length > 0
      ? l10n.t('MISMATCH: {0} from here', seen(errors))
      : warnings.length > 0
        ? l10n.t('mismatch: {0} from here', seen(warnings))
        : l10n.t('checked: {0}', seen(check.results));
  const lines = [l10n.t('Checked {0} from this machine: {1}.', time, check.results.map(resultText).join('; '))];
  if (errors.length > 0) {
    lines.push(`$(error) ${l10n.t('**Mismatch**: the rules close this port, yet it answered from this machine. The lockdown does not hold for it: see Chain Status and Preview Rules.')}`);
  } else if (warnings.length > 0) {
    lines.push(
      `$(warning) ${l10n.t('**Mismatch**: the rules open this port, yet it does not answer from this machine. Something else filters it (a cloud firewall, this network, this machine), or the service is down.')}`,
    );
  }
  const notes = distinct(check.results.flatMap((r) => (r.expectedNote === undefined ? [] : [r.expectedNote])));
  if (notes.length > 0) lines.push(...notes.map((n) => l10n.t('Expected from here: {0}.', escapeMarkdown(n))));
  return {
    ...text,
    description: text.description === undefined || text.description === '' ? suffix : `${text.description} · ${suffix}`,
    tooltip: appendLine(text.tooltip, lines.join('\n\n')),
    icon: errors.length > 0 ? ERROR_ICON : warnings.length > 0 ? WARNING_ICON : text.icon,
  };
}

function resultText(result: PortCheck): string {
  const address = result.family === 'ipv6' ? `[${result.address}]` : result.address;
  return l10n.t('{0} on {1} ({2})', seenText(result.observed), escapeMarkdown(address), escapeMarkdown(result.detail));
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
