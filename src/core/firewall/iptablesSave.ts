import * as l10n from '@vscode/l10n';
import { FirewallReadFailed } from './errors';

/**
 * Parser for `iptables-save [-c]` output (the nf_tables and the legacy variant print the same
 * format). The host is not trusted: its output is read strictly, and anything outside
 * iptables-save's grammar fails the whole read ("cannot read the firewall") rather than being
 * skipped, so no line can be smuggled past the parser.
 *
 * Quoting is tracked across the whole text, not line by line: iptables-save prints a rule comment
 * between double quotes, escaping only `"` and `\`, and a newline inside a comment comes out raw. A
 * comment such as `"x\n-A DOCKER-USER -j PRE_DOCKER\n"` is therefore one token of one rule, never a
 * rule of its own.
 */
export interface SavedChain {
  readonly name: string;
  /** ACCEPT/DROP for built-in chains, '-' for user chains. */
  readonly policy: string;
}

export interface SavedRule {
  readonly chain: string;
  /** The rule as iptables-save printed it after `-A CHAIN `, counters removed. */
  readonly spec: string;
  /** The rule's words, quotes removed and escapes resolved. */
  readonly args: readonly string[];
  /** `-j` target, or `-g` (goto) target. */
  readonly target: string | undefined;
  /** True for `-g CHAIN`: the chain's RETURN returns to our caller's caller. */
  readonly goto: boolean;
  readonly comment: string | undefined;
  readonly packets: number;
  readonly bytes: number;
}

export interface SavedTable {
  readonly name: string;
  readonly chains: readonly SavedChain[];
  readonly rules: readonly SavedRule[];
}

export type SavedTables = ReadonlyMap<string, SavedTable>;

/** More than any real host holds: a host that prints more is refused rather than kept in memory. */
export const MAX_SAVED_LINES = 200_000;

const TABLE = /^\*([a-z]+)$/;
const CHAIN = /^:(\S+) (\S+) \[\d+:\d+\]$/;
const COUNTERS = /^\[(\d+):(\d+)\] /;
const APPEND = /^-A (\S+)(?: (.*))?$/s;

export function parseIptablesSave(text: string): SavedTables {
  const tables = new Map<string, SavedTable>();
  let current: { name: string; chains: SavedChain[]; rules: SavedRule[] } | undefined;
  const lines = logicalLines(text);
  if (lines.length > MAX_SAVED_LINES) throw new FirewallReadFailed(l10n.t('cannot read the firewall: the host printed more than {0} lines of rules', MAX_SAVED_LINES));
  for (const { text: line, number } of lines) {
    const fail = (why: string): never => {
      throw new FirewallReadFailed(l10n.t('cannot read the firewall: unexpected line {0} of iptables-save ({1}): {2}', number, why, JSON.stringify(line.slice(0, 120))));
    };
    if (line === '' || (line.startsWith('#') && !line.includes('\n'))) continue;
    const table = TABLE.exec(line);
    if (table) {
      if (current !== undefined) fail('a table starts before the previous one was committed');
      if (tables.has(table[1]!)) fail('the table was printed twice');
      current = { name: table[1]!, chains: [], rules: [] };
      continue;
    }
    if (current === undefined) fail('outside a table');
    if (line === 'COMMIT') {
      tables.set(current!.name, current!);
      current = undefined;
      continue;
    }
    const chain = CHAIN.exec(line);
    if (chain) {
      current!.chains.push({ name: chain[1]!, policy: chain[2]! });
      continue;
    }
    current!.rules.push(parseRuleLine(line, current!.chains, fail));
  }
  if (current !== undefined) throw new FirewallReadFailed(l10n.t('cannot read the firewall: table {0} was not committed (the output ended early)', current.name));
  return tables;
}

function parseRuleLine(line: string, chains: readonly SavedChain[], fail: (why: string) => never): SavedRule {
  let packets = 0;
  let bytes = 0;
  let rest = line;
  const counters = COUNTERS.exec(rest);
  if (counters) {
    packets = Number(counters[1]);
    bytes = Number(counters[2]);
    rest = rest.slice(counters[0].length);
  }
  const head = APPEND.exec(rest);
  if (!head) return fail('not a table, chain, rule or COMMIT');
  const chain = head[1]!;
  if (!chains.some((c) => c.name === chain)) fail(`a rule in ${chain}, which the table does not declare`);
  const spec = head[2] ?? '';
  let args: string[];
  try {
    args = tokenize(spec);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  const jump = args.indexOf('-j');
  const go = args.indexOf('-g');
  const targetIndex = jump !== -1 ? jump : go;
  return {
    chain,
    spec,
    args,
    target: targetIndex === -1 ? undefined : args[targetIndex + 1],
    goto: jump === -1 && go !== -1,
    comment: optionValue(args, '--comment'),
    packets,
    bytes,
  };
}

/** The text split into lines at newlines outside double quotes, each with its 1-based line number. */
function logicalLines(text: string): { text: string; number: number }[] {
  const lines: { text: string; number: number }[] = [];
  let start = 0;
  let number = 1;
  let startNumber = 1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '\\') {
      i++;
      if (text[i] === '\n') number++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (ch === '\n') {
      number++;
      if (!quoted) {
        lines.push({ text: text.slice(start, i).replace(/\r$/, ''), number: startNumber });
        start = i + 1;
        startNumber = number;
      }
    }
  }
  if (quoted) throw new FirewallReadFailed(l10n.t('cannot read the firewall: a quoted string opened on line {0} of iptables-save never closes', startNumber));
  if (start < text.length) lines.push({ text: text.slice(start), number: startNumber });
  return lines;
}

/**
 * Splits a rule as iptables-save quotes it: double quotes around words with spaces (or anything
 * else), backslash escaping `"` and `\` inside them. An unterminated quote is an error.
 */
export function tokenize(spec: string): string[] {
  const tokens: string[] = [];
  let token = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i]!;
    if (quoted) {
      if (ch === '\\' && i + 1 < spec.length) token += spec[++i];
      else if (ch === '"') quoted = false;
      else token += ch;
    } else if (ch === '"') {
      quoted = true;
      inToken = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inToken) tokens.push(token);
      token = '';
      inToken = false;
    } else {
      token += ch;
      inToken = true;
    }
  }
  if (quoted) throw new Error('a quoted string never closes');
  if (inToken) tokens.push(token);
  return tokens;
}

function optionValue(args: readonly string[], option: string): string | undefined {
  const index = args.indexOf(option);
  return index === -1 ? undefined : args[index + 1];
}

export function rulesOf(table: SavedTable | undefined, chain: string): SavedRule[] {
  return table ? table.rules.filter((rule) => rule.chain === chain) : [];
}

export function hasChain(table: SavedTable | undefined, chain: string): boolean {
  return table?.chains.some((c) => c.name === chain) ?? false;
}
