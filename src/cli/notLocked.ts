import { HostNotLocked } from '../core/firewall/errors';
import type { Allow } from '../core/firewall/policy';
import { shellJoin } from '../core/remote/shellQuote';
import type { GlobalOptions } from './args';

/**
 * `allow` or `deny` on a host without lockdown. An allow is an exception to the lockdown, a deny takes
 * one back: without a lockdown every published port is already reachable, so neither has anything to
 * change and the command would only say "nothing changed", which reads as success (for deny, that the
 * port is closed). What the user wants is the lockdown; the VS Code extension offers exactly that
 * (tasks/allowOnHost.ts), the CLI names the command for it.
 */

export function allowOnUnlockedHost(host: string, allow: Allow, options: GlobalOptions): HostNotLocked {
  const remedy = lockWithAllowCommands(host, allow, options);
  const reachable = allow.from === undefined ? 'reachable' : 'reachable from anywhere';
  const port = portSpec(allow);
  const result = allow.from === undefined ? `with ${port} open` : `with ${port} open to ${allow.from.text} only`;
  return new HostNotLocked(
    `${host} is not locked: every published port is already ${reachable}, so there is nothing to allow. ` +
      `Run ${remedy.map((c) => `\`${c}\``).join(' and then ')} to lock it ${result}. Nothing was changed.`,
    remedy,
  );
}

export function denyOnUnlockedHost(host: string, allow: Allow, options: GlobalOptions): HostNotLocked {
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
export function lockWithAllowCommands(host: string, allow: Allow, options: GlobalOptions): string[] {
  if (allow.from === undefined) return [commandLine(options, ['block', host, '--allow', portSpec(allow)])];
  return [commandLine(options, ['block', host]), commandLine(options, ['allow', host, portSpec(allow), '--from', allow.from.text])];
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

/** PORT[/PROTO] as the CLI takes it; tcp is the default and left out. */
function portSpec(allow: Allow): string {
  return allow.proto === 'tcp' ? String(allow.port) : `${allow.port}/${allow.proto}`;
}
