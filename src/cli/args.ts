import { parseArgs } from 'node:util';
import { forTerminal } from '../core/text/hostText';
import { InvalidInput } from '../core/errors';
import { parseChainName, parseCidr, parseDuration, printable, type ChainName } from '../core/validate';
import { DEFAULT_PARALLEL, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS } from '../core/verify/verifyHost';
import { parseRangeSpec } from '../core/firewall/port';
import type { AllowRequest } from '../core/firewall/allowRequest';

export const USAGE = `Usage:
  docker-firewall [options] ps HOST...
  docker-firewall [options] status HOST...
  docker-firewall [options] block HOST... [--allow PORTS[/PROTO]]... [--dry-run]
  docker-firewall [options] unblock HOST... [--dry-run]
  docker-firewall [options] allow HOST PORTS[/PROTO] [--from CIDR|me] [--for DURATION] [--dry-run]
  docker-firewall [options] deny HOST PORTS[/PROTO] [--from CIDR|me] [--dry-run]
  docker-firewall [options] prune HOST... [--dry-run]
  docker-firewall [options] persist HOST... [--dry-run]
  docker-firewall [options] verify HOST... [--timeout MS] [--parallel N]
  docker-firewall [options] history HOST [--limit N]

HOST is [user@]host[:port] or a Host alias of your ssh config. PORTS is a port (8080) or one range
(18100-18110), as a container publishes it. PROTO is tcp (default) or udp.
--from me is the address the host sees you connect from (through a jump host or NAT, the last hop's).
--for DURATION (10s to 90d: 30s, 10m, 2h, 7d) makes an allow end by itself: the host's kernel closes
it on time, online or not. prune removes the rules of allows that have ended.
HOST... : several hosts, and/or --hosts-from FILE (one per line, # comments), --parallel N at once
(default 8): one result per host (--json: an array), exit code the worst of the hosts'.
--check is --dry-run: exit 0 and say what would change.
verify probes every published port from this machine, on the addresses SSH reaches the host by, and
compares what answers with what the rules say (--timeout per probe, default 1500 ms; --parallel
probes at once, default 32). Several hosts (HOST..., --hosts-from) are verified one after another, so
that the probes in flight never exceed --parallel: a client short of sockets would see silence.
history prints the changes made on HOST by docker-firewall and the VS Code extension, newest first
(the host keeps the last 10,000 in /var/log/docker-firewall/changes.jsonl; --limit, default 20).

Options:
  --ssh-config PATH     OpenSSH client config to read (default ~/.ssh/config)
  --known-hosts PATH    known_hosts file to verify host keys against (default ~/.ssh/known_hosts)
  -i, --identity PATH   private key to offer (repeatable); ssh-agent is used too when SSH_AUTH_SOCK is set
  --accept-new          record an unknown host key, as OpenSSH's StrictHostKeyChecking=accept-new
  --chain NAME          name of our chain (default PRE_DOCKER)
  --json                machine-readable output
  -h, --help            show this help

Exit codes: 0 done; 1 failed on the host; 2 bad usage or input (nothing ran);
3 host key unknown or changed (nothing ran); 4 allow, deny or persist on a host that is not locked
(every published port is already reachable; nothing changed); 5 verify found a port that does not
behave as the rules say (verify: 1 also when nothing can be probed from here: the SSH port did not answer).`;

export type CommandName = 'ps' | 'status' | 'block' | 'unblock' | 'allow' | 'deny' | 'prune' | 'persist';

export interface GlobalOptions {
  readonly sshConfig?: string | undefined;
  readonly knownHosts?: string | undefined;
  readonly identities: readonly string[];
  readonly acceptNew: boolean;
  readonly chain: ChainName;
  readonly json: boolean;
}

export type Invocation =
  | { readonly command: 'help' }
  | {
      readonly command: CommandName;
      /** The first host named ('' when they all come from hostsFrom). */
      readonly host: string;
      /** Every host named on the command line, in order (one for allow and deny). */
      readonly hosts: readonly string[];
      /** --hosts-from: a file with more hosts, read by main. */
      readonly hostsFrom?: string | undefined;
      /** Hosts worked on at once. */
      readonly parallel: number;
      readonly options: GlobalOptions;
      readonly dryRun: boolean;
      /** block: allows to stand with the lockdown; allow/deny: the one allow. */
      readonly allows: readonly AllowRequest[];
    }
  | VerifyInvocation
  | HistoryInvocation;

/** history HOST: the host's history of changes (src/cli/history.ts). */
export interface HistoryInvocation {
  readonly command: 'history';
  readonly host: string;
  readonly options: GlobalOptions;
  /** Entries to show, newest first. */
  readonly limit: number;
}

