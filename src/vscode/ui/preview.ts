import * as vscode from 'vscode';

/** Opens text in a new untitled editor (nothing written to disk, nothing run). */
export async function openPreview(content: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ content, language: 'shellscript' });
  await vscode.window.showTextDocument(document, { preview: true });
}
