import * as l10n from '@vscode/l10n';
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

/**
 * What was being done on a host, as a failure of it is said: the verb in English for the log
 * ("Could not block external access on h1: …"), and the notification as one whole sentence to
 * translate (a verb put into "Could not … on …" could not be).
 */
export interface HostAction {
  readonly verb: string;
  /** The notification's text, translated: "Could not block external access on h1: <reason>". */
  readonly failed: (hostName: string, reason: string) => string;
}

const action = (verb: string, failed: HostAction['failed']): HostAction => ({ verb, failed });

/** The work the commands do on one host, each with the sentence that says it failed. */
export const HOST_ACTIONS = {
  readFirewall: action('read the firewall', (host, reason) => l10n.t('Could not read the firewall on {0}: {1}', host, reason)),
  blockExternalAccess: action('block external access', (host, reason) => l10n.t('Could not block external access on {0}: {1}', host, reason)),
  removeLockdown: action('remove the lockdown', (host, reason) => l10n.t('Could not remove the lockdown on {0}: {1}', host, reason)),
  makePersistent: action('make the lockdown persistent', (host, reason) => l10n.t('Could not make the lockdown persistent on {0}: {1}', host, reason)),
  previewRules: action('preview rules', (host, reason) => l10n.t('Could not preview rules on {0}: {1}', host, reason)),
  listPublishedPorts: action('list the published ports', (host, reason) => l10n.t('Could not list the published ports on {0}: {1}', host, reason)),
  listAllows: action('list the allows', (host, reason) => l10n.t('Could not list the allows on {0}: {1}', host, reason)),
  readClientAddress: action('read the address it sees you at', (host, reason) => l10n.t('Could not read the address it sees you at on {0}: {1}', host, reason)),
  checkFromHere: action('check from this machine', (host, reason) => l10n.t('Could not check from this machine on {0}: {1}', host, reason)),
  cleanUpEndedAllows: action('clean up ended allows', (host, reason) => l10n.t('Could not clean up ended allows on {0}: {1}', host, reason)),
} as const satisfies Record<string, HostAction>;

/** Block Again of `what` (allows as core describes them, "8080/tcp from 192.0.2.100"). */
export function blockAgainAction(what: string): HostAction {
  return action(`block ${what} again`, (host, reason) => l10n.t('Could not block {0} again on {1}: {2}', what, host, reason));
}

/** "Could not block external access on h1: <reason>", for the log (in English, as every log line). */
export function failureMessage(verb: string, hostName: string, error: unknown): string {
  return `Could not ${verb} on ${hostName}: ${reasonOf(error)}`;
}

/**
 * The action's failure as an error notification shows it: host text in it cannot become a link
 * (`[x](command:…)`), an icon or a control character, and it is at most DISPLAY_LIMIT.message long
 * (see core/text/hostText for what VS Code would make of it otherwise).
 */
export function failureNotice(action: HostAction, hostName: string, error: unknown): string {
  return forDisplay(action.failed(hostName, reasonOf(error)), DISPLAY_LIMIT.message);
}

/** The notification of a failure no handler reported (commands/registerCommands.ts), made safe as failureNotice is. */
export function unexpectedFailureNotice(error: unknown): string {
  return forDisplay(l10n.t('Docker Firewall: {0}', reasonOf(error)), DISPLAY_LIMIT.message);
}

/** A stack trace or other text of ours for the log, its line breaks kept and the host's control characters made visible. */
export function logLines(text: string): string {
  return capLength(terminalLines(text), MAX_REASON_LENGTH);
}