export const DEFAULT_HISTORY_LIMIT = 20;

/** verify HOST: probes from this machine (src/cli/verify.ts). */
export interface VerifyInvocation {
  readonly command: 'verify';
  /** The first host named ('' when they all come from hostsFrom). */
  readonly host: string;
  /** Every host named on the command line: verified one after another (src/cli/fleet.ts). */
  readonly hosts: readonly string[];
  readonly hostsFrom?: string | undefined;
  readonly options: GlobalOptions;
  /** Per probe. */
  readonly timeoutMs: number;
  /** Probes in flight at once. */
  readonly parallel: number;
}

const COMMANDS: readonly CommandName[] = ['ps', 'status', 'block', 'unblock', 'allow', 'deny', 'prune', 'persist'];
const TAKES_DRY_RUN: readonly CommandName[] = ['block', 'unblock', 'allow', 'deny', 'prune', 'persist'];
/** Commands whose only positionals are hosts: they take several (allow and deny take a port after theirs). */
const MULTI_HOST: readonly CommandName[] = ['ps', 'status', 'block', 'unblock', 'prune', 'persist'];
/** Hosts at once by default: a fleet's SSH handshakes in flight, not so many that a laptop's agent or a bastion chokes. */
export const DEFAULT_HOSTS_PARALLEL = 8;

