import * as vscode from 'vscode';
import { failureMessage, failureNotice, isCancellation, logLines, reasonOf } from '../failure';
import { historyFailureText, type HistoryOutcome } from '../../core/history/historyLine';
import { DISPLAY_LIMIT, forDisplay, forTerminal } from '../../core/text/hostText';

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

/**
 * A change that is in force but left no line in the host's history: a warning, not a failure (the
 * reason is the host's stderr, made safe for the notification).
 */
export function reportHistoryFailure(log: vscode.LogOutputChannel, hostName: string, outcome: HistoryOutcome | undefined): void {
  const text = historyFailureText(outcome);
  if (text === undefined) return;
  log.warn(forTerminal(`${hostName}: ${text}`));
  void vscode.window.showWarningMessage(forDisplay(`${hostName}: ${text}`, DISPLAY_LIMIT.message), SHOW_LOG).then((choice) => {
    if (choice === SHOW_LOG) log.show(true);
  });
}
