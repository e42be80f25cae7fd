import { DockerFirewallError, type ErrorCode } from '../core/errors';
import { forTerminal } from '../core/text/hostText';
import type { VerifyVerdict } from '../core/verify/verifyHost';

/**
 * Exit codes are part of the contract: scripts and our tests rely on them. notLocked is neither a
 * failure nor bad input (the host was read, and the command line is valid): the host is not in the
 * state the command acts on, and nothing was changed.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, hostKey: 3, notLocked: 4, mismatch: 5 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Every error code's exit code: a new ErrorCode does not compile until it is given one here. */
const EXIT_CODES: Record<ErrorCode, ExitCode> = {
  InvalidInput: EXIT.usage,
  InvalidDestination: EXIT.usage,
  SshConfigError: EXIT.usage,
  HostKeyUnknown: EXIT.hostKey,
  HostKeyMismatch: EXIT.hostKey,
  HostKeyRevoked: EXIT.hostKey,
  HostNotLocked: EXIT.notLocked,
  AuthenticationFailed: EXIT.failed,
  ConnectionFailed: EXIT.failed,
  ConnectTimeout: EXIT.failed,
  PermissionDenied: EXIT.failed,
  SudoPasswordRequired: EXIT.failed,
  SudoPasswordIncorrect: EXIT.failed,
  IptablesMissing: EXIT.failed,
  CommandNotFound: EXIT.failed,
  RemoteCommandFailed: EXIT.failed,
  DockerUnavailable: EXIT.failed,
  DockerRequestFailed: EXIT.failed,
  InvalidResponse: EXIT.failed,
  ResponseTooLarge: EXIT.failed,
  Cancelled: EXIT.failed,
  FirewallReadFailed: EXIT.failed,
  LockdownRefused: EXIT.failed,
  ApplyFailed: EXIT.failed,
  ConcurrentChange: EXIT.failed,
  PersistFailed: EXIT.failed,
};

/** verify's exit code: 5 when a port does not behave as the rules say; 1 when nothing from here can be trusted. */
export const VERIFY_EXIT: Record<VerifyVerdict, ExitCode> = { match: EXIT.ok, mismatch: EXIT.mismatch, 'cannot-probe': EXIT.failed };

export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof DockerFirewallError ? EXIT_CODES[error.code] : EXIT.failed;
}

/**
 * The line a failure is reported with on stderr: "docker-firewall: HOST: message". One line, whatever
 * the host put in the message (stderr lines, Docker's words): its control characters are shown as
 * escapes, not acted on by the terminal.
 */
export function errorLine(error: unknown, label: string): string {
  const message = forTerminal(error instanceof Error ? error.message : String(error));
  return exitCodeFor(error) === EXIT.usage || label === '' ? `docker-firewall: ${message}` : `docker-firewall: ${forTerminal(label)}: ${message}`;
}
