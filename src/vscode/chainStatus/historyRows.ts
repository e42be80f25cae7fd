import { describeAllow } from '../../core/firewall/policy';
import type { HistoryAction, HistoryEntry, HistoryLog } from '../../core/history/historyLine';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';
import { code, escapeMarkdown, plural, timeAgo } from '../tree/treeText';
import type { StatusRow } from './chainStatusRows';

/**
 * The History section of Chain Status: the newest changes recorded on the host (read with its
 * firewall, history/historyScript.ts), one row each, "ops from 203.0.113.11 allowed 443/tcp" with
 * "3 min ago". The entries have passed parseHistory's strict types; they are host text all the same,
 * and go through forDisplay and escapeMarkdown like any.
 */

const line = (text: string) => forDisplay(text, DISPLAY_LIMIT.line);

/** What the change did, in the past tense, after who made it. */
export function changeSentence(entry: Pick<HistoryEntry, 'action' | 'allows'>): string {
  const allows = entry.allows.map(describeAllow).join(', ');
  const PAST: Record<HistoryAction, string> = {
    block: allows === '' ? 'blocked external access' : `blocked external access, allowing ${allows}`,
    allow: `allowed ${allows}`,
    deny: `blocked ${allows} again`,
    unblock: 'removed the lockdown',
    persist: 'made the lockdown persistent',
    prune: allows === '' ? 'removed expired allows' : `removed expired allows: ${allows}`,
  };
  return PAST[entry.action];
}

const digestText = (digest: string | undefined) => (digest === undefined ? 'none (open)' : code(digest));

export function historyRow(id: string, history: HistoryLog, now: Date): StatusRow {
  const children: StatusRow[] = history.entries.map((entry, i) => ({
    id: `${id}/${i}/${entry.time}`,
    label: line(`${entry.user} from ${entry.client ?? 'an unknown address'} ${changeSentence(entry)}`),
    description: timeAgo(new Date(entry.time), now),
    tooltip: [
      `${escapeMarkdown(entry.time.replace('T', ' '))} (the host's clock), by ${code(entry.user)} from ${entry.client === undefined ? 'an address the host did not give' : code(entry.client)} with ${escapeMarkdown(`${entry.tool.name} ${entry.tool.version}`)}.`,
      `Policy digest before ${digestText(entry.before)}, after ${digestText(entry.after)}.`,
    ].join('\n\n'),
    icon: { id: 'history' },
  }));
  if (history.skipped > 0) {
    children.push({
      id: `${id}/skipped`,
      label: `${plural(history.skipped, 'line')} of the history could not be read`,
      tooltip: 'Lines of `/var/log/docker-firewall/changes.jsonl` that are not as Docker Firewall writes them (altered, or written by something else) are left out.',
      icon: { id: 'warning', color: 'list.warningForeground' },
    });
  }
  return {
    id,
    label: 'History',
    description: history.entries.length === 0 ? 'no changes recorded' : `last ${plural(history.entries.length, 'change')}`,
    tooltip: 'The newest changes Docker Firewall (the CLI or this extension) made on this host, newest first, as the host recorded them in `/var/log/docker-firewall/changes.jsonl`.',
    icon: { id: 'history' },
    children,
  };
}
