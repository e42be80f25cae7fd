import { HostNotLocked } from '../core/firewall/errors';
import type { AllowRequest } from '../core/firewall/allowRequest';
import { shellJoin } from '../core/remote/shellQuote';
import type { GlobalOptions } from './args';

/**
 * `allow` or `deny` on a host without lockdown. An allow is an exception to the lockdown, a deny takes
 * one back: without a lockdown every published port is already reachable, so neither has anything to
 * change and the command would only say "nothing changed", which reads as success (for deny, that the
 * port is closed). What the user wants is the lockdown; the VS Code extension offers exactly that
 * (tasks/allowOnHost.ts), the CLI names the command for it.
 */

export function allowOnUnlockedHost(host: string, allow: AllowRequest, options: GlobalOptions): HostNotLocked {
  const remedy = lockWithAllowCommands(host, allow, options);
  const reachable = allow.from === undefined ? 'reachable' : 'reachable from anywhere';
  const port = portSpec(allow);
  const result = allow.from === undefined ? `with ${port} open` : `with ${port} open to ${sourceText(allow.from)} only`;
  return new HostNotLocked(
    `${host} is not locked: every published port is already ${reachable}, so there is nothing to allow. ` +
      `Run ${remedy.map((c) => `\`${c}\``).join(' and then ')} to lock it ${result}. Nothing was changed.`,
    remedy,
  );
}

export function denyOnUnlockedHost(host: string, allow: AllowRequest, options: GlobalOptions): HostNotLocked {
  const remedy = [commandLine(options, ['block', host])];
  return new HostNotLocked(
    `${host} is not locked: every published port, ${portSpec(allow)} among them, is reachable from anywhere, and denying one ` +
      `port takes back an allow of the lockdown. Run \`${remedy[0]!}\` to block external access to every published port ` +
      '(with --allow PORT for each one to keep open). Nothing was changed.',
    remedy,
  );
}

/**
 * The command lines that lock the host with the allow, carrying over (commandLine) the options that decide which
 * host, key and chain (not --json or --accept-new: the key is known by now). `block --allow` takes no
 * source range, so an allow from a range is a block followed by that allow.
 */
export function lockWithAllowCommands(host: string, allow: AllowRequest, options: GlobalOptions): string[] {
  // block --allow takes no time either: an allow for a while is given after the lockdown, as one from a range.
  const time = allow.forSeconds === undefined ? [] : ['--for', durationText(allow.forSeconds)];
  if (allow.from === undefined && time.length === 0) return [commandLine(options, ['block', host, '--allow', portSpec(allow)])];
  const from = allow.from === undefined ? [] : ['--from', allow.from === 'me' ? 'me' : allow.from.text];
  return [commandLine(options, ['block', host]), commandLine(options, ['allow', host, portSpec(allow), ...from, ...time])];
}

function sourceText(from: NonNullable<AllowRequest['from']>): string {
  return from === 'me' ? 'your address' : from.text;
}

/** A duration as --for takes it, in the largest unit that divides it. */
function durationText(seconds: number): string {
  const unit = ([['d', 86400], ['h', 3600], ['m', 60]] as const).find(([, n]) => seconds % n === 0);
  return unit === undefined ? `${seconds}s` : `${seconds / unit[1]}${unit[0]}`;
}

function commandLine(options: GlobalOptions, argv: readonly string[]): string {
  const global = [
    ...(options.sshConfig !== undefined ? ['--ssh-config', options.sshConfig] : []),
    ...(options.knownHosts !== undefined ? ['--known-hosts', options.knownHosts] : []),
    ...options.identities.flatMap((identity) => ['-i', identity]),
    ...(options.chain !== 'PRE_DOCKER' ? ['--chain', options.chain] : []),
  ];
  return shellJoin(['docker-firewall', ...global, ...argv]);
}

/** PORTS[/PROTO] as the CLI takes it; tcp is the default and left out. */
function portSpec(allow: AllowRequest): string {
  const ports = allow.endPort === undefined ? String(allow.port) : `${allow.port}-${allow.endPort}`;
  return allow.proto === 'tcp' ? ports : `${ports}/${allow.proto}`;
}
