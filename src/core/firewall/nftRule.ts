import type { ChainName, Family } from '../validate';
import { tokenize } from './iptablesSave';
import { NFT_BASE_CHAINS, type FamilyLayout } from './layout';

/**
 * The nftables backend writes the same lockdown as the iptables one, chain for chain and rule for
 * rule, into a table of our own. The layout keeps its one form (iptables-save's text: what status
 * checks, the state marker digests and Chain Status shows); this module says each of its rules in
 * nft's words, and nftRead.ts reads nft's JSON back into that form. Only the rules our renderer
 * writes are known here: anything else is a bug of ours and throws, rather than being half-said.
 */

/** Our table in each family (`ip`, `ip6`): named after the chain, so two chain settings never share one. */
export function nftTableName(chain: ChainName): string {
  return chain === 'PRE_DOCKER' ? 'docker_firewall' : `docker_firewall_${chain}`;
}

export const NFT_FAMILY: Record<Family, 'ip' | 'ip6'> = { ipv4: 'ip', ipv6: 'ip6' };

/** Before Docker's own filter chains (priority filter, 0); a drop in any base chain is final. */
export const NFT_PRIORITY = -10;

const SIMPLE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const ADDRESS = /^[0-9a-fA-F.:]+$/;

/** One layout rule (iptables-save's form, without `-A CHAIN`) as an nft rule statement, with a counter. */
export function nftRuleText(spec: string, family: Family): string {
  const args = tokenize(spec);
  const ip = NFT_FAMILY[family];
  const matches: string[] = [];
  let verdict = '';
  let comment: string | undefined;
  const take = (i: number): string => {
    const value = args[i];
    if (value === undefined) throw new Error(`nftables: ${args[i - 1] ?? ''} without a value in ${JSON.stringify(spec)}`);
    return value;
  };
  const name = (value: string): string => {
    if (!SIMPLE_NAME.test(value)) throw new Error(`nftables: ${JSON.stringify(value)} is not a plain name`);
    return value;
  };
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    switch (word) {
      case '-s':
      case '-d': {
        const [address, prefix] = take(++i).split('/');
        if (address === undefined || !ADDRESS.test(address)) throw new Error(`nftables: not an address in ${JSON.stringify(spec)}`);
        const full = prefix === undefined || prefix === (family === 'ipv4' ? '32' : '128');
        matches.push(`${ip} ${word === '-s' ? 'saddr' : 'daddr'} ${full ? address : `${address}/${Number(prefix)}`}`);
        break;
      }
      case '-i':
        matches.push(`iifname "${name(take(++i))}"`);
        break;
      case '-o':
        matches.push(`oifname "${name(take(++i))}"`);
        break;
      case '-p': {
        const proto = take(++i);
        if (proto !== 'tcp' && proto !== 'udp') throw new Error(`nftables: protocol ${JSON.stringify(proto)}`);
        // `-p tcp -m tcp --dport N`: the packet's own port; `-p tcp` alone goes with a conntrack match.
        if (args[i + 1] === '-m' && args[i + 2] === proto && args[i + 3] === '--dport') {
          matches.push(`${proto} dport ${port(take(i + 4))}`);
          i += 4;
        } else {
          matches.push(`meta l4proto ${proto}`);
        }
        break;
      }
      case '-m': {
        const module = take(++i);
        if (module === 'conntrack' && args[i + 1] === '--ctstate' && args[i + 2] === 'RELATED,ESTABLISHED') {
          matches.push('ct state established,related');
          i += 2;
        } else if (module === 'conntrack' && args[i + 1] === '--ctorigdstport' && args[i + 3] === '--ctdir' && args[i + 4] === 'ORIGINAL') {
          const [from, to] = take(i + 2).split(':');
          matches.push(`ct original proto-dst ${port(from)}${to === undefined ? '' : `-${port(to)}`}`);
          i += 4;
        } else if (module === 'time' && args[i + 1] === '--datestop') {
          // Unix seconds: nft reads them without a time zone (a date text would be the host's local time).
          const ms = Date.parse(`${take(i + 2)}Z`);
          if (Number.isNaN(ms)) throw new Error(`nftables: not a date in ${JSON.stringify(spec)}`);
          matches.push(`meta time < ${ms / 1000}`);
          i += 2;
        } else if (module === 'comment' && args[i + 1] === '--comment') {
          comment = take(i + 2);
          if (/["\\\n]/.test(comment) || comment.length > 128) throw new Error(`nftables: a comment nft cannot hold: ${JSON.stringify(comment)}`);
          i += 2;
        } else {
          throw new Error(`nftables: no counterpart for -m ${module} in ${JSON.stringify(spec)}`);
        }
        break;
      }
      case '-j': {
        const target = take(++i);
        verdict = target === 'RETURN' ? 'return' : target === 'DROP' ? 'drop' : target === 'ACCEPT' ? 'accept' : `jump ${name(target)}`;
        break;
      }
      case '-g':
        verdict = `goto ${name(take(++i))}`;
        break;
      default:
        throw new Error(`nftables: no counterpart for ${JSON.stringify(word)} in ${JSON.stringify(spec)}`);
    }
  }
  return [...matches, 'counter', ...(verdict === '' ? [] : [verdict]), ...(comment === undefined ? [] : [`comment "${comment}"`])].join(' ');
}

function port(text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`nftables: not a port: ${JSON.stringify(text)}`);
  return value;
}

