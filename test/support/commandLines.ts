// What may reach a remote shell. Every exec line the engine sends must be the shell quoting of an
// argv (bare safe words and single-quoted strings, nothing else), that argv must be one of the
// engine's own builders, and every line of an iptables-restore payload in it must carry only the
// values the user's validated input and the host's inventory put there.
import { DEFAULT_DOCKER_SOCKET } from '../../src/core/docker/dockerSocket';
import { applyCommand } from '../../src/core/firewall/applyCommand';
import { tokenize } from '../../src/core/firewall/iptablesSave';
import { isReadCommand } from '../../src/core/firewall/readFirewall';
import { parseComment } from '../../src/core/firewall/ruleComment';
import { watcherScript, watcherUnit } from '../../src/core/firewall/watcher';
import type { ChainName } from '../../src/core/validate';
import { bundleParts, stdinBundle } from '../../src/core/remote/stdinBundle';
import { shellJoin } from '../../src/core/remote/shellQuote';

const QUOTED = /^'[^']*'(?:\\''[^']*')*$/;

/** Splits a line of shellQuote output back into argv; throws if any part could be read by a shell. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  // Quoted words hold spaces, so the line is walked, not split.
  let rest = line;
  while (rest.length > 0) {
    const match = /^(?:'[^']*'(?:\\''[^']*')*|[A-Za-z0-9_@%+=:,./-]+)/.exec(rest);
    if (match === null) throw new Error(`not shell-quoted at: ${JSON.stringify(rest.slice(0, 40))}`);
    const word = match[0];
    words.push(QUOTED.test(word) ? word.slice(1, -1).replaceAll("'\\''", "'") : word);
    rest = rest.slice(word.length);
    if (rest.length > 0) {
      if (!rest.startsWith(' ')) throw new Error(`words not separated by one space at: ${JSON.stringify(rest.slice(0, 40))}`);
      rest = rest.slice(1);
    }
  }
  return words;
}

/** A C0 control character or DEL, other than those in `allow`. */
export function hasControlCharacter(text: string, options: { allow?: string } = {}): boolean {
  return [...text].some((c) => {
    const code = c.codePointAt(0) ?? 0;
    return (code < 0x20 || code === 0x7f) && !(options.allow ?? '').includes(c);
  });
}

export interface Vocabulary {
  readonly chain: string;
  /** Ports the policy or the inventory may put in a rule. */
  readonly ports: ReadonlySet<number>;
  /** Canonical CIDRs the policy may put in a rule. */
  readonly cidrs: ReadonlySet<string>;
  /** Docker's bridge names, as the host's networks give them. */
  readonly bridges: ReadonlySet<string>;
  /** Local addresses a host port may be bound to (`-d ADDR/32`). */
  readonly addresses: ReadonlySet<string>;
  /** The SSH port the host said we came in on. */
  readonly sshPort: number | undefined;
}

export type SentKind = 'read' | 'apply';

const APPLY_SCRIPT = applyCommand('nft', {}).argv[2];
const RESTORE_BINARIES = new Set(['iptables-restore', 'ip6tables-restore', 'iptables-nft-restore', 'ip6tables-nft-restore', 'iptables-legacy-restore', 'ip6tables-legacy-restore']);

const FIXED_WORDS = new Set([
  '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', 'comment', '--comment', '-j', '-g', 'RETURN', 'DROP', '-i', '-o', 'lo',
  '-p', 'tcp', 'udp', '--ctorigdstport', '--ctdir', 'ORIGINAL', '-s', '--dport', '-d', 'time', '--datestop',
]);
const WATCHER_ACTIONS = new Set(['install', 'remove', 'keep']);

/**
 * Checks one line received by the SSH server; returns what it was and how many payload lines it
 * carried. Throws with the reason on anything else.
 */
export function checkSentLine(line: string, vocab: Vocabulary, stdin: string): { kind: SentKind; payloadLines: number } {
  if (hasControlCharacter(line, { allow: '\t\n' })) throw new Error('a control character in the command line');
  const words = shellWords(line);
  if (shellJoin(words) !== line) throw new Error('the line is not exactly shellJoin of its words');
  const argv = words[0] === 'sudo' ? stripSudo(words) : words;
  if (isReadCommand(argv)) {
    if (stdin !== '') throw new Error('the read got input');
    return { kind: 'read', payloadLines: 0 };
  }
  if (argv.length === 9 && argv[0] === 'sh' && argv[1] === '-c' && argv[2] === APPLY_SCRIPT && argv[3] === 'docker-firewall-apply') {
    const [, , , , bin4, bin6, watcher, socket, digest] = argv as [string, string, string, string, string, string, string, string, string];
    if (!RESTORE_BINARIES.has(bin4) || !RESTORE_BINARIES.has(bin6)) throw new Error(`unexpected restore binary ${bin4} / ${bin6}`);
    if (stdinBundle(bundleParts(stdin)).digest !== digest) throw new Error('the digest on the command line is not that of the input');
    const [v4, v6, rollback, script, unit, ...rest] = bundleParts(stdin);
    if (rest.length > 0 || unit === undefined) throw new Error('an apply bundle of other than five parts');
    let payloadLines = 0;
    for (const payload of [v4!, v6!, rollback!]) {
      for (const payloadLine of payload.split('\n')) {
        checkPayloadLine(payloadLine, vocab);
        payloadLines++;
      }
    }
    checkWatcherArgs({ bin4, bin6, watcher, script: script!, unit, socket }, vocab);
    return { kind: 'apply', payloadLines };
  }
  throw new Error(`not a command the engine builds: ${argv.slice(0, 2).join(' ')}…`);
}

