/**
 * Typed errors for everything that can go wrong between us and a host. Each has a stable `code`
 * from ErrorCode (the CLI maps every code to an exit code, the extension to what it does, with
 * exhaustive maps the compiler checks) and a message that says what happened and what the user can
 * change, with the remote stderr line kept as the host wrote it (cut to a line's length by
 * remote/classifyStderr.ts, made safe only where it is shown: text/hostText.ts). The firewall's own
 * errors are in firewall/errors.ts; what a remote command's stderr means is read in remote/classifyStderr.ts.
 */

import * as l10n from '@vscode/l10n';

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
      l10n.t(
        'The host key of {0} is not in known_hosts ({1} {2}). Nothing was run. Check the fingerprint with the host owner, then accept it or add it to known_hosts.',
        hostAndPort(host, port),
        keyType,
        fingerprint,
      ),
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
      l10n.t(
        'The host key of {0} has changed: known_hosts expects {1}, the host presented {2} ({3}). Nothing was run: this may be a man-in-the-middle attack. If the host was reinstalled, remove the old entry ({4}) and connect again.',
        hostAndPort(host, port),
        expected.join(l10n.t(' or ')),
        actual,
        actualKeyType,
        knownHostsLocations.join(', '),
      ),
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
      l10n.t('The host key of {0} ({1}) is marked @revoked in {2}. Nothing was run.', hostAndPort(host, port), fingerprint, knownHostsLocation),
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
    const offered = tried.length > 0 ? tried.join(', ') : l10n.t('nothing (no agent, no key file, no password prompt)');
    const allowed = serverMethods.length > 0 ? ` ${l10n.t('The server accepts: {0}.', serverMethods.join(', '))}` : '';
    // A locked key is the likely reason: say so first, or the user goes checking authorized_keys.
    const locked =
      lockedKeys.length === 0
        ? undefined
        : lockedKeys.length === 1
          ? l10n.t(
              'The key {0} is encrypted, and there was no terminal to ask for the passphrase (a script, CI, or a prompt left unanswered): add it to ssh-agent (ssh-add {0}) with SSH_AUTH_SOCK set, or run docker-firewall in a terminal.',
              lockedKeys[0]!,
            )
          : l10n.t(
              'The keys {0} are encrypted, and there was no terminal to ask for the passphrase (a script, CI, or a prompt left unanswered): add them to ssh-agent (ssh-add {1}) with SSH_AUTH_SOCK set, or run docker-firewall in a terminal.',
              lockedKeys.join(', '),
              lockedKeys[0]!,
            );
    super(
      'AuthenticationFailed',
      locked === undefined
        ? `${l10n.t('Could not log in to {0} as {1}: the server refused {2}.', host, user, offered)}${allowed} ${l10n.t("Check that one of your keys is in {0}'s authorized_keys, or that ssh-agent holds it.", user)}`
        : `${l10n.t('Could not log in to {0} as {1}:', host, user)} ${locked} ${l10n.t('The server refused {0}.', offered)}${allowed}`,
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
    super(options?.code ?? 'ConnectionFailed', l10n.t('Could not connect to {0}: {1}', hostAndPort(host, port), reason), options);
  }
}

export class ConnectTimeout extends ConnectionFailed {
  constructor(host: string, port: number, readonly timeoutMs: number) {
    super(host, port, l10n.t('no SSH handshake within {0} s (host down, wrong address or port filtered)', Math.round(timeoutMs / 100) / 10), {
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
  const firewall = l10n.t('{0} (the firewall script, with iptables-save and iptables-restore inside)', '`sudo -n -- sh -c SCRIPT`');
  const docker = l10n.t('{0} (to reach Docker outside the docker group)', '`sudo -n -- docker -H unix://SOCKET system dial-stdio`');
  const name = command?.[0];
  if (name === 'sh') return firewall;
  if (name === 'docker') return docker;
  return l10n.t('{0} and {1}', firewall, docker);
}

/** A sudoers line that allows what rootCommandsOf names (it amounts to full root: see the README). */
export function sudoersLine(who: string): string {
  return `${who} ALL=(root) NOPASSWD: /bin/sh, /usr/bin/docker`;
}

/** The remedy: root, or a sudoers line that allows what rootCommandsOf names. */
export function sudoersAdvice(who: string): string {
  return l10n.t('log in as root, or allow it in sudoers: "{0}" (see "Root on the host" in the README)', sudoersLine(who));
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
    const who = user ?? sshUser();
    super(
      options?.code ?? 'PermissionDenied',
      options?.message ??
        l10n.t('{0} on {1} may not run as root what Docker Firewall runs: {2}. To fix, {3}. ({4})', who, host, rootCommandsOf(options?.command), sudoersAdvice(who), stderrLine),
    );
  }
}

/**
 * sudo wants a password and we had none to give. sudo says the same for a user with no sudo rights at
 * all (it asks before it looks), so this is a PermissionDenied too.
 */
export class SudoPasswordRequired extends PermissionDenied {
  constructor(host: string, user: string | undefined, stderrLine: string, command?: readonly string[]) {
    const who = user ?? sshUser();
    super(host, user, stderrLine, {
      code: 'SudoPasswordRequired',
      command,
      message: l10n.t(
        "sudo on {0} asks for {1}'s password to run {2}, and none was given: enter the sudo password when asked (it then goes through {3}), or {4}. ({5})",
        host,
        who,
        rootCommandsOf(command),
        '`sudo -S`',
        sudoersAdvice(who),
        stderrLine,
      ),
    });
  }
}

export class SudoPasswordIncorrect extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly user: string | undefined,
    readonly stderrLine: string,
  ) {
    super('SudoPasswordIncorrect', l10n.t('sudo on {0} did not accept the password for {1}. ({2})', host, user ?? sshUser(), stderrLine));
  }
}

