/**
 * Typed errors for everything that can go wrong between us and a host. Each has a stable `code`
 * from ErrorCode (the CLI maps every code to an exit code, the extension to what it does, with
 * exhaustive maps the compiler checks) and a message that says what happened and what the user can
 * change, with the remote stderr line kept as the host wrote it (cut to a line's length by
 * remote/classifyStderr.ts, made safe only where it is shown: text/hostText.ts). The firewall's own
 * errors are in firewall/errors.ts; what a remote command's stderr means is read in remote/classifyStderr.ts.
 */

/** Every expected failure, by a stable name (by convention its class's); never reworded once released. */
export type ErrorCode =
  // Bad input: nothing was sent to any host.
  | 'InvalidInput'
  | 'InvalidDestination'
  | 'SshConfigError'
  // Host keys: nothing was run.
  | 'HostKeyUnknown'
  | 'HostKeyMismatch'
  | 'HostKeyRevoked'
  // Connecting and logging in.
  | 'AuthenticationFailed'
  | 'ConnectionFailed'
  | 'ConnectTimeout'
  // Rights on the host.
  | 'PermissionDenied'
  | 'SudoPasswordRequired'
  | 'SudoPasswordIncorrect'
  // Commands and answers on the host.
  | 'IptablesMissing'
  | 'CommandNotFound'
  | 'RemoteCommandFailed'
  | 'DockerUnavailable'
  | 'DockerRequestFailed'
  | 'InvalidResponse'
  | 'ResponseTooLarge'
  | 'Cancelled'
  // The firewall (firewall/errors.ts).
  | 'FirewallReadFailed'
  | 'LockdownRefused'
  | 'ApplyFailed'
  | 'ConcurrentChange'
  | 'HostNotLocked'
  | 'PersistFailed';

export class DockerFirewallError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** What went on when a remote command failed, for classifyStderr and error messages. */
export interface RemoteContext {
  /** Name shown to the user: the alias or host name. */
  readonly host: string;
  /** The SSH login name, when known. */
  readonly user?: string | undefined;
  /** argv of the command that failed (without any sudo prefix). */
  readonly command?: readonly string[] | undefined;
}

export class HostKeyUnknown extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly keyType: string,
    readonly fingerprint: string,
  ) {
    super(
      'HostKeyUnknown',
      `The host key of ${hostAndPort(host, port)} is not in known_hosts (${keyType} ${fingerprint}). ` +
        'Nothing was run. Check the fingerprint with the host owner, then accept it or add it to known_hosts.',
    );
  }
}

export class HostKeyMismatch extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly port: number,
    /** Fingerprints known_hosts holds for this host. */
    readonly expected: readonly string[],
    readonly actual: string,
    readonly actualKeyType: string,
    /** `file:line` of the known_hosts entries that disagree. */
    readonly knownHostsLocations: readonly string[],
  ) {
    super(
      'HostKeyMismatch',
      `The host key of ${hostAndPort(host, port)} has changed: known_hosts expects ${expected.join(' or ')}, ` +
        `the host presented ${actual} (${actualKeyType}). Nothing was run: this may be a man-in-the-middle attack. ` +
        `If the host was reinstalled, remove the old entry (${knownHostsLocations.join(', ')}) and connect again.`,
    );
  }
}

export class HostKeyRevoked extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly fingerprint: string,
    readonly knownHostsLocation: string,
  ) {
    super(
      'HostKeyRevoked',
      `The host key of ${hostAndPort(host, port)} (${fingerprint}) is marked @revoked in ${knownHostsLocation}. Nothing was run.`,
    );
  }
}

export class AuthenticationFailed extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly user: string,
    /** What we offered, e.g. "ssh-agent", "key ~/.ssh/id_ed25519", "password". */
    readonly tried: readonly string[],
    /** Methods the server said it would accept, when it told us. */
    readonly serverMethods: readonly string[],
    /** Encrypted key files that could not be opened: nobody could be asked for the passphrase. */
    readonly lockedKeys: readonly string[] = [],
  ) {
    const offered = tried.length > 0 ? tried.join(', ') : 'nothing (no agent, no key file, no password prompt)';
    const allowed = serverMethods.length > 0 ? ` The server accepts: ${serverMethods.join(', ')}.` : '';
    // A locked key is the likely reason: say so first, or the user goes checking authorized_keys.
    const locked =
      lockedKeys.length === 0
        ? ''
        : `${lockedKeys.length === 1 ? `The key ${lockedKeys[0]!} is` : `The keys ${lockedKeys.join(', ')} are`} encrypted, and there was no terminal to ask ` +
          `for the passphrase (a script, CI, or a prompt left unanswered): add ${lockedKeys.length === 1 ? 'it' : 'them'} to ssh-agent ` +
          `(ssh-add ${lockedKeys[0]!}) with SSH_AUTH_SOCK set, or run docker-firewall in a terminal. `;
    super(
      'AuthenticationFailed',
      `Could not log in to ${host} as ${user}: ${locked}the server refused ${offered}.${allowed} ` +
        (lockedKeys.length === 0 ? `Check that one of your keys is in ${user}'s authorized_keys, or that ssh-agent holds it.` : ''),
    );
  }
}

