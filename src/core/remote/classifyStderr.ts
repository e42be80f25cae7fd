import {
  CommandNotFound,
  DockerUnavailable,
  IptablesMissing,
  PermissionDenied,
  RemoteCommandFailed,
  rootCommandsOf,
  sudoersLine,
  SudoPasswordIncorrect,
  SudoPasswordRequired,
  type DockerFirewallError,
  type RemoteContext,
} from '../errors';
import { capLength, DISPLAY_LIMIT } from '../text/hostText';

/**
 * The longest stderr line an error message carries: what a tool says in one line fits, what a
 * hostile host sends in one line does not reach a message whole (the log gets the message as is).
 */
export const MAX_STDERR_LINE = DISPLAY_LIMIT.line;

/** The non-empty lines of stderr, trimmed and cut to MAX_STDERR_LINE. */
function stderrLines(stderr: string): string[] {
  return stderr
    .split(/\r?\n/)
    .map((l) => capLength(l.trim(), MAX_STDERR_LINE))
    .filter((l) => l.length > 0);
}

/**
 * What the stderr of a failed remote command means: sudo's refusals, iptables or docker missing,
 * the Docker socket refusing the user. Each pattern is matched against one line, most specific first.
 */
const SUDO_NEEDS_PASSWORD = /^sudo: (a password is required|a terminal is required|no tty present|no password was provided)/;
const SUDO_NOT_ALLOWED = /is not in the sudoers file|is not allowed to execute|may not run sudo on|is not allowed to run sudo/;
const SUDO_WRONG_PASSWORD = /incorrect password attempts?|^Sorry, try again\./;
// iptables-nft says "you must be root"; iptables-legacy fails earlier, on its lock file.
const MUST_BE_ROOT = /you must be root|can't open lock file \S+: Permission denied/;
// The docker CLI's own message, and what `docker system dial-stdio` prints when dialing the socket fails.
const DOCKER_SOCKET_DENIED = /permission denied while trying to connect to the (?:Docker daemon socket|docker API)|dial unix \S+: connect: permission denied/i;
const DOCKER_NOT_RUNNING = /Cannot connect to the Docker daemon|Is the docker daemon running\?|dial unix \S+: connect: (?:no such file or directory|connection refused)/i;
/** `bash: line 1: foo: command not found`, `sh: 1: foo: not found`, `sudo: foo: command not found`. */
const COMMAND_NOT_FOUND = /([^\s:]+): (?:command )?not found\s*$/;

/**
 * Turns the stderr of a failed remote command into a typed error, or undefined when the text is not
 * one we know (the caller then reports the exit status with the stderr). Only call it for commands
 * that failed: some of these lines (sudo's warnings) also appear next to a success.
 */
export function classifyStderr(stderr: string, context: RemoteContext): DockerFirewallError | undefined {
  const lines = stderrLines(stderr);
  const find = (pattern: RegExp): string | undefined => lines.find((l) => pattern.test(l));
  const { host, user, command } = context;

  const notAllowed = find(SUDO_NOT_ALLOWED);
  if (notAllowed !== undefined) return new PermissionDenied(host, user, notAllowed, { command });
  const wrongPassword = find(SUDO_WRONG_PASSWORD);
  if (wrongPassword !== undefined) {
    return new SudoPasswordIncorrect(host, user, lines.find((l) => /incorrect password attempt/.test(l)) ?? wrongPassword);
  }
  const needsPassword = find(SUDO_NEEDS_PASSWORD);
  if (needsPassword !== undefined) return new SudoPasswordRequired(host, user, needsPassword, command);
  const mustBeRoot = find(MUST_BE_ROOT);
  if (mustBeRoot !== undefined) return new PermissionDenied(host, user, mustBeRoot, { command });
  const dockerDenied = find(DOCKER_SOCKET_DENIED);
  if (dockerDenied !== undefined) return new DockerUnavailable(host, user, 'permission-denied', dockerDenied);
  const dockerDown = find(DOCKER_NOT_RUNNING);
  if (dockerDown !== undefined) return new DockerUnavailable(host, user, 'not-running', dockerDown);

  const notFoundLine = find(COMMAND_NOT_FOUND);
  const missing = notFoundLine === undefined ? undefined : COMMAND_NOT_FOUND.exec(notFoundLine)?.[1];
  if (notFoundLine !== undefined && missing !== undefined) {
    if (missing === 'sudo') {
      const who = user ?? 'the SSH user';
      return new PermissionDenied(host, user, notFoundLine, {
        command,
        message: `sudo is not installed on ${host}, and Docker Firewall runs ${rootCommandsOf(command)}. To fix, log in as root, or install sudo and allow it in sudoers: "${sudoersLine(who)}". (${notFoundLine})`,
      });
    }
    if (/^(ip6?tables|ip6?tables-(restore|save|legacy|nft)|ip6?tables-legacy-(restore|save)|ip6?tables-nft-(restore|save))$/.test(missing)) {
      return new IptablesMissing(host, missing, notFoundLine);
    }
    if (missing === 'docker') return new DockerUnavailable(host, user, 'cli-missing', notFoundLine);
    return new CommandNotFound(host, missing, notFoundLine);
  }
  return undefined;
}

/** The line of stderr most worth showing: the last non-empty one, where tools put their verdict (at most MAX_STDERR_LINE long). */
export function lastStderrLine(stderr: string): string {
  const lines = stderrLines(stderr);
  return lines[lines.length - 1] ?? '';
}

/** classifyStderr, falling back to RemoteCommandFailed with the exit status. */
export function errorFromFailedCommand(stderr: string, exitCode: number | null, context: RemoteContext): DockerFirewallError {
  return (
    classifyStderr(stderr, context) ??
    new RemoteCommandFailed(context.host, context.command?.[0] ?? 'the command', exitCode, lastStderrLine(stderr))
  );
}
