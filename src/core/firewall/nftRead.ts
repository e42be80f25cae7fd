import * as l10n from '@vscode/l10n';
import { InvalidResponse } from '../errors';
import { JsonReader, type JsonObject } from '../docker/json';
import type { Family } from '../validate';
import { FirewallReadFailed } from './errors';
import { parseIptablesSave, type SavedTable } from './iptablesSave';
import { NFT_BASE_CHAINS } from './layout';
import { NFT_FAMILY, NFT_PRIORITY, type NftTableFound } from './nftRule';
import { parseComment } from './ruleComment';

/**
 * Reads our own nftables table back from `nft -j list table` (JSON, checked field by field) into the
 * form the rest of the firewall model reads: iptables-save's text, parsed by the same strict parser.
 * Each rule is decoded expression by expression into the iptables words that say the same thing;
 * a rule with anything we do not write (another match, another statement, a set, a map) becomes a
 * rule that says so and matches none of ours, so status calls the chain "not what Docker Firewall
 * wrote" instead of believing its comment. A base chain with another hook, priority, type or policy
 * than ours is no hook of ours. The host is not trusted: a name nft could not have printed, or a
 * document of another shape, fails the read.
 */
export interface NftFamilyRead {
  readonly table: SavedTable;
  readonly found: NftTableFound;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_RULES = 20_000;

export function parseNftTable(json: string, family: Family, tableName: string): NftFamilyRead {
  const reader = new JsonReader(`nft -j list table ${NFT_FAMILY[family]} ${tableName}`);
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch {
    throw new FirewallReadFailed(l10n.t('cannot read the firewall: nft printed no JSON for table {0} {1}', NFT_FAMILY[family], tableName));
  }
  try {
    return decode(reader, document, family, tableName);
  } catch (error) {
    if (error instanceof InvalidResponse) throw new FirewallReadFailed(l10n.t('cannot read the firewall: {0}', error.message));
    throw error;
  }
}

function decode(reader: JsonReader, document: unknown, family: Family, tableName: string): NftFamilyRead {
  const items = reader.array(reader.object(document, 'document').nftables, 'nftables');
  if (items.length > MAX_RULES) throw new FirewallReadFailed(l10n.t('cannot read the firewall: nft listed more than {0} objects in our table', MAX_RULES));
  let handle: number | undefined;
  const chains: string[] = [];
  const rules: string[] = [];
  const lastRule = new Map<string, { handle: number; marker: boolean }>();
  const ip = NFT_FAMILY[family];
  items.forEach((item, index) => {
    const path = `nftables[${index}]`;
    const object = reader.object(item, path);
    const kind = Object.keys(object)[0];
    if (Object.keys(object).length !== 1 || kind === undefined) reader.fail(path, 'an object with one key');
    const body = reader.object(object[kind], `${path}.${kind}`);
    const mine = () => {
      if (body.family !== ip || body.table !== tableName) reader.fail(`${path}.${kind}`, `in table ${ip} ${tableName}`);
    };
    switch (kind) {
      case 'metainfo':
        return;
      case 'table':
        if (body.family !== ip || body.name !== tableName) reader.fail(`${path}.table`, `table ${ip} ${tableName}`);
        handle = reader.integer(body.handle, `${path}.table.handle`, 0, 2 ** 53);
        return;
      case 'chain': {
        mine();
        const name = chainName(reader, body.name, `${path}.chain.name`);
        chains.push(`:${baseChainName(name, body)} ${body.hook === undefined ? '-' : 'ACCEPT'} [0:0]`);
        return;
      }
      case 'rule': {
        mine();
        const chain = baseChainOf(chains, chainName(reader, body.chain, `${path}.rule.chain`));
        const ruleHandle = reader.integer(body.handle, `${path}.rule.handle`, 0, 2 ** 53);
        const comment = body.comment === undefined ? undefined : reader.string(body.comment, `${path}.rule.comment`);
        const decoded = decodeRule(reader, reader.array(body.expr, `${path}.rule.expr`), family, `${path}.rule.expr`);
        const words = [...decoded.matches, ...(comment === undefined ? [] : ['-m comment --comment', quote(comment)]), ...decoded.verdict];
        rules.push(`[${decoded.packets}:${decoded.bytes}] -A ${chain} ${words.join(' ')}`.trimEnd());
        lastRule.set(chain, { handle: ruleHandle, marker: comment !== undefined && parseComment(comment)?.kind === 'state' });
        return;
      }
      default:
        // Sets, maps, counters and the like are never ours: their presence is a hand edit.
        throw new FirewallReadFailed(
          l10n.t('cannot read the firewall: table {0} {1} holds a {2}, which Docker Firewall never writes; delete the table ({3}) and block again', ip, tableName, kind, `nft delete table ${ip} ${tableName}`),
        );
    }
  });
  if (handle === undefined) reader.fail('nftables', `to list table ${ip} ${tableName}`);
  const text = ['*filter', ...chains, ...rules, 'COMMIT', ''].join('\n');
  const table = parseIptablesSave(text).get('filter')!;
  const markers = [...lastRule].flatMap(([chain, last]) => (last.marker ? [{ chain: realName(chain), handle: last.handle }] : []));
  return { table, found: { present: true, handle, markers } };
}

function chainName(reader: JsonReader, value: unknown, path: string): string {
  const name = reader.string(value, path);
  if (!NAME.test(name)) reader.fail(path, 'a plain chain name');
  return name;
}

/** Base chains keep their name only when they are exactly ours; any other is listed under a name no hook of ours has. */
function baseChainName(name: string, body: JsonObject): string {
  const base = name === NFT_BASE_CHAINS.forward ? 'forward' : name === NFT_BASE_CHAINS.input ? 'input' : undefined;
  const isOurs = base !== undefined && body.type === 'filter' && body.hook === base && body.prio === NFT_PRIORITY && body.policy === 'accept';
  if (isOurs) return name;
  if (base !== undefined || body.hook !== undefined) return `${name}~${typeof body.hook === 'string' ? body.hook : 'regular'}`.replace(/[^A-Za-z0-9_.~-]/g, '?');
  return name;
}

function baseChainOf(declared: readonly string[], name: string): string {
  const line = declared.find((l) => l.startsWith(`:${name} `) || l.startsWith(`:${name}~`));
  return line === undefined ? name : line.slice(1, line.indexOf(' '));
}

function realName(chain: string): string {
  return chain.replace(/~.*$/, '');
}

/** A comment as iptables-save quotes it: `"` and `\` escaped, anything else (a newline too) as it is. */
function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

interface DecodedRule {
  readonly matches: string[];
  readonly verdict: string[];
  readonly packets: number;
  readonly bytes: number;
}

/** An nft rule's expressions as iptables words; anything else makes the rule a foreign one. */
function decodeRule(reader: JsonReader, expressions: readonly unknown[], family: Family, path: string): DecodedRule {
  const matches: string[] = [];
  const verdict: string[] = [];
  let packets = 0;
  let bytes = 0;
  const foreign = (what: string): DecodedRule => ({ matches: ['-m', 'nft', '--foreign', quote(what.slice(0, 200))], verdict: [], packets, bytes });
  const ip = NFT_FAMILY[family];
  for (const [index, expression] of expressions.entries()) {
    const object = reader.object(expression, `${path}[${index}]`);
    const kind = Object.keys(object).length === 1 ? Object.keys(object)[0]! : '';
    const value = object[kind];
    if (kind === 'counter') {
      const counter = reader.object(value, `${path}[${index}].counter`);
      packets = reader.integer(counter.packets, `${path}[${index}].counter.packets`, 0, Number.MAX_SAFE_INTEGER);
      bytes = reader.integer(counter.bytes, `${path}[${index}].counter.bytes`, 0, Number.MAX_SAFE_INTEGER);
      continue;
    }
    if (verdict.length > 0) return foreign(`${kind} after the verdict`);
    if (kind === 'return' || kind === 'drop' || kind === 'accept') {
      if (value !== null) return foreign(kind);
      verdict.push('-j', kind === 'return' ? 'RETURN' : kind === 'drop' ? 'DROP' : 'ACCEPT');
      continue;
    }
    if (kind === 'jump' || kind === 'goto') {
      const target = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject).target : undefined;
      if (typeof target !== 'string' || !NAME.test(target)) return foreign(kind);
      verdict.push(kind === 'jump' ? '-j' : '-g', target);
      continue;
    }
    if (kind !== 'match') return foreign(kind || 'an expression');
    const words = decodeMatch(value, ip);
    if (words === undefined) return foreign(JSON.stringify(value));
    matches.push(...words);
  }
  return { matches, verdict, packets, bytes };
}

