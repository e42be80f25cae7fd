import type * as vscode from 'vscode';
import { createApi, type DockerFirewallApi } from './vscode/api';
import { registerCommands } from './vscode/commands/registerCommands';
import { createServices } from './vscode/services';

/**
 * The composition root: builds the services once and registers the views and commands. Nothing
 * connects here; hosts are read when a view first shows them.
 */
export function activate(context: vscode.ExtensionContext): DockerFirewallApi {
  const services = createServices(context);
  context.subscriptions.push(...registerCommands(services));
  services.log.info(`Docker Firewall ${String((context.extension.packageJSON as { version?: unknown }).version)} is active.`);
  return createApi(services);
}

export function deactivate(): void {
  // Everything is in context.subscriptions: VS Code disposes it (and so closes every SSH connection).
}
