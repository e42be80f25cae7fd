// Answers the extension's quick picks and input boxes in an extension-host test, as a person would:
// each answer picks an item by its label or types a text, which must pass the box's own
// validateInput (a text it refuses fails the test, as it could not be submitted). The extension and
// the suite share the extension host's `vscode` API object, so replacing showQuickPick and
// showInputBox for the length of one command is what a click on the real widget would return.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export type PromptAnswer =
  | { readonly pick: string | RegExp }
  /** `refused`: texts the box must refuse first (each validateInput must give a message). */
  | { readonly input: string; readonly refused?: readonly string[] };

export interface AskedPrompt {
  readonly kind: 'pick' | 'input';
  readonly title: string;
  readonly placeHolder: string;
  /** The labels offered (a pick), in order. */
  readonly items: readonly string[];
  /** What validateInput said to each refused text (an input). */
  readonly refusals: readonly string[];
}

type Window = { -readonly [K in keyof typeof vscode.window]: (typeof vscode.window)[K] };

/** Runs `command` with `arg`, answering its prompts in order; every answer must be used. */
export async function runAnswering(command: string, arg: unknown, answers: readonly PromptAnswer[]): Promise<AskedPrompt[]> {
  const window = vscode.window as Window;
  const original = { showQuickPick: window.showQuickPick, showInputBox: window.showInputBox };
  const queue = [...answers];
  const asked: AskedPrompt[] = [];
  const next = (kind: 'pick' | 'input', title: string): PromptAnswer => {
    const answer = queue.shift();
    assert.ok(answer, `${command} asked an unexpected ${kind} "${title}" (asked so far: ${asked.map((a) => a.title).join(' | ')})`);
    return answer;
  };
  const labelOf = (item: string | vscode.QuickPickItem): string => (typeof item === 'string' ? item : item.label);

  window.showQuickPick = (async (items: readonly (string | vscode.QuickPickItem)[] | Thenable<readonly (string | vscode.QuickPickItem)[]>, options?: vscode.QuickPickOptions) => {
    const list = await items;
    const title = options?.title ?? '';
    asked.push({ kind: 'pick', title, placeHolder: options?.placeHolder ?? '', items: list.map(labelOf), refusals: [] });
    const answer = next('pick', title);
    assert.ok('pick' in answer, `${command}: a quick pick "${title}" where an input was expected`);
    const found = list.find((item) => (typeof answer.pick === 'string' ? labelOf(item) === answer.pick : answer.pick.test(labelOf(item))));
    assert.ok(found, `${command}: no item ${String(answer.pick)} in "${title}": ${list.map(labelOf).join(' | ')}`);
    return options?.canPickMany === true ? [found] : found;
  }) as Window['showQuickPick'];

  window.showInputBox = (async (options?: vscode.InputBoxOptions) => {
    const title = options?.title ?? '';
    const answer = next('input', title);
    assert.ok('input' in answer, `${command}: an input box "${title}" where a quick pick was expected`);
    const check = async (text: string): Promise<string | undefined> => {
      const verdict = await options?.validateInput?.(text);
      return verdict === undefined || verdict === null ? undefined : typeof verdict === 'string' ? verdict : verdict.message;
    };
    const refusals: string[] = [];
    for (const text of answer.refused ?? []) {
      const message = await check(text);
      assert.ok(message !== undefined && message !== '', `${command}: "${title}" accepted ${JSON.stringify(text)}`);
      refusals.push(message);
    }
    const problem = await check(answer.input);
    assert.ok(problem === undefined || problem === '', `${command}: "${title}" refuses ${JSON.stringify(answer.input)}: ${problem ?? ''}`);
    asked.push({ kind: 'input', title, placeHolder: options?.placeHolder ?? '', items: [], refusals });
    return answer.input;
  });

  try {
    await vscode.commands.executeCommand(command, arg);
  } finally {
    window.showQuickPick = original.showQuickPick;
    window.showInputBox = original.showInputBox;
  }
  assert.deepEqual(queue, [], `${command} did not ask for every answer given (asked: ${asked.map((a) => a.title).join(' | ')})`);
  return asked;
}
