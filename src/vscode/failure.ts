import { DockerFirewallError, type ErrorCode } from '../core/errors';

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
  ProxyCommandUnsupported: SHOWN,
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

/** The error's own message: core errors already say what happened and what to do. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export function errorCode(error: unknown): ErrorCode | undefined {
  return error instanceof DockerFirewallError ? error.code : undefined;
}

/** "Could not block external access on h1: <reason>". */
export function failureMessage(verb: string, hostName: string, error: unknown): string {
  return `Could not ${verb} on ${hostName}: ${reasonOf(error)}`;
}
