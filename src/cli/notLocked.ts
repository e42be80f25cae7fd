import { DockerFirewallError } from '../core/errors';
import type { Allow } from '../core/firewall/policy';
import { shellJoin } from '../core/remote/shellQuote';
import type { GlobalOptions } from './args';

/**
 * `allow` on a host without lockdown. An allow is an exception to the lockdown: without one every
 * published port is already reachable, so there is nothing to open and the command would only say
 * "nothing changed", which reads as success. What the user wants is the lockdown with this port
 * open; the VS Code extension offers exactly that (allowFlow), the CLI names the command for it.
 */
export class HostNotLocked extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly allow: Allow,
    /** The commands that lock the host with this allow, as they would be typed. */
    readonly remedy: readonly string[],
  ) {
    const reachable = allow.from === undefined ? 'reachable' : 'reachable from anywhere';
    const port = portSpec(allow);
    const result = allow.from === undefined ? `with ${port} open` : `with ${port} open to ${allow.from.text} only`;
    super(
      'HostNotLocked',
      `${host} is not locked: every published port is already ${reachable}, so there is nothing to allow. ` +
        `Run ${remedy.map((c) => `\`${c}\``).join(' and then ')} to lock it ${result}. Nothing was changed.`,
    );
  }
}

/**
 * The command lines that lock the host with the allow, carrying over the options that decide which
 * host, key and chain (not --json or --accept-new: the key is known by now). `block --allow` takes no
 * source range, so an allow from a range is a block followed by that allow.
 */
export function lockWithAllowCommands(host: string, allow: Allow, options: GlobalOptions): string[] {
  const global = [
    ...(options.sshConfig !== undefined ? ['--ssh-config', options.sshConfig] : []),
    ...(options.knownHosts !== undefined ? ['--known-hosts', options.knownHosts] : []),
    ...options.identities.flatMap((identity) => ['-i', identity]),
    ...(options.chain !== 'PRE_DOCKER' ? ['--chain', options.chain] : []),
  ];
  const command = (argv: readonly string[]) => shellJoin(['docker-firewall', ...global, ...argv]);
  if (allow.from === undefined) return [command(['block', host, '--allow', portSpec(allow)])];
  return [command(['block', host]), command(['allow', host, portSpec(allow), '--from', allow.from.text])];
}

/** PORT[/PROTO] as the CLI takes it; tcp is the default and left out. */
function portSpec(allow: Allow): string {
  return allow.proto === 'tcp' ? String(allow.port) : `${allow.port}/${allow.proto}`;
}
