import * as vscode from 'vscode';

/**
 * Runs slow work in a cancellable progress notification; Cancel aborts the AbortSignal that core
 * passes down to every SSH channel and Docker API call.
 */
export function withCancellableProgress<T>(
  title: string,
  task: (signal: AbortSignal, progress: vscode.Progress<{ message?: string }>) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      return await task(controller.signal, progress);
    } finally {
      subscription.dispose();
    }
  });
}