export class IptablesMissing extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly command: string,
    readonly stderrLine: string,
  ) {
    super('IptablesMissing', l10n.t("{0} is not installed on {1} (or not on root's PATH): install the iptables package. ({2})", command, host, stderrLine));
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
    super('DockerUnavailable', dockerUnavailableMessage(host, user ?? sshUser(), reason, stderrLine, sudoRefusal));
  }
}

function dockerUnavailableMessage(host: string, user: string, reason: DockerUnavailableReason, line: string, sudoRefusal: string | undefined): string {
  switch (reason) {
    case 'permission-denied':
      if (sudoRefusal !== undefined) {
        return l10n.t(
          '{0} on {1} may not use the Docker socket, and sudo did not run docker for {0} either: add {0} to the docker group ({2}) and reconnect, or let {0} run {3} (sudoers: "{4}", or enter the sudo password when asked). ({5}; sudo: {6})',
          user,
          host,
          `sudo usermod -aG docker ${user}`,
          '`sudo docker -H unix://SOCKET system dial-stdio`',
          `${user} ALL=(root) NOPASSWD: /usr/bin/docker`,
          line,
          sudoRefusal,
        );
      }
      return l10n.t('{0} on {1} may not use the Docker socket: add {0} to the docker group ({2}) and reconnect. ({3})', user, host, `sudo usermod -aG docker ${user}`, line);
    case 'not-running':
      return l10n.t('Docker is not running on {0} (no daemon behind the socket). ({1})', host, line);
    case 'cli-missing':
      return l10n.t('Could not reach Docker on {0}: the socket could not be forwarded over SSH and the docker CLI is not installed. ({1})', host, line);
    case 'socket-unreachable':
      return l10n.t('Could not reach the Docker socket on {0}: the daemon may be stopped, or {1} may not be in the docker group. ({2})', host, user, line);
    case 'no-answer':
      return l10n.t('Docker on {0} did not answer in time. ({1})', host, line);
  }
}

/** The Engine API answered with an HTTP error. */
export class DockerRequestFailed extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly statusCode: number,
    readonly detail: string,
  ) {
    super('DockerRequestFailed', l10n.t('Docker on {0} answered {1}: {2}', host, statusCode, detail));
  }
}

export class CommandNotFound extends DockerFirewallError {
  constructor(
    readonly host: string,
    readonly command: string,
    readonly stderrLine: string,
  ) {
    super('CommandNotFound', l10n.t('{0} is not installed on {1}. ({2})', command, host, stderrLine));
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
    const how = exitCode === null ? l10n.t('{0} on {1} was killed', command, host) : l10n.t('{0} on {1} exited with status {2}', command, host, exitCode);
    super('RemoteCommandFailed', stderrLine ? `${how}: ${stderrLine}` : how);
  }
}

export class Cancelled extends DockerFirewallError {
  constructor(what = l10n.t('The operation')) {
    super('Cancelled', l10n.t('{0} was cancelled.', what));
  }
}

export class InvalidDestination extends DockerFirewallError {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super('InvalidDestination', l10n.t('Invalid SSH destination {0}: {1}', JSON.stringify(input), reason));
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
    super('InvalidResponse', l10n.t('Unexpected answer from {0}: {1} should be {2}.', source, path, expected));
  }
}

function hostAndPort(host: string, port: number): string {
  return port === 22 ? host : l10n.t('{0} port {1}', host, port);
}

/** Who a message names when the SSH login name is not known. */
function sshUser(): string {
  return l10n.t('the SSH user');
}

/** A host sent more than we accept to hold in memory (a hostile or broken host must not exhaust ours). */
export class ResponseTooLarge extends DockerFirewallError {
  constructor(
    readonly what: string,
    readonly limitBytes: number,
  ) {
    super('ResponseTooLarge', l10n.t('{0}: the host sent more than {1} KiB, more than Docker Firewall accepts: response too large.', what, Math.round(limitBytes / 1024)));
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