/** One `match` expression as iptables words, or undefined when it is none of the forms we write. */
function decodeMatch(value: unknown, ip: 'ip' | 'ip6'): string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { op, left, right } = value as JsonObject;
  const key = (o: unknown, field: string): unknown => (typeof o === 'object' && o !== null ? (o as JsonObject)[field] : undefined);
  const meta = key(key(left, 'meta'), 'key');
  const ct = key(left, 'ct');
  const payload = key(left, 'payload');
  if (op === 'in' && key(ct, 'key') === 'state' && Array.isArray(right) && right.length === 2 && right.includes('established') && right.includes('related')) {
    return ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED'];
  }
  if (op !== '==' && !(op === '<' && meta === 'time')) return undefined;
  if ((meta === 'iifname' || meta === 'oifname') && typeof right === 'string' && NAME.test(right)) return [meta === 'iifname' ? '-i' : '-o', right];
  if (meta === 'l4proto' && (right === 'tcp' || right === 'udp')) return ['-p', right];
  if (meta === 'time' && typeof right === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(right)) return ['-m', 'time', '--datestop', right.replace(' ', 'T')];
  if (key(ct, 'key') === 'proto-dst' && key(ct, 'dir') === 'original') {
    const range = key(right, 'range');
    if (isPort(right)) return ['-m', 'conntrack', '--ctorigdstport', String(right), '--ctdir', 'ORIGINAL'];
    if (Array.isArray(range) && range.length === 2 && isPort(range[0]) && isPort(range[1])) return ['-m', 'conntrack', '--ctorigdstport', `${String(range[0])}:${String(range[1])}`, '--ctdir', 'ORIGINAL'];
    return undefined;
  }
  const protocol = key(payload, 'protocol');
  const field = key(payload, 'field');
  if ((protocol === 'tcp' || protocol === 'udp') && field === 'dport' && isPort(right)) return ['-p', protocol, '-m', protocol, '--dport', String(right)];
  if (protocol === ip && (field === 'saddr' || field === 'daddr')) {
    const flag = field === 'saddr' ? '-s' : '-d';
    const full = ip === 'ip' ? 32 : 128;
    if (typeof right === 'string' && /^[0-9a-fA-F.:]+$/.test(right)) return [flag, `${right}/${full}`];
    const prefix = key(right, 'prefix');
    const addr = key(prefix, 'addr');
    const len = key(prefix, 'len');
    if (typeof addr === 'string' && /^[0-9a-fA-F.:]+$/.test(addr) && typeof len === 'number' && Number.isInteger(len) && len >= 0 && len <= full) return [flag, `${addr}/${len}`];
  }
  return undefined;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}