/** A family's layout as one nft table definition (`table ip NAME { … }`), base chains first. */
export function nftTableBlock(family: Family, layout: FamilyLayout, table: string): string[] {
  const lines = [`table ${NFT_FAMILY[family]} ${table} {`];
  for (const hook of layout.hooks) {
    const base = hook.from === NFT_BASE_CHAINS.forward ? 'forward' : hook.from === NFT_BASE_CHAINS.input ? 'input' : undefined;
    if (base === undefined || hook.table !== undefined) throw new Error(`nftables: no base chain for a hook from ${hook.from}`);
    lines.push(`  chain ${hook.from} {`, `    type filter hook ${base} priority ${NFT_PRIORITY}; policy accept;`, `    ${nftRuleText(hook.spec, family)}`, '  }');
  }
  for (const chain of layout.chains) {
    if (chain.table !== undefined && chain.table !== 'filter') throw new Error(`nftables: chain ${chain.name} is for the ${chain.table} table`);
    lines.push(`  chain ${chain.name} {`, ...chain.rules.map((rule) => `    ${nftRuleText(rule, family)}`), '  }');
  }
  lines.push('}');
  return lines;
}

/** What a read found of our table in one family: absent, or present with the handles the compare-and-swap names. */
export type NftTableFound =
  | { readonly present: false }
  | { readonly present: true; readonly handle: number; /** The state marker (last rule) of each of our chains, by handle. */ readonly markers: readonly { readonly chain: string; readonly handle: number }[] };

/**
 * The `nft -f` transaction that takes one family's table from what was read to the wanted layout.
 * It is its own compare-and-swap: a table that was absent is made with `create` (refused if someone
 * made it meanwhile); one that was present is deleted by its handle, after each chain's state marker
 * by its handle (a table made again, or a chain the watcher rewrote, has new handles). Any of them
 * refused, nft applies nothing of the whole batch.
 */
export function nftFamilyTransaction(family: Family, found: NftTableFound, wanted: FamilyLayout, table: string): string[] {
  const ip = NFT_FAMILY[family];
  const lines: string[] = [];
  const empty = wanted.chains.length === 0 && wanted.hooks.length === 0;
  if (found.present) {
    for (const marker of found.markers) lines.push(`delete rule ${ip} ${table} ${marker.chain} handle ${marker.handle}`);
    lines.push(`delete table ${ip} handle ${found.handle}`);
  } else if (!empty) {
    lines.push(`create table ${ip} ${table}`);
  }
  if (!empty) lines.push(...nftTableBlock(family, wanted, table));
  return lines;
}
