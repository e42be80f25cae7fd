import * as vscode from 'vscode';
import type { Confirmation } from './confirmations';

/**
 * A modal whose button names the verb. Skipped (answered yes) when
 * `dockerFirewall.confirmDestructiveActions` is false, which extension-host tests rely on.
 * Returns the chosen button: `confirmation.action`, one of `extra`, or undefined for Cancel.
 */
export async function confirm(enabled: boolean, confirmation: Confirmation, ...extra: string[]): Promise<string | undefined> {
  if (!enabled) return confirmation.action;
  return vscode.window.showWarningMessage(confirmation.message, { modal: true, detail: confirmation.detail }, confirmation.action, ...extra);
}