export class ConnectionFailed extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly reason: string,
    options?: { cause?: unknown; code?: 'ConnectTimeout' },
  ) {
    super(options?.code ?? 'ConnectionFailed', `Could not connect to ${hostAndPort(host, port)}: ${reason}`, options);
  }
}

export class ConnectTimeout extends ConnectionFailed {
  constructor(host: string, port: number, readonly timeoutMs: number) {
    super(host, port, `no SSH handshake within ${Math.round(timeoutMs / 100) / 10} s (host down, wrong address or port filtered)`, {
      code: 'ConnectTimeout',
    });
  }
}

/**
 * What Docker Firewall runs as root, said exactly, so that an admin can grant just that. The firewall
 * is read, changed and persisted by scripts run as `sh -c SCRIPT` (iptables-save, iptables-restore,
 * and for persist files under /etc and systemctl inside); a user outside the docker group reaches
 * Docker with `docker system dial-stdio` as root. Both through `sudo -n`, or `sudo -S` with the
 * password the user gives when sudo asks for one.
 */
export function rootCommandsOf(command: readonly string[] | undefined): string {
  const firewall = '`sudo -n -- sh -c SCRIPT` (the firewall script, with iptables-save and iptables-restore inside)';
  const docker = '`sudo -n -- docker -H unix://SOCKET system dial-stdio` (to reach Docker outside the docker group)';
  const name = command?.[0];
  if (name === 'sh') return firewall;
  if (name === 'docker') return docker;
  return `${firewall} and ${docker}`;
}

/** A sudoers line that allows what rootCommandsOf names (it amounts to full root: see the README). */
export function sudoersLine(who: string): string {
  return `${who} ALL=(root) NOPASSWD: /bin/sh, /usr/bin/docker`;
}

/** The remedy: root, or a sudoers line that allows what rootCommandsOf names. */
export function sudoersAdvice(who: string): string {
  return `log in as root, or allow it in sudoers: "${sudoersLine(who)}" (see "Root on the host" in the README)`;
}

/** The SSH user may not run the command as root, and nothing we could ask for would change that. */
export class PermissionDenied extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly user: string | undefined,
    /** The line from the remote stderr that told us, verbatim. */
    readonly stderrLine: string,
    options?: { code?: 'SudoPasswordRequired'; message?: string; command?: readonly string[] | undefined },
  ) {
    const who = user ?? 'the SSH user';
    super(
      options?.code ?? 'PermissionDenied',
      options?.message ?? `${who} on ${host} may not run as root what Docker Firewall runs: ${rootCommandsOf(options?.command)}. To fix, ${sudoersAdvice(who)}. (${stderrLine})`,
    );
  }
}

/**
 * sudo wants a password and we had none to give. sudo says the same for a user with no sudo rights at
 * all (it asks before it looks), so this is a PermissionDenied too.
 */
export class SudoPasswordRequired extends PermissionDenied {
  constructor(host: string, user: string | undefined, stderrLine: string, command?: readonly string[]) {
    const who = user ?? 'the SSH user';
    super(host, user, stderrLine, {
      code: 'SudoPasswordRequired',
      command,
      message:
        `sudo on ${host} asks for ${who}'s password to run ${rootCommandsOf(command)}, and none was given: ` +
        `enter the sudo password when asked (it then goes through \`sudo -S\`), or ${sudoersAdvice(who)}. (${stderrLine})`,
    });
  }
}

export class SudoPasswordIncorrect extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly user: string | undefined,
    readonly stderrLine: string,
  ) {
    super('SudoPasswordIncorrect', `sudo on ${host} did not accept the password for ${user ?? 'the SSH user'}. (${stderrLine})`);
  }
}

