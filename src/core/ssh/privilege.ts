import * as l10n from '@vscode/l10n';
import { type DockerFirewallError, InvalidInput, PermissionDenied, SudoPasswordIncorrect, type RemoteContext } from '../errors';
import { classifyStderr } from '../remote/classifyStderr';
import type { ExecResult } from '../remote/remoteCommand';

/**
 * Running a command as root over an exec channel, which has no terminal: `sudo -n` never prompts
 * (it fails with "a password is required" instead), `sudo -S -p ''` reads the password as the first
 * line of stdin without printing a prompt into stderr.
 */
export function sudoNonInteractive(argv: readonly string[]): string[] {
  return ['sudo', '-n', '--', ...argv];
}

/**
 * How sudo runs one command for the session's user: without a password (NOPASSWD, or root), or only
 * with one. sudoers decides per command, so this is known per command, never for the session.
 */
export type SudoRoute = 'no-password' | 'password';

/**
 * What sudo's verdict is remembered by: the command's name (argv[0]), as sudoers names commands
 * (`NOPASSWD: /usr/bin/docker`). Our privileged commands are `sh -c SCRIPT` and `docker … dial-stdio`.
 */
export function sudoCommandKey(argv: readonly string[]): string {
  return argv[0] ?? '';
}

/**
 * `-k` makes sudo ignore a cached credential and so always read the password line: without it, a
 * still-valid timestamp would make sudo skip the password and hand it to the command as input.
 */
export function sudoWithPassword(argv: readonly string[]): string[] {
  return ['sudo', '-S', '-k', '-p', '', '--', ...argv];
}

/**
 * The first line of stdin for sudoWithPassword. sudo reads it one byte at a time up to the newline
 * and leaves the rest of stdin to the command, so a stream may follow it on the same channel.
 */
export function sudoPasswordLine(password: string): Buffer {
  if (/[\r\n]/.test(password)) throw new InvalidInput(l10n.t('A sudo password cannot contain a line break: sudo reads one line.'));
  return Buffer.from(`${password}\n`, 'utf8');
}

/** stdin for sudoWithPassword: the password line, then the command's own input. */
export function passwordThenStdin(password: string, stdin: string | undefined): Buffer {
  return Buffer.concat([sudoPasswordLine(password), Buffer.from(stdin ?? '', 'utf8')]);
}

/**
 * When a command run through sudo failed because of sudo itself (no rights, a password needed or
 * refused, sudo not installed), the error that says so; undefined when the command ran and it is its
 * own result. Only errors that mean "did not run as root" are taken from stderr here, the rest is the
 * command's business (its RemoteCommand parses it).
 */
export function sudoRefusal(result: ExecResult, context: RemoteContext): DockerFirewallError | undefined {
  if (result.code === 0) return undefined;
  const error = classifyStderr(result.stderr, context);
  return error instanceof PermissionDenied || error instanceof SudoPasswordIncorrect ? error : undefined;
}