/** Parses the whole command line before anything connects: bad input never reaches a host. */
export function parseInvocation(argv: readonly string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'ssh-config': { type: 'string' },
        'known-hosts': { type: 'string' },
        identity: { type: 'string', short: 'i', multiple: true },
        'accept-new': { type: 'boolean' },
        chain: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        'dry-run': { type: 'boolean' },
        check: { type: 'boolean' },
        'hosts-from': { type: 'string' },
        allow: { type: 'string', multiple: true },
        from: { type: 'string' },
        for: { type: 'string' },
        timeout: { type: 'string' },
        parallel: { type: 'string' },
        limit: { type: 'string' },
      },
    });
  } catch (error) {
    // parseArgs quotes the option it refused as given: a control character in it is shown escaped, never obeyed.
    throw new InvalidInput(`${forTerminal(error instanceof Error ? error.message : String(error))}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  const [commandText, host, ...rest] = positionals;
  if (commandText === undefined) throw new InvalidInput(`No command given.\n\n${USAGE}`);
  if (commandText !== 'verify' && values.timeout !== undefined) throw new InvalidInput('--timeout goes with verify.');
  if (commandText !== 'history' && values.limit !== undefined) throw new InvalidInput('--limit goes with history.');
  if (commandText === 'verify') return parseVerify(host, rest, values);
  if (commandText === 'history') return parseHistoryCommand(host, rest, values);
  const command = COMMANDS.find((c) => c === commandText);
  if (command === undefined) throw new InvalidInput(`Unknown command "${commandText}": use one of ${[...COMMANDS, 'verify', 'history'].join(', ')}.`);
  const multi = MULTI_HOST.includes(command);
  if (!multi && (values['hosts-from'] !== undefined || values.parallel !== undefined)) {
    throw new InvalidInput(`${command} works on one host: --hosts-from and --parallel go with ${MULTI_HOST.join(', ')} (and --parallel with verify).`);
  }
  if ((host === undefined || host === '') && !(multi && values['hosts-from'] !== undefined)) {
    throw new InvalidInput(`${command} needs a HOST: [user@]host[:port] or an ssh config alias${multi ? ' (or several, or --hosts-from FILE)' : ''}.`);
  }
  const dryRun = values['dry-run'] === true || values.check === true;
  if (dryRun && !TAKES_DRY_RUN.includes(command)) throw new InvalidInput(`${command} changes nothing and takes no --dry-run or --check.`);
  if (values.allow && command !== 'block') throw new InvalidInput('--allow goes with block; use "allow HOST PORT" to open a port.');
  if (values.from !== undefined && command !== 'allow' && command !== 'deny') throw new InvalidInput('--from goes with allow and deny.');
  if (values.for !== undefined && command !== 'allow') throw new InvalidInput('--for goes with allow (deny takes an allow back whatever its time).');

  let allows: AllowRequest[];
  if (command === 'allow' || command === 'deny') {
    const [portText, ...extra] = rest;
    if (portText === undefined) throw new InvalidInput(`${command} needs a PORT[/PROTO] or a range START-END[/PROTO], e.g. 8080, 5353/udp or 18100-18110.`);
    if (extra.length > 0) throw new InvalidInput(`Unexpected argument "${extra[0]}".`);
    const from = values.from === undefined ? undefined : values.from.trim() === 'me' ? 'me' : parseCidr(values.from);
    const forSeconds = values.for === undefined ? undefined : parseDuration(values.for);
    allows = [{ ...parseRangeSpec(portText), from, ...(forSeconds === undefined ? {} : { forSeconds }) }];
  } else {
    allows = (values.allow ?? []).map((spec) => ({ ...parseRangeSpec(spec), from: undefined }));
  }
  const hosts = multi ? [host, ...rest].filter((h): h is string => h !== undefined) : [host!];
  const empty = hosts.find((h) => h.trim() === '');
  if (empty !== undefined) throw new InvalidInput('An empty HOST: give [user@]host[:port] or an ssh config alias.');
  return {
    command,
    host: host ?? '',
    hosts,
    hostsFrom: values['hosts-from'],
    parallel: wholeNumber(values.parallel, '--parallel', DEFAULT_HOSTS_PARALLEL, 1, 64, 'hosts at once'),
    dryRun,
    allows,
    options: globalOptions(values),
  };
}

interface OptionValues {
  readonly 'ssh-config'?: string | undefined;
  readonly 'known-hosts'?: string | undefined;
  readonly identity?: string[] | undefined;
  readonly 'accept-new'?: boolean | undefined;
  readonly chain?: string | undefined;
  readonly json?: boolean | undefined;
  readonly 'dry-run'?: boolean | undefined;
  readonly check?: boolean | undefined;
  readonly 'hosts-from'?: string | undefined;
  readonly allow?: string[] | undefined;
  readonly from?: string | undefined;
  readonly for?: string | undefined;
  readonly timeout?: string | undefined;
  readonly parallel?: string | undefined;
  readonly limit?: string | undefined;
}

function globalOptions(values: OptionValues): GlobalOptions {
  return {
    sshConfig: values['ssh-config'],
    knownHosts: values['known-hosts'],
    identities: values.identity ?? [],
    acceptNew: values['accept-new'] ?? false,
    chain: parseChainName(values.chain ?? 'PRE_DOCKER'),
    json: values.json ?? false,
  };
}

/** The checks that verify and history share: no option of a change. */
function changesNothing(command: 'verify' | 'history', values: OptionValues): void {
  if (values['dry-run'] === true || values.check === true) throw new InvalidInput(`${command} changes nothing and takes no --dry-run or --check.`);
  if (values.allow) throw new InvalidInput('--allow goes with block; use "allow HOST PORT" to open a port.');
  if (values.from !== undefined) throw new InvalidInput('--from goes with allow and deny.');
  if (values.for !== undefined) throw new InvalidInput('--for goes with allow.');
}

function parseVerify(host: string | undefined, rest: readonly string[], values: OptionValues): VerifyInvocation {
  const hostsFrom = values['hosts-from'];
  const hosts = [host, ...rest].filter((h): h is string => h !== undefined);
  if (hosts.some((h) => h.trim() === '') || (hosts.length === 0 && hostsFrom === undefined)) {
    throw new InvalidInput('verify needs a HOST: [user@]host[:port] or an ssh config alias (or several, or --hosts-from FILE).');
  }
  changesNothing('verify', values);
  return {
    command: 'verify',
    host: hosts[0] ?? '',
    hosts,
    hostsFrom,
    options: globalOptions(values),
    timeoutMs: wholeNumber(values.timeout, '--timeout', DEFAULT_TIMEOUT_MS, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, 'milliseconds per probe'),
    parallel: wholeNumber(values.parallel, '--parallel', DEFAULT_PARALLEL, 1, 256, 'probes at once'),
  };
}

function parseHistoryCommand(host: string | undefined, rest: readonly string[], values: OptionValues): HistoryInvocation {
  if (host === undefined || host === '') throw new InvalidInput('history needs a HOST: [user@]host[:port] or an ssh config alias.');
  if (rest.length > 0) throw new InvalidInput(`Unexpected argument "${rest[0]}".`);
  changesNothing('history', values);
  if (values['hosts-from'] !== undefined || values.parallel !== undefined) throw new InvalidInput('history reads one host: --hosts-from and --parallel go with ps, status, block, unblock, prune and persist.');
  return {
    command: 'history',
    host,
    options: globalOptions(values),
    limit: wholeNumber(values.limit, '--limit', DEFAULT_HISTORY_LIMIT, 1, 10_000, 'a number of entries'),
  };
}

function wholeNumber(text: string | undefined, flag: string, fallback: number, min: number, max: number, what: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^[0-9]{1,6}$/.test(text) || value < min || value > max) throw new InvalidInput(`${flag} ${JSON.stringify(printable(text))}: give ${what}, from ${min} to ${max}.`);
  return value;
}
