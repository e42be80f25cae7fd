import type { Allow } from '../firewall/policy';

/**
 * The history of changes kept on each host: one JSON line per change in
 * /var/log/docker-firewall/changes.jsonl, appended by the same script (the same exec) that applies
 * the change. A line is made in two halves:
 * - the host's: when (the host's clock, UTC), who (the SSH login, SUDO_USER under sudo) and from
 *   where (the client side of SSH_CONNECTION). The host fills them in because only it knows them
 *   as they were when the rules changed, and its clock is the one its other logs use;
 * - ours (`historyLineTail`): which tool made the change, the action, the allows it names and the
 *   policy digest before and after. It travels as a part of the stdin bundle, never as shell code.
 *
 * Read back, every line is host text: see parseHistory.ts.
 */
export const HISTORY_DIR = '/var/log/docker-firewall';
export const HISTORY_FILE = `${HISTORY_DIR}/changes.jsonl`;
/** Lines kept: the script cuts the file to the newest ones when it grows past them. */
export const HISTORY_KEEP = 10_000;

export const HISTORY_ACTIONS = ['block', 'allow', 'deny', 'unblock', 'persist', 'prune'] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

export const TOOL_NAMES = ['cli', 'vscode'] as const;

/** The program that made a change: the CLI or the extension, and its version. */
export interface ToolId {
  readonly name: (typeof TOOL_NAMES)[number];
  readonly version: string;
}

/** What a change is, for the history: its action and the allows it names (none for unblock, persist). */
export interface ChangeNote {
  readonly action: HistoryAction;
  readonly allows: readonly Allow[];
}

/** One line of the history, read back and checked. */
export interface HistoryEntry {
  /** ISO 8601, UTC, to the second (`2026-12-05T04:31:02Z`), from the host's clock. */
  readonly time: string;
  /** The SSH login that made the change (`?` when the host could not say). */
  readonly user: string;
  /** The client's address as the host saw it; undefined when the host could not say. */
  readonly client: string | undefined;
  readonly tool: ToolId;
  readonly action: HistoryAction;
  readonly allows: readonly Allow[];
  /** Policy digests (policyDigest in firewall/persistence.ts); undefined: no lockdown. */
  readonly before: string | undefined;
  readonly after: string | undefined;
}

/** What a read of the history found: the entries, newest first, and how many lines were not ours to believe. */
export interface HistoryLog {
  readonly entries: readonly HistoryEntry[];
  readonly skipped: number;
}

/** What became of a change's history line: written, or not (the change stands either way). */
export type HistoryOutcome = { readonly kind: 'written' } | { readonly kind: 'failed'; readonly reason: string };

/** What the user is told when a change's history line was not written: a warning, the change stands. Undefined otherwise. */
export function historyFailureText(outcome: HistoryOutcome | undefined): string | undefined {
  return outcome?.kind === 'failed' ? `the change is applied, but its history line could not be written: ${outcome.reason}` : undefined;
}

export const VERSION_PATTERN = /^[0-9A-Za-z.+-]{1,32}$/;
export const DIGEST_PATTERN = /^[0-9a-f]{12}$/;

/**
 * An allow as a history line holds it: `{port, proto, from}`, `from` null for anywhere; `endPort` for
 * a range and `until` (Unix seconds) for one that ends, only when set. This is the stored format,
 * which parseHistory reads back from lines already on hosts: the CLI's `--json` (cli/json.ts) shows
 * the end its own way and does not change it.
 */
function historyAllowJson(allow: Allow): { port: number; endPort?: number; proto: string; from: string | null; until?: number } {
  return {
    port: allow.port,
    ...(allow.endPort === undefined ? {} : { endPort: allow.endPort }),
    proto: allow.proto,
    from: allow.from?.text ?? null,
    ...(allow.until === undefined ? {} : { until: allow.until }),
  };
}

/**
 * Our half of a history line: a JSON object's members without its opening brace, for the host to
 * put its own members before (historyScript.ts). JSON.stringify escapes every control character, so
 * the text is one line.
 */
export function historyLineTail(note: ChangeNote, tool: ToolId, before: string | undefined, after: string | undefined): string {
  if (!VERSION_PATTERN.test(tool.version)) throw new Error(`not a version: ${tool.version}`);
  for (const digest of [before, after]) if (digest !== undefined && !DIGEST_PATTERN.test(digest)) throw new Error(`not a policy digest: ${digest}`);
  const json = JSON.stringify({
    tool: tool.name,
    version: tool.version,
    action: note.action,
    allows: note.allows.map(historyAllowJson),
    before: before ?? null,
    after: after ?? null,
  });
  return json.slice(1);
}
