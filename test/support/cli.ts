import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { REPO_ROOT, loadLab, outside, onHost, run, type Lab, type RunResult } from './lab';

/** The bundled CLI, as users run it (`npm run build` makes it). */
export const CLI = join(REPO_ROOT, 'dist/cli.js');

/**
 * Runs `docker-firewall` in the outside namespace with the lab's ssh config, the way a user on
 * their own machine would. Extra arguments go before the command's own.
 */
export function dockerFirewall(args: readonly string[], opts: { lab?: Lab; ns?: string; global?: readonly string[] } = {}): Promise<RunResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
  const lab = opts.lab ?? loadLab();
  const argv = [process.execPath, CLI, '--ssh-config', lab.sshConfig, ...(opts.global ?? []), ...args];
  return opts.ns === undefined ? outside(argv, { lab, timeoutMs: 60_000 }) : run(['ip', 'netns', 'exec', opts.ns, ...argv], { timeoutMs: 60_000 });
}

/** Like dockerFirewall, but parses --json output and fails loudly on a non-zero exit. */
export async function dockerFirewallJson<T = Record<string, unknown>>(args: readonly string[], opts: { lab?: Lab } = {}): Promise<T> {
  const result = await dockerFirewall(['--json', ...args], opts);
  if (result.code !== 0) throw new Error(`docker-firewall ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** iptables-save and ip6tables-save of a host, all tables, counters and comments removed. */
export async function saveAll(host: string, opts: { exceptChain?: string } = {}): Promise<string> {
  const parts: string[] = [];
  for (const bin of ['iptables-save', 'ip6tables-save']) {
    const result = await onHost(host, [bin]);
    if (result.code !== 0) throw new Error(`${bin} on ${host}: ${result.stderr}`);
    parts.push(`## ${bin}`, ...normalizeSave(result.stdout, opts.exceptChain));
  }
  return parts.join('\n');
}

export function normalizeSave(text: string, exceptChain?: string): string[] {
  const suffixes = "(_PROXY|_GUARD|_NET|_INPUT|_PORTS)?";
  const ours = exceptChain === undefined ? undefined : new RegExp(`(^:${exceptChain}${suffixes} )|(-A ${exceptChain}${suffixes} )|(-j ${exceptChain}${suffixes}$)|(-g ${exceptChain}${suffixes}$)`);
  const lines = text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/g, '[]'))
    .filter((l) => ours === undefined || !ours.test(l));
  return dropEmptyTables(lines);
}

/**
 * A table that holds nothing but built-in chains with policy ACCEPT filters nothing: with nf_tables
 * it is created by the first ip6tables command (Docker 20.10 makes none) and is left behind, empty,
 * when our chains are removed. It is the same, in effect, as no table; the comparison says so.
 */
function dropEmptyTables(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const end = lines.indexOf('COMMIT', i);
    if (lines[i]!.startsWith('*') && end !== -1) {
      const body = lines.slice(i + 1, end);
      if (body.every((l) => /^:[A-Z]+ ACCEPT \[\]$/.test(l))) {
        i = end;
        continue;
      }
    }
    out.push(lines[i]!);
  }
  return out;
}
