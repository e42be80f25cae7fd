import { sameLayout, TABLES, tableOf, type FamilyLayout, type Table } from './layout';
import { parseComment } from './ruleComment';
import { tokenize } from './iptablesSave';

/**
 * Builds the iptables-restore payload (`--noflush`) that takes one family from the layout found on
 * the host to the wanted one, one transaction per table: the kernel gets all of a table or none of it.
 *
 * It doubles as a compare-and-swap. It deletes the hooks and each chain's state marker exactly as
 * they were read, and creates missing chains with `-N`; if another client changed any of them in the
 * meantime, that line fails, the whole transaction is refused and the caller re-reads and retries.
 */
export function transitionPayload(from: FamilyLayout, to: FamilyLayout): string[] {
  const lines: string[] = [];
  // iptables-restore commits each table on its own, filter first. Should security then fail as a
  // conflict, the caller's re-read finds filter done and plans the rest.
  for (const table of TABLES) {
    const before = inTable(from, table);
    const after = inTable(to, table);
    // A table that holds what is wanted is left alone (a host locked before the guard existed gets
    // only its security section).
    if (sameLayout(before, after)) continue;
    lines.push(`*${table}`, ...tableTransition(before, after), 'COMMIT');
  }
  lines.push('');
  return lines;
}

function inTable(layout: FamilyLayout, table: Table): FamilyLayout {
  return { chains: layout.chains.filter((c) => tableOf(c) === table), hooks: layout.hooks.filter((h) => tableOf(h) === table) };
}

function tableTransition(from: FamilyLayout, to: FamilyLayout): string[] {
  const lines: string[] = [];
  for (const hook of from.hooks) lines.push(`-D ${hook.from} ${hook.spec}`);
  for (const chain of from.chains) {
    const marker = chain.rules.at(-1);
    if (marker !== undefined && isStateMarker(marker)) lines.push(`-D ${chain.name} ${marker}`);
  }
  // Chains refer to each other (a policy chain jumps with -g to the chain of bridges or ports), so
  // every chain is made or flushed before any rule is added, and the ones we no longer want are
  // deleted only once nothing refers to them any more.
  const existing = new Set(from.chains.map((c) => c.name));
  const wanted = new Set(to.chains.map((c) => c.name));
  const leaving = from.chains.filter((c) => !wanted.has(c.name));
  for (const chain of to.chains) lines.push(existing.has(chain.name) ? `:${chain.name} - [0:0]` : `-N ${chain.name}`);
  for (const chain of leaving) lines.push(`:${chain.name} - [0:0]`);
  for (const chain of to.chains) for (const rule of chain.rules) lines.push(`-A ${chain.name} ${rule}`);
  for (const chain of leaving) lines.push(`-X ${chain.name}`);
  // Inserting in ascending position puts each jump back where it was; ours all go first.
  for (const hook of [...to.hooks].sort((a, b) => a.position - b.position)) {
    lines.push(`-I ${hook.from} ${hook.position} ${hook.spec}`);
  }
  return lines;
}

function isStateMarker(spec: string): boolean {
  const args = tokenize(spec);
  const index = args.indexOf('--comment');
  const text = index === -1 ? undefined : args[index + 1];
  return text !== undefined && parseComment(text)?.kind === 'state' && !args.includes('-j');
}
