import * as l10n from '@vscode/l10n';
import { describeAllow } from '../../core/firewall/policy';
import type { HistoryEntry, HistoryLog } from '../../core/history/historyLine';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';
import { code, escapeMarkdown, timeAgo } from '../tree/treeText';
import type { StatusRow } from './chainStatusRows';

/**
 * The History section of Chain Status: the newest changes recorded on the host (read with its
 * firewall, history/historyScript.ts), one row each, "ops from 203.0.113.11 allowed 443/tcp" with
 * "3 min ago". The entries have passed parseHistory's strict types; they are host text all the same,
 * and go through forDisplay and escapeMarkdown like any.
 */

const line = (text: string) => forDisplay(text, DISPLAY_LIMIT.line);

/** "ops from 203.0.113.11 allowed 443/tcp from anywhere": who, from where, did what (one sentence, for translation). */
export function changeSentence(entry: Pick<HistoryEntry, 'action' | 'allows' | 'user' | 'client'>): string {
  const allows = entry.allows.map(describeAllow).join(', ');
  const who = entry.user;
  const from = entry.client ?? l10n.t('an unknown address');
  switch (entry.action) {
    case 'block':
      return allows === '' ? l10n.t('{0} from {1} blocked external access', who, from) : l10n.t('{0} from {1} blocked external access, allowing {2}', who, from, allows);
    case 'allow':
      return l10n.t('{0} from {1} allowed {2}', who, from, allows);
    case 'deny':
      return l10n.t('{0} from {1} blocked {2} again', who, from, allows);
    case 'unblock':
      return l10n.t('{0} from {1} removed the lockdown', who, from);
    case 'persist':
      return l10n.t('{0} from {1} made the lockdown persistent', who, from);
    case 'prune':
      return allows === '' ? l10n.t('{0} from {1} removed expired allows', who, from) : l10n.t('{0} from {1} removed expired allows: {2}', who, from, allows);
  }
}

const digestText = (digest: string | undefined) => (digest === undefined ? l10n.t('none (open)') : code(digest));

export function historyRow(id: string, history: HistoryLog, now: Date): StatusRow {
  const children: StatusRow[] = history.entries.map((entry, i) => ({
    id: `${id}/${i}/${entry.time}`,
    label: line(changeSentence(entry)),
    description: timeAgo(new Date(entry.time), now),
    tooltip: [
      l10n.t(
        "{0} (the host's clock), by {1} from {2} with {3}.",
        escapeMarkdown(entry.time.replace('T', ' ')),
        code(entry.user),
        entry.client === undefined ? l10n.t('an address the host did not give') : code(entry.client),
        escapeMarkdown(`${entry.tool.name} ${entry.tool.version}`),
      ),
      l10n.t('Policy digest before {0}, after {1}.', digestText(entry.before), digestText(entry.after)),
    ].join('\n\n'),
    icon: { id: 'history' },
  }));
  if (history.skipped > 0) {
    children.push({
      id: `${id}/skipped`,
      label: history.skipped === 1 ? l10n.t('1 line of the history could not be read') : l10n.t('{0} lines of the history could not be read', history.skipped),
      tooltip: l10n.t('Lines of `/var/log/docker-firewall/changes.jsonl` that are not as Docker Firewall writes them (altered, or written by something else) are left out.'),
      icon: { id: 'warning', color: 'list.warningForeground' },
    });
  }
  return {
    id,
    label: l10n.t('History'),
    description:
      history.entries.length === 0 ? l10n.t('no changes recorded') : history.entries.length === 1 ? l10n.t('last 1 change') : l10n.t('last {0} changes', history.entries.length),
    tooltip: l10n.t('The newest changes Docker Firewall (the CLI or this extension) made on this host, newest first, as the host recorded them in `/var/log/docker-firewall/changes.jsonl`.'),
    icon: { id: 'history' },
    children,
  };
}