export class IptablesMissing extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly command: string,
    readonly stderrLine: string,
  ) {
    super(
      'IptablesMissing',
      `${command} is not installed on ${host} (or not on root's PATH): install the iptables package. (${stderrLine})`,
    );
  }
}

export type DockerUnavailableReason = 'permission-denied' | 'not-running' | 'cli-missing' | 'socket-unreachable' | 'no-answer';

export class DockerUnavailable extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly user: string | undefined,
    readonly reason: DockerUnavailableReason,
    readonly stderrLine: string,
    /** For permission-denied: why going through sudo instead did not work either (sudo's own line). */
    readonly sudoRefusal?: string | undefined,
  ) {
    super('DockerUnavailable', dockerUnavailableMessage(host, user ?? 'the SSH user', reason, stderrLine, sudoRefusal));
  }
}

function dockerUnavailableMessage(host: string, user: string, reason: DockerUnavailableReason, line: string, sudoRefusal: string | undefined): string {
  switch (reason) {
    case 'permission-denied':
      if (sudoRefusal !== undefined) {
        return (
          `${user} on ${host} may not use the Docker socket, and sudo did not run docker for ${user} either: add ${user} to the docker group ` +
          `(sudo usermod -aG docker ${user}) and reconnect, or let ${user} run \`sudo docker -H unix://SOCKET system dial-stdio\` ` +
          `(sudoers: "${user} ALL=(root) NOPASSWD: /usr/bin/docker", or enter the sudo password when asked). (${line}; sudo: ${sudoRefusal})`
        );
      }
      return `${user} on ${host} may not use the Docker socket: add ${user} to the docker group (sudo usermod -aG docker ${user}) and reconnect. (${line})`;
    case 'not-running':
      return `Docker is not running on ${host} (no daemon behind the socket). (${line})`;
    case 'cli-missing':
      return `Could not reach Docker on ${host}: the socket could not be forwarded over SSH and the docker CLI is not installed. (${line})`;
    case 'socket-unreachable':
      return `Could not reach the Docker socket on ${host}: the daemon may be stopped, or ${user} may not be in the docker group. (${line})`;
    case 'no-answer':
      return `Docker on ${host} did not answer in time. (${line})`;
  }
}

/** The Engine API answered with an HTTP error. */
export class DockerRequestFailed extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly statusCode: number,
    readonly detail: string,
  ) {
    super('DockerRequestFailed', `Docker on ${host} answered ${statusCode}: ${detail}`);
  }
}

export class CommandNotFound extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly command: string,
    readonly stderrLine: string,
  ) {
    super('CommandNotFound', `${command} is not installed on ${host}. (${stderrLine})`);
  }
}

/** A remote command failed in a way we have no better name for. */
export class RemoteCommandFailed extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderrLine: string,
  ) {
    const how = exitCode === null ? 'was killed' : `exited with status ${exitCode}`;
    super('RemoteCommandFailed', `${command} on ${host} ${how}${stderrLine ? `: ${stderrLine}` : ''}`);
  }
}

export class Cancelled extends DockerFirewallError {
  constructor(what = 'The operation') {
    super('Cancelled', `${what} was cancelled.`);
  }
}

export class InvalidDestination extends DockerFirewallError {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super('InvalidDestination', `Invalid SSH destination ${JSON.stringify(input)}: ${reason}`);
  }
}

export class SshConfigError extends DockerFirewallError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super('SshConfigError', `${file}: ${reason}`);
  }
}

/** A host answered with JSON that does not have the shape we rely on. */
export class InvalidResponse extends DockerFirewallError {
  constructor(
    readonly source: string,
    readonly path: string,
    readonly expected: string,
  ) {
    super('InvalidResponse', `Unexpected answer from ${source}: ${path} should be ${expected}.`);
  }
}

function hostAndPort(host: string, port: number): string {
  return port === 22 ? host : `${host} port ${port}`;
}

/** A host sent more than we accept to hold in memory (a hostile or broken host must not exhaust ours). */
export class ResponseTooLarge extends DockerFirewallError {
  constructor(
    readonly what: string,
    readonly limitBytes: number,
  ) {
    super('ResponseTooLarge', `${what}: the host sent more than ${Math.round(limitBytes / 1024)} KiB, more than Docker Firewall accepts: response too large.`);
  }
}

/**
 * Something the user typed (or a setting holds) that cannot be used: says what to do. Nothing has
 * been sent to any host when it is thrown.
 */
export class InvalidInput extends DockerFirewallError {
  constructor(message: string) {
    super('InvalidInput', message);
  }
}
