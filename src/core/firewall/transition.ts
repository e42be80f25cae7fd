import type { FamilyLayout } from './layout';
import { parseComment } from './ruleComment';
import { tokenize } from './iptablesSave';

/**
 * Builds the iptables-restore payload (`--noflush`) that takes one family from the layout found on
 * the host to the wanted one, as one transaction: the kernel gets all of it or none of it.
 *
 * It doubles as a compare-and-swap. It deletes the hooks and each chain's state marker exactly as
 * they were read, and creates missing chains with `-N`; if another client changed any of them in the
 * meantime, that line fails, the whole transaction is refused and the caller re-reads and retries.
 */
export function transitionPayload(from: FamilyLayout, to: FamilyLayout): string[] {
  const lines: string[] = ['*filter'];
  for (const hook of from.hooks) lines.push(`-D ${hook.from} ${hook.spec}`);
  for (const chain of from.chains) {
    const marker = chain.rules.at(-1);
    if (marker !== undefined && isStateMarker(marker)) lines.push(`-D ${chain.name} ${marker}`);
  }
  const existing = new Set(from.chains.map((c) => c.name));
  for (const chain of to.chains) {
    lines.push(existing.has(chain.name) ? `:${chain.name} - [0:0]` : `-N ${chain.name}`);
    for (const rule of chain.rules) lines.push(`-A ${chain.name} ${rule}`);
  }
  const wanted = new Set(to.chains.map((c) => c.name));
  for (const chain of from.chains) {
    if (!wanted.has(chain.name)) lines.push(`:${chain.name} - [0:0]`, `-X ${chain.name}`);
  }
  // Inserting in ascending position puts each jump back where it was; ours all go first.
  for (const hook of [...to.hooks].sort((a, b) => a.position - b.position)) {
    lines.push(`-I ${hook.from} ${hook.position} ${hook.spec}`);
  }
  lines.push('COMMIT', '');
  return lines;
}

function isStateMarker(spec: string): boolean {
  const args = tokenize(spec);
  const index = args.indexOf('--comment');
  const text = index === -1 ? undefined : args[index + 1];
  return text !== undefined && parseComment(text)?.kind === 'state' && !args.includes('-j');
}
