import { Cancelled, DockerUnavailable, PermissionDenied, SudoPasswordIncorrect } from '../errors';

/**
 * Reaching Docker through sudo. A user outside the docker group may not open the socket (sshd's
 * forward of it and `docker system dial-stdio` both fail with EACCES), yet may be allowed to run
 * docker as root: as a sudoer who already runs iptables through sudo for the lockdown. The same
 * dial-stdio then runs under sudo on the same SSH connection.
 */

/** `docker system dial-stdio` against the socket: it relays its stdin and stdout to the socket. */
export function dialStdioArgv(socketPath: string): string[] {
  return ['docker', '-H', `unix://${socketPath}`, 'system', 'dial-stdio'];
}

/**
 * Whether a failed request is worth trying again through sudo: the socket refused this user for
 * permission. Root has nothing more to gain from sudo. Such a request never reached the daemon (the
 * dial failed before a byte was relayed), so trying it again cannot do anything twice.
 */
export function mayRetryThroughSudo(error: unknown, user: string): error is DockerUnavailable {
  return error instanceof DockerUnavailable && error.reason === 'permission-denied' && error.sudoRefusal === undefined && user !== 'root';
}

/**
 * What to report when going through sudo did not work either. sudo refusing (not a sudoer, no
 * password given) leaves the socket's refusal as the problem, with both remedies named; a wrong
 * password, a cancellation or anything else that went wrong says more as it is.
 */
export function sudoFallbackFailure(socketRefusal: DockerUnavailable, sudoError: unknown): Error {
  if (sudoError instanceof SudoPasswordIncorrect || sudoError instanceof Cancelled) return sudoError;
  if (sudoError instanceof PermissionDenied) {
    const sudoLine = sudoError.stderrLine.replace(/^sudo:\s*/, '');
    return new DockerUnavailable(socketRefusal.host, socketRefusal.user, 'permission-denied', socketRefusal.stderrLine, sudoLine);
  }
  return sudoError instanceof Error ? sudoError : new Error(String(sudoError));
}
