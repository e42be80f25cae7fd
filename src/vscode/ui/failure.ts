import { DockerFirewallError } from '../../core/errors';

/** How failures are worded, in one place (pure, unit-tested). */

/** The user cancelled (progress notification, a declined prompt) or the extension is shutting down. */
export function isCancellation(error: unknown): boolean {
  if (error instanceof DockerFirewallError) return error.code === 'Cancelled';
  return error instanceof Error && error.name === 'AbortError';
}

/** The error's own message: core errors already say what happened and what to do. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export function errorCode(error: unknown): string | undefined {
  return error instanceof DockerFirewallError ? error.code : undefined;
}

/** "Could not block external access on h1: <reason>". */
export function failureMessage(verb: string, hostName: string, error: unknown): string {
  return `Could not ${verb} on ${hostName}: ${reasonOf(error)}`;
}

/** Errors that mean the secrets we gave were refused and should not be offered again. */
export function refusesSecrets(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'AuthenticationFailed' || code === 'SudoPasswordIncorrect';
}

/** Errors worth a pop-up even when they come from drawing the tree: someone may be in the middle. */
export function isHostKeyAlarm(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'HostKeyMismatch' || code === 'HostKeyRevoked';
}
