import { readFileSync } from 'node:fs';
import { InvalidInput } from '../core/errors';
import type { HostConnection } from '../core/hosts/openHost';
import { forTerminal } from '../core/text/hostText';
import type { Invocation, VerifyInvocation } from './args';
import { errorLine, exitCodeFor, EXIT, VERIFY_EXIT, type ExitCode } from './exitCodes';
import { runCommand } from './runCommand';
import { runVerify } from './verify';

type FleetInvocation = Exclude<Invocation, { command: 'help' | 'verify' | 'history' }>;

/** What one host gave: its exit code, and its output (lines as printed, or its JSON document), or its error. */
export interface HostOutcome {
  readonly host: string;
  readonly exit: ExitCode;
  readonly out: readonly string[];
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

/** Hosts in a --hosts-from file: one per line, blank lines and `#` comments left out. */
export function parseHostsFile(text: string, file: string): string[] {
  const hosts = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
  const spaced = hosts.find((h) => /\s/.test(h));
  if (spaced !== undefined) throw new InvalidInput(`${file}: "${forTerminal(spaced)}" is not one host: write one host per line.`);
  return hosts;
}

/** The hosts of a command line and of its --hosts-from file, in order, each once. */
export function hostsOf(inv: { readonly hosts: readonly string[]; readonly hostsFrom?: string | undefined }): string[] {
  let fromFile: string[] = [];
  if (inv.hostsFrom !== undefined) {
    let text: string;
    try {
      text = readFileSync(inv.hostsFrom, 'utf8');
    } catch (error) {
      throw new InvalidInput(`--hosts-from ${inv.hostsFrom}: ${error instanceof Error ? error.message : String(error)}`);
    }
    fromFile = parseHostsFile(text, inv.hostsFrom);
  }
  const hosts = [...new Set([...inv.hosts, ...fromFile])];
  if (hosts.length === 0) throw new InvalidInput(`${inv.hostsFrom ?? 'the command line'} names no host.`);
  return hosts;
}

/**
 * Runs one command on many hosts, `inv.parallel` at once, each on its own connection: one slow or
 * failing host holds up no other. Human output comes host by host in the order given (each under a
 * `== HOST ==` line), then a summary on stderr; `--json` prints one array. The exit code is the worst
 * (highest) of the hosts'.
 */
export function runFleet(inv: FleetInvocation, hosts: readonly string[], open: (inv: FleetInvocation, host: string) => HostConnection): Promise<ExitCode> {
  return runEach(inv.options.json, hosts, inv.parallel, (host) => runOne(inv, host, open));
}

/**
 * verify HOST...: one host after another (never two hosts' probes at once: the probes in flight stay
 * within --parallel, so a silence still means the port did not answer, not that this machine ran
 * short), with the same output as the other commands' fleets; each host's exit is its verdict's.
 */
export function runVerifyFleet(inv: VerifyInvocation, hosts: readonly string[], open: (inv: VerifyInvocation, host: string) => HostConnection): Promise<ExitCode> {
  return runEach(inv.options.json, hosts, 1, async (host) => {
    const out: string[] = [];
    let connection: HostConnection | undefined;
    try {
      connection = open(inv, host);
      const verdict = await runVerify({ ...inv, host, hosts: [host] }, connection.engine, connection.label, { out: (text) => out.push(text) });
      return { host, exit: VERIFY_EXIT[verdict], out };
    } catch (error) {
      return failed(host, out, error);
    } finally {
      connection?.close();
    }
  });
}

/** Runs each host's part, `parallel` at once, printing host by host in the order given, then the summary (or the --json array). */
async function runEach(json: boolean, hosts: readonly string[], parallel: number, runHost: (host: string) => Promise<HostOutcome>): Promise<ExitCode> {
  const outcomes: (HostOutcome | undefined)[] = hosts.map(() => undefined);
  let printed = 0;
  let done = 0;
  const progress = process.stderr.isTTY && !json ? (text: string) => process.stderr.write(`\r\x1b[K${text}`) : undefined;
  const flush = () => {
    // In the order given, as far as the hosts before have finished.
    for (let next = outcomes[printed]; next !== undefined && !json; next = outcomes[printed]) {
      progress?.('');
      process.stdout.write(`== ${forTerminal(next.host)}${next.exit === EXIT.ok ? '' : ` (exit ${next.exit})`} ==\n${next.out.map((l) => `${l}\n`).join('')}`);
      printed++;
    }
    progress?.(`${done}/${hosts.length} hosts done`);
  };
  let index = 0;
  const worker = async () => {
    for (let i = index++; i < hosts.length; i = index++) {
      outcomes[i] = await runHost(hosts[i]!);
      done++;
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, hosts.length) }, worker));
  progress?.('');
  const all = outcomes.map((o) => o!);
  if (json) {
    process.stdout.write(`${JSON.stringify(all.map(jsonOf), null, 2)}\n`);
  } else {
    process.stderr.write(`${summary(all)}\n`);
  }
  return all.reduce<ExitCode>((worst, o) => (o.exit > worst ? o.exit : worst), EXIT.ok);
}

async function runOne(inv: FleetInvocation, host: string, open: (inv: FleetInvocation, host: string) => HostConnection): Promise<HostOutcome> {
  const out: string[] = [];
  let connection: HostConnection | undefined;
  try {
    connection = open(inv, host);
    const label = connection.label;
    // A warning is the user's to see at once, whatever the order the hosts' outputs are printed in.
    const warn = (text: string) => process.stderr.write(`docker-firewall: ${forTerminal(label)}: warning: ${forTerminal(text)}\n`);
    await runCommand({ ...inv, host, hosts: [host] }, connection.engine, label, { out: (text) => out.push(text), warn }, connection);
    return { host, exit: EXIT.ok, out };
  } catch (error) {
    return failed(host, out, error);
  } finally {
    connection?.close();
  }
}

function failed(host: string, out: readonly string[], error: unknown): HostOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return { host, exit: exitCodeFor(error), out: [...out, errorLine(error, host)], error: { code: error instanceof Error && 'code' in error ? String(error.code) : 'Error', message } };
}

/** A host's element of the --json array: the command's own document, or the host, its exit and error. */
function jsonOf(outcome: HostOutcome): unknown {
  if (outcome.error !== undefined) return { host: outcome.host, exit: outcome.exit, error: outcome.error };
  const document = JSON.parse(outcome.out.join('\n')) as Record<string, unknown>;
  return { ...document, exit: outcome.exit };
}

/** "3 hosts: 2 done, 1 failed (h7: exit 1)". */
export function summary(outcomes: readonly HostOutcome[]): string {
  const failed = outcomes.filter((o) => o.exit !== EXIT.ok);
  const which = failed.length === 0 ? '' : ` (${failed.map((o) => `${forTerminal(o.host)}: exit ${o.exit}`).join(', ')})`;
  return `${outcomes.length} hosts: ${outcomes.length - failed.length} done, ${failed.length} failed${which}`;
}
