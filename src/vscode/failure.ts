import { DockerFirewallError, type ErrorCode } from '../core/errors';
import { capLength, DISPLAY_LIMIT, escapeControls, forDisplay, terminalLines } from '../core/text/hostText';

/** How failures are worded and what the extension does about each kind, in one place (pure, unit-tested). */

/** What the extension does with a failure besides logging it. */
export interface FailureHandling {
  /** Said to the user; a cancellation is only logged: the user knows they cancelled. */
  readonly shown: boolean;
  /** Worth a pop-up even when it came from drawing a view: someone may be in the middle of the connection. */
  readonly alarm: boolean;
  /** The secrets we gave were refused: forget them so that they are not offered again. */
  readonly forgetSecrets: boolean;
}

const SHOWN: FailureHandling = { shown: true, alarm: false, forgetSecrets: false };
const ALARM: FailureHandling = { shown: true, alarm: true, forgetSecrets: false };
const REFUSED_SECRET: FailureHandling = { shown: true, alarm: false, forgetSecrets: true };
const QUIET: FailureHandling = { shown: false, alarm: false, forgetSecrets: false };

/** Every error code's handling: a new ErrorCode does not compile until it is given one here. */
const HANDLING: Record<ErrorCode, FailureHandling> = {
  InvalidInput: SHOWN,
  InvalidDestination: SHOWN,
  SshConfigError: SHOWN,
  HostKeyUnknown: SHOWN,
  HostKeyMismatch: ALARM,
  HostKeyRevoked: ALARM,
  AuthenticationFailed: REFUSED_SECRET,
  ConnectionFailed: SHOWN,
  ConnectTimeout: SHOWN,
  PermissionDenied: SHOWN,
  SudoPasswordRequired: SHOWN,
  SudoPasswordIncorrect: REFUSED_SECRET,
  IptablesMissing: SHOWN,
  CommandNotFound: SHOWN,
  RemoteCommandFailed: SHOWN,
  DockerUnavailable: SHOWN,
  DockerRequestFailed: SHOWN,
  InvalidResponse: SHOWN,
  ResponseTooLarge: SHOWN,
  Cancelled: QUIET,
  FirewallReadFailed: SHOWN,
  LockdownRefused: SHOWN,
  ApplyFailed: SHOWN,
  ConcurrentChange: SHOWN,
  HostNotLocked: SHOWN,
  PersistFailed: SHOWN,
};

export function handlingOf(error: unknown): FailureHandling {
  if (error instanceof DockerFirewallError) return HANDLING[error.code];
  // An AbortError is a cancellation that did not pass through core (the extension shutting down, say).
  return error instanceof Error && error.name === 'AbortError' ? QUIET : SHOWN;
}

/** The user cancelled (progress notification, a declined prompt) or the extension is shutting down. */
export function isCancellation(error: unknown): boolean {
  return !handlingOf(error).shown;
}

/** Errors that mean the secrets we gave were refused and should not be offered again. */
export function refusesSecrets(error: unknown): boolean {
  return handlingOf(error).forgetSecrets;
}

/** Errors worth a pop-up even when they come from drawing the tree: someone may be in the middle. */
export function isHostKeyAlarm(error: unknown): boolean {
  return handlingOf(error).alarm;
}

/**
 * The most of an error message the log and a host's failure keep: a message carries at most a few
 * lines from the host (stderr is kept to 8 KiB), so only a hostile host reaches this.
 */
export const MAX_REASON_LENGTH = 16 * 1024;

/**
 * The error's own message: core errors already say what happened and what to do. As the host wrote
 * it (links and all), for the log, but with control characters made visible (escapeControls) so
 * that neither the Output view nor a terminal showing the log file acts on them, and cut to
 * MAX_REASON_LENGTH. What is shown to the user goes through forDisplay besides (failureNotice).
 */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return capLength(escapeControls(message), MAX_REASON_LENGTH);
}

export function errorCode(error: unknown): ErrorCode | undefined {
  return error instanceof DockerFirewallError ? error.code : undefined;
}

/** "Could not block external access on h1: <reason>", for the log. */
export function failureMessage(verb: string, hostName: string, error: unknown): string {
  return `Could not ${verb} on ${hostName}: ${reasonOf(error)}`;
}

/**
 * failureMessage as an error notification shows it: host text in it cannot become a link
 * (`[x](command:…)`), an icon or a control character, and it is at most DISPLAY_LIMIT.message long
 * (see core/text/hostText for what VS Code would make of it otherwise).
 */
export function failureNotice(verb: string, hostName: string, error: unknown): string {
  return forDisplay(failureMessage(verb, hostName, error), DISPLAY_LIMIT.message);
}

/** The notification of a failure no handler reported (commands/registerCommands.ts), made safe as failureNotice is. */
export function unexpectedFailureNotice(error: unknown): string {
  return forDisplay(`Docker Firewall: ${reasonOf(error)}`, DISPLAY_LIMIT.message);
}

/** A stack trace or other text of ours for the log, its line breaks kept and the host's control characters made visible. */
export function logLines(text: string): string {
  return capLength(terminalLines(text), MAX_REASON_LENGTH);
}
