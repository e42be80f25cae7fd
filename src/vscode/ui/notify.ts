import * as vscode from 'vscode';
import { failureMessage, failureNotice, isCancellation, logLines, reasonOf } from '../failure';

const SHOW_LOG = 'Show Log';

/**
 * "Could not <verb> on <host>: <reason>" with a Show Log action, and the whole story in the log.
 * The notification gets failureNotice (host text there can be no link, icon or control character),
 * the log the message as the host wrote it, control characters made visible (reasonOf).
 * A cancellation is only logged: the user knows they cancelled.
 */
export async function reportFailure(log: vscode.LogOutputChannel, verb: string, hostName: string, error: unknown): Promise<void> {
  if (isCancellation(error)) {
    log.info(`${hostName}: ${verb} cancelled.`);
    return;
  }
  log.error(failureMessage(verb, hostName, error));
  if (error instanceof Error && error.stack !== undefined) log.debug(logLines(error.stack));
  if (error instanceof Error && error.cause !== undefined) log.debug(`Caused by: ${reasonOf(error.cause)}`);
  const choice = await vscode.window.showErrorMessage(failureNotice(verb, hostName, error), SHOW_LOG);
  if (choice === SHOW_LOG) log.show(true);
}