function stripSudo(words: string[]): string[] {
  if (words[1] === '-n' && words[2] === '--') return words.slice(3);
  throw new Error(`unexpected sudo form: ${words.slice(0, 4).join(' ')}`);
}

/**
 * The watcher travels as a whole script: it must be exactly the one the engine writes for this
 * chain, these binaries, the host's SSH port and the default socket; nothing a user typed.
 */
function checkWatcherArgs(args: { bin4: string; bin6: string; watcher: string; script: string; unit: string; socket: string }, vocab: Vocabulary): void {
  if (!WATCHER_ACTIONS.has(args.watcher)) throw new Error(`unexpected watcher action ${JSON.stringify(args.watcher)}`);
  if (args.watcher !== 'install') {
    if (args.script !== '' || args.unit !== '' || args.socket !== '') throw new Error('watcher arguments without an install');
    return;
  }
  if (args.socket !== DEFAULT_DOCKER_SOCKET) throw new Error(`unexpected Docker socket ${JSON.stringify(args.socket)}`);
  const expected = watcherScript({
    chain: vocab.chain as ChainName,
    binaries: { ipv4: args.bin4.replace(/-restore$/, ''), ipv6: args.bin6.replace(/-restore$/, '') },
    sshPort: vocab.sshPort,
    dockerSocket: DEFAULT_DOCKER_SOCKET,
  });
  if (args.script !== expected) throw new Error('the watcher script is not the one the engine writes');
  if (args.unit !== watcherUnit()) throw new Error('the watcher unit is not the one the engine writes');
}

const BUILTIN_TARGETS: ReadonlySet<string> = new Set(['RETURN', 'DROP', 'ACCEPT', 'REJECT']);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/** One line of an iptables-restore payload: only our chains, the fixed rule vocabulary and the allowed values. */
export function checkPayloadLine(line: string, vocab: Vocabulary): void {
  if (!/^[\x20-\x7e]*$/.test(line)) throw new Error(`payload line with a non-printable or non-ASCII character: ${JSON.stringify(line)}`);
  if (line === '' || line === '*filter' || line === '*security' || line === 'COMMIT') return;
  const c = escape(vocab.chain);
  const ours = `(?:${c}|${c}_GUARD|${c}_NET|${c}_INPUT|${c}_PORTS|${c}_PROXY)`;
  const hooks = `(?:DOCKER-USER -j ${c}|INPUT -j ${c}_INPUT|INPUT -j ${c}_PROXY|FORWARD -j ${c}_GUARD)`;
  const structural = [
    new RegExp(`^-D ${hooks}$`),
    new RegExp(`^-I (?:DOCKER-USER 1 -j ${c}|INPUT 1 -j ${c}_INPUT|FORWARD 1 -j ${c}_GUARD)$`),
    new RegExp(`^(?::${ours} - \\[0:0\\]|-N ${ours}|-F ${ours}|-X ${ours})$`),
  ];
  if (structural.some((re) => re.test(line))) return;
  const rule = new RegExp(`^-[AD] ${ours} (.+)$`).exec(line);
  if (rule === null) throw new Error(`payload line outside our chains: ${line}`);
  const tokens = tokenize(rule[1]!);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = tokens[i - 1];
    if (previous === '--comment') {
      const role = parseComment(token);
      if (role === undefined) throw new Error(`a comment that is not ours: ${token}`);
      const { port, endPort, from } = role.kind === 'allow' ? role.allow : { port: 0, endPort: undefined, from: undefined };
      if (role.kind === 'allow' && (!vocab.ports.has(port) || (endPort !== undefined && !vocab.ports.has(endPort)) || (from !== undefined && !vocab.cidrs.has(from.text)))) {
        throw new Error(`an allow comment with values nobody asked for: ${token}`);
      }
      if ((role.kind === 'proxy-block' || role.kind === 'port') && !vocab.ports.has(role.port)) throw new Error(`a ${role.kind} rule of an unknown port: ${token}`);
      continue;
    }
    // A jump is to a built-in target or to one of our chains (a chain named "R" must not make
    // RETURN look like a chain of ours, nor the reverse).
    if (previous === '-j' && BUILTIN_TARGETS.has(token)) continue;
    if (previous === '-g' || previous === '-j') {
      if (!new RegExp(`^${ours}$`).test(token)) throw new Error(`a jump to a chain not ours: ${token}`);
      continue;
    }
    if (previous === '-i' || previous === '-o') {
      if (token !== 'lo' && !vocab.bridges.has(token)) throw new Error(`interface ${token} that is not a Docker bridge`);
      continue;
    }
    if (previous === '-d') {
      const [address, length] = token.split('/');
      if (!vocab.addresses.has(address ?? '') || (length !== '32' && length !== '128')) throw new Error(`destination ${token} that is not a host address`);
      continue;
    }
    if (previous === '--ctorigdstport' || previous === '--dport') {
      // A port, or an allow's range START:END of ports somebody asked for.
      const ports = previous === '--ctorigdstport' && /^[0-9]+:[0-9]+$/.test(token) ? token.split(':') : [token];
      if (ports.some((p) => !/^[0-9]+$/.test(p) || !(vocab.ports.has(Number(p)) || Number(p) === vocab.sshPort))) throw new Error(`port ${token} nobody asked for`);
      continue;
    }
    if (previous === '--datestop') {
      if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$/.test(token)) throw new Error(`an end time ${token} not in the form we write`);
      continue;
    }
    if (previous === '-s') {
      if (!vocab.cidrs.has(token)) throw new Error(`source ${token} nobody asked for`);
      continue;
    }
    if (!FIXED_WORDS.has(token)) throw new Error(`unexpected word ${JSON.stringify(token)} in ${line}`);
  }
}
