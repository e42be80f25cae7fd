import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { createApi, type DockerFirewallApi } from './vscode/api';
import { registerCommands } from './vscode/commands/registerCommands';
import { createServices } from './vscode/services';

/**
 * The composition root: builds the services once and registers the views and commands. Nothing
 * connects here; hosts are read when a view first shows them.
 */
export function activate(context: vscode.ExtensionContext): DockerFirewallApi {
  configureTranslations();
  const services = createServices(context);
  context.subscriptions.push(...registerCommands(services));
  services.log.info(`Docker Firewall ${String((context.extension.packageJSON as { version?: unknown }).version)} is active.`);
  return createApi(services);
}

export function deactivate(): void {
  // Everything is in context.subscriptions: VS Code disposes it (and so closes every SSH connection).
}

/**
 * The texts of src/vscode's pure modules (tree texts, confirmations…) are run in plain Node unit tests,
 * where there is no `vscode`: they translate with @vscode/l10n, Microsoft's package for code outside
 * the extension host API (its `t` is vscode.l10n.t's; a few kB, no dependencies, bundled). Here it is
 * given the bundle VS Code loaded for the display language (l10n/bundle.l10n.<locale>.json); in English
 * there is none and it returns the source text. Files that import vscode use vscode.l10n.t itself.
 */
function configureTranslations(): void {
  if (vscode.l10n.bundle !== undefined) l10n.config({ contents: vscode.l10n.bundle });
}
