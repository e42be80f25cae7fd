import * as vscode from 'vscode';
import type { ItemText } from './treeText';

/** A TreeItem from a plain ItemText: Markdown tooltips (theme icons allowed, no command links), theme icons. */
export function treeItem(text: ItemText, collapsible: vscode.TreeItemCollapsibleState): vscode.TreeItem {
  const item = new vscode.TreeItem(text.label, collapsible);
  if (text.description !== undefined) item.description = text.description;
  if (text.tooltip !== undefined) {
    const tooltip = new vscode.MarkdownString(text.tooltip, true);
    tooltip.isTrusted = false;
    item.tooltip = tooltip;
  }
  if (text.icon !== undefined) {
    item.iconPath = new vscode.ThemeIcon(text.icon.id, text.icon.color === undefined ? undefined : new vscode.ThemeColor(text.icon.color));
  }
  return item;
}
