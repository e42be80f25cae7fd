import * as vscode from 'vscode';
import { failureMessage, failureNotice, isCancellation, logLines, reasonOf, type HostAction } from '../failure';
import { historyFailureText, type HistoryOutcome } from '../../core/history/historyLine';
import { DISPLAY_LIMIT, forDisplay, forTerminal } from '../../core/text/hostText';
import { historyFailureNotice } from './changeNotices';

/**
 * "Could not <verb> on <host>: <reason>" with a Show Log action, and the whole story in the log.
 * The notification gets failureNotice (host text there can be no link, icon or control character),
 * the log the message as the host wrote it, control characters made visible (reasonOf).
 * A cancellation is only logged: the user knows they cancelled.
 */
export async function reportFailure(log: vscode.LogOutputChannel, action: HostAction, hostName: string, error: unknown): Promise<void> {
  if (isCancellation(error)) {
    log.info(`${hostName}: ${action.verb} cancelled.`);
    return;
  }
  log.error(failureMessage(action.verb, hostName, error));
  if (error instanceof Error && error.stack !== undefined) log.debug(logLines(error.stack));
  if (error instanceof Error && error.cause !== undefined) log.debug(`Caused by: ${reasonOf(error.cause)}`);
  const showLog = vscode.l10n.t('Show Log');
  const choice = await vscode.window.showErrorMessage(failureNotice(action, hostName, error), showLog);
  if (choice === showLog) log.show(true);
}

/**
 * A change that is in force but left no line in the host's history: a warning, not a failure (the
 * reason is the host's stderr, made safe for the notification).
 */
export function reportHistoryFailure(log: vscode.LogOutputChannel, hostName: string, outcome: HistoryOutcome | undefined): void {
  const text = historyFailureText(outcome);
  const notice = historyFailureNotice(hostName, outcome);
  if (text === undefined || notice === undefined) return;
  log.warn(forTerminal(`${hostName}: ${text}`));
  const showLog = vscode.l10n.t('Show Log');
  void vscode.window.showWarningMessage(forDisplay(notice, DISPLAY_LIMIT.message), showLog).then((choice) => {
    if (choice === showLog) log.show(true);
  });
}
