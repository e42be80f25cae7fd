import { describeAllow } from '../core/firewall/policy';
import type { HistoryEntry, HistoryLog } from '../core/history/historyLine';
import { allowJson, JSON_SCHEMA } from './json';
import { table } from './format';

/**
 * `history HOST`, for a person and as `--json`. Every entry has passed parseHistory's strict types;
 * the terminal rendering still goes through table(), which shows any control character as an escape.
 */

/** What the change did, as a person reads it: `allow 443/tcp from 198.51.100.7/32`, `block`, `block with 80/tcp from anywhere`. */
export function changeText(entry: Pick<HistoryEntry, 'action' | 'allows'>): string {
  const allows = entry.allows.map(describeAllow).join(', ');
  if (allows === '') return entry.action;
  return entry.action === 'block' ? `block with ${allows}` : `${entry.action} ${allows}`;
}

/** A policy digest shortened for the eye (`a1b2c3`), `open` for none. */
export function shortDigest(digest: string | undefined): string {
  return digest === undefined ? 'open' : digest.slice(0, 6);
}

/** `2026-12-05 04:31:02Z  ops from 203.0.113.11  allow 443/tcp from 198.51.100.7/32  (cli 0.2.0)  a1b2c3→d4e5f6`, one line per entry. */
export function formatHistory(label: string, log: HistoryLog): string {
  const lines: string[] = [];
  if (log.entries.length === 0) lines.push(`No changes recorded on ${label}.`);
  else {
    lines.push(
      table(
        log.entries.map((e) => [
          e.time.replace('T', ' '),
          `${e.user} from ${e.client ?? 'an unknown address'}`,
          changeText(e),
          `(${e.tool.name} ${e.tool.version})`,
          `${shortDigest(e.before)}→${shortDigest(e.after)}`,
        ]),
      ),
    );
  }
  if (log.skipped > 0) lines.push(`(${log.skipped} line${log.skipped === 1 ? '' : 's'} of the history could not be read and ${log.skipped === 1 ? 'was' : 'were'} skipped: not written by Docker Firewall, or altered.)`);
  return lines.join('\n');
}

export function historyJson(host: string, log: HistoryLog) {
  return {
    schema: JSON_SCHEMA,
    host,
    /** Newest first; `allows` as status shows them (allowJson), without `expired`, which depends on now. `before`/`after`: the policy digest (status's `policyDigest`), null when the host was open. */
    entries: log.entries.map((e) => ({
      time: e.time,
      user: e.user,
      client: e.client ?? null,
      tool: e.tool.name,
      version: e.tool.version,
      action: e.action,
      allows: e.allows.map(allowJson),
      before: e.before ?? null,
      after: e.after ?? null,
    })),
    /** Lines of the file that were not ours to believe (not JSON, wrong types, too long): left out. */
    skipped: log.skipped,
  };
}
