import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Views and commands are registered by the VS Code layer (src/vscode) as it lands.
}

export function deactivate(): void {}
