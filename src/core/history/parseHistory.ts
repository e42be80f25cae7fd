import { isIP } from 'node:net';
import { InvalidInput } from '../errors';
import type { Allow } from '../firewall/policy';
import { isRecord, parseCidr, parsePort } from '../validate';
import { DIGEST_PATTERN, HISTORY_ACTIONS, TOOL_NAMES, VERSION_PATTERN, type HistoryAction, type HistoryEntry, type HistoryLog } from './historyLine';

/**
 * The history file is host text: a compromised host (or anyone root there) may have written
 * anything into it. Each line is parsed on its own with strict types; a line that does not fit
 * exactly is skipped and counted, never guessed at. Members we do not know are ignored (a later
 * version may add some); the ones we know must have their exact type.
 */

/** A line longer than this is not one of ours (ours are some 300 characters). */
export const MAX_LINE_LENGTH = 4096;
/** The latest end an allow can have that we would have written (the year 9999), so a date prints as one. */
const MAX_UNTIL = 253_402_300_799;
/** Allows per line: a block names the ones it keeps; more than this is not ours. */
const MAX_ALLOWS = 256;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const USER = /^(?:[A-Za-z0-9._-]{1,64}|\?)$/;

/** The lines of the history file in file order (oldest first); the entries come back newest first. */
export function parseHistory(text: string): HistoryLog {
  const entries: HistoryEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = parseHistoryLine(line);
    if (entry === undefined) skipped++;
    else entries.push(entry);
  }
  return { entries: entries.reverse(), skipped };
}

export function parseHistoryLine(line: string): HistoryEntry | undefined {
  if (line.length > MAX_LINE_LENGTH) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const { time, user, client, tool, version, action, allows, before, after } = value;
  if (typeof time !== 'string' || !TIME.test(time) || Number.isNaN(Date.parse(time))) return undefined;
  if (typeof user !== 'string' || !USER.test(user)) return undefined;
  if (typeof client !== 'string' || (client !== '' && isIP(client) === 0)) return undefined;
  const toolName = TOOL_NAMES.find((name) => name === tool);
  if (toolName === undefined || typeof version !== 'string' || !VERSION_PATTERN.test(version)) return undefined;
  const historyAction: HistoryAction | undefined = HISTORY_ACTIONS.find((a) => a === action);
  if (historyAction === undefined) return undefined;
  const parsedAllows = parseAllows(allows);
  const digestBefore = parseDigest(before);
  const digestAfter = parseDigest(after);
  if (parsedAllows === undefined || digestBefore === false || digestAfter === false) return undefined;
  return {
    time,
    user,
    client: client === '' ? undefined : client,
    tool: { name: toolName, version },
    action: historyAction,
    allows: parsedAllows,
    before: digestBefore,
    after: digestAfter,
  };
}

/** A digest, undefined for null (no lockdown), false for anything else. */
function parseDigest(value: unknown): string | undefined | false {
  if (value === null) return undefined;
  return typeof value === 'string' && DIGEST_PATTERN.test(value) ? value : false;
}

function parseAllows(value: unknown): Allow[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_ALLOWS) return undefined;
  const allows: Allow[] = [];
  for (const item of value as unknown[]) {
    if (!isRecord(item)) return undefined;
    const { port, endPort, proto, from, until } = item;
    if (typeof port !== 'number' || !Number.isInteger(port) || (proto !== 'tcp' && proto !== 'udp') || (from !== null && typeof from !== 'string')) return undefined;
    if (endPort !== undefined && (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort <= port || endPort > 65_535)) return undefined;
    if (until !== undefined && (typeof until !== 'number' || !Number.isInteger(until) || until < 0 || until > MAX_UNTIL)) return undefined;
    try {
      const cidr = from === null ? undefined : parseCidr(from);
      // Canonical only: what we write is what parseCidr makes, so anything else was not written by us.
      if (cidr !== undefined && cidr.text !== from) return undefined;
      allows.push({ port: parsePort(String(port)), ...(endPort === undefined ? {} : { endPort }), proto, from: cidr, ...(until === undefined ? {} : { until }) });
    } catch (error) {
      if (error instanceof InvalidInput) return undefined;
      throw error;
    }
  }
  return allows;
}
