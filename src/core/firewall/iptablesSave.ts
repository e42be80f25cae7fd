/**
 * Parser for `iptables-save [-c]` output (both the nf_tables and the legacy variant print the same
 * format). Only what we need is interpreted: chains, rules in order, targets, comments, counters.
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
  readonly args: readonly string[];
  readonly target: string | undefined;
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

export function parseIptablesSave(text: string): SavedTables {
  const tables = new Map<string, SavedTable>();
  let current: { name: string; chains: SavedChain[]; rules: SavedRule[] } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      current = { name: line.slice(1), chains: [], rules: [] };
      continue;
    }
    if (current === undefined) continue;
    if (line === 'COMMIT') {
      tables.set(current.name, current);
      current = undefined;
      continue;
    }
    if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(' ');
      if (name) current.chains.push({ name, policy: policy ?? '-' });
      continue;
    }
    const rule = parseRuleLine(line);
    if (rule) current.rules.push(rule);
  }
  return tables;
}

function parseRuleLine(line: string): SavedRule | undefined {
  let packets = 0;
  let bytes = 0;
  let rest = line;
  const counters = /^\[(\d+):(\d+)\]\s+/.exec(rest);
  if (counters) {
    packets = Number(counters[1]);
    bytes = Number(counters[2]);
    rest = rest.slice(counters[0].length);
  }
  const head = /^-A\s+(\S+)\s*/.exec(rest);
  if (!head?.[1]) return undefined;
  const chain = head[1];
  const spec = rest.slice(head[0].length);
  const args = tokenize(spec);
  return { chain, spec, args, target: optionValue(args, '-j'), comment: optionValue(args, '--comment'), packets, bytes };
}

/** Splits like iptables-save quotes: double quotes around words with spaces, backslash escapes inside. */
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
