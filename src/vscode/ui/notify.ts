import * as vscode from 'vscode';
import { failureMessage, isCancellation, reasonOf } from '../failure';

const SHOW_LOG = 'Show Log';

/**
 * "Could not <verb> on <host>: <reason>" with a Show Log action, and the whole story in the log.
 * A cancellation is only logged: the user knows they cancelled.
 */
export async function reportFailure(log: vscode.LogOutputChannel, verb: string, hostName: string, error: unknown): Promise<void> {
  if (isCancellation(error)) {
    log.info(`${hostName}: ${verb} cancelled.`);
    return;
  }
  const message = failureMessage(verb, hostName, error);
  log.error(message);
  if (error instanceof Error && error.stack !== undefined) log.debug(error.stack);
  if (error instanceof Error && error.cause !== undefined) log.debug(`Caused by: ${reasonOf(error.cause)}`);
  const choice = await vscode.window.showErrorMessage(message, SHOW_LOG);
  if (choice === SHOW_LOG) log.show(true);
}
