import * as vscode from 'vscode';
import { parseDuration } from '../../core/validate';
import { durationChoices, durationProblem } from './durationChoices';

interface DurationItem extends vscode.QuickPickItem {
  /** Undefined on "Another duration…". */
  readonly choice: { readonly forSeconds: number | undefined } | undefined;
}

/**
 * Asks how long an allow lasts. "Until I take it back" is first, so Enter keeps an allow as it always
 * was; "Another duration…" takes what `--for` takes (10 s to 90 days). Undefined: cancelled.
 */
export async function pickDuration(
  title: string,
  placeHolder = vscode.l10n.t('For how long? The host closes the port by itself when the time is up.'),
): Promise<{ forSeconds: number | undefined } | undefined> {
  const items: DurationItem[] = [
    ...durationChoices().map((c): DurationItem => ({ label: c.label, description: c.description, choice: { forSeconds: c.forSeconds } })),
    { label: `$(edit) ${vscode.l10n.t('Another duration…')}`, description: vscode.l10n.t('e.g. 30s, 10m, 2h, 7d'), choice: undefined },
  ];
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true });
  if (picked === undefined) return undefined;
  if (picked.choice !== undefined) return picked.choice;
  const typed = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('How long the allow lasts: a number and a unit, s, m, h or d (10 s to 90 days)'),
    placeHolder: '30s, 10m, 2h, 7d',
    validateInput: durationProblem,
    ignoreFocusOut: true,
  });
  return typed === undefined ? undefined : { forSeconds: parseDuration(typed) };
}
