import * as vscode from 'vscode';
import { InvalidInput } from '../../../core/errors';
import { listSshDockerContexts } from '../../hosts/dockerContexts';
import { destinationProblem, hostNameProblem, parseConfiguredHosts, uniqueHostName, type ConfiguredHost } from '../../settings/configuredHosts';
import { sshConfigAliases } from '../../hosts/sshConfigHosts';
import type { Services } from '../../services';
import { reasonOf } from '../../failure';
import { VIEWS } from '../../ids';

interface SourceItem extends vscode.QuickPickItem {
  /** Undefined for "type one". */
  readonly entry?: ConfiguredHost | undefined;
}

/**
 * Add Host… — from the ssh config's Host aliases, from Docker contexts with an ssh:// endpoint, or
 * typed as `user@host:port`. Called with `{ name, destination, identityFile? }` (tests, scripts) it
 * adds that host without asking.
 */
export async function addHost(services: Services, arg?: unknown): Promise<void> {
  const existing = services.settings.hosts;
  if (typeof arg === 'object' && arg !== null && 'destination' in arg) {
    const parsed = parseConfiguredHosts([arg]);
    const [entry] = parsed.hosts;
    if (entry === undefined) throw new InvalidInput(parsed.problems.join(' '));
    await services.settings.add([entry]);
    return;
  }

  const taken = (destination: string) => existing.some((h) => h.destination === destination || h.name === destination);
  const [aliases, contexts] = await Promise.all([
    sshConfigAliases(services.settings.current.sshConfigPath).catch((error: unknown) => {
      services.log.warn(`Could not read the ssh config: ${reasonOf(error)}`);
      return [];
    }),
    listSshDockerContexts(),
  ]);
  const items: SourceItem[] = [{ label: `$(edit) ${vscode.l10n.t('Enter user@host[:port]…')}`, alwaysShow: true }];
  const fromConfig = aliases.filter((a) => !taken(a));
  if (fromConfig.length > 0) {
    items.push({ label: vscode.l10n.t('SSH config'), kind: vscode.QuickPickItemKind.Separator });
    items.push(...fromConfig.map((alias): SourceItem => ({ label: `$(terminal) ${alias}`, entry: { name: alias, destination: alias } })));
  }
  const fromContexts = contexts.filter((c) => !taken(c.destination));
  if (fromContexts.length > 0) {
    items.push({ label: vscode.l10n.t('Docker contexts'), kind: vscode.QuickPickItemKind.Separator });
    items.push(
      ...fromContexts.map(
        (c): SourceItem => ({ label: `$(vm) ${c.name}`, description: `ssh://${c.destination}`, detail: c.description, entry: { name: c.name, destination: c.destination } }),
      ),
    );
  }
  const choice = await pickSource(items);
  if (choice === undefined) return;
  const entry =
    choice.item.entry !== undefined ? { ...choice.item.entry, name: uniqueHostName(choice.item.entry.name, existing) } : await typedHost(existing, choice.typed);
  if (entry === undefined) return;
  // The view is shown first and the host added to it then: once the host appears, this command is
  // done, and no later change of focus closes what the user (or a test) opened meanwhile (seen in
  // the UI test: a quick pick opened right after the host appeared was hidden by this focus).
  await vscode.commands.executeCommand(`${VIEWS.hosts}.focus`);
  await services.settings.add([entry]);
  services.log.info(`Added host ${entry.name} (${entry.destination}).`);
}

/** The QuickPick, keeping what was typed in its filter: "deploy@203.0.113.7" then Enter goes on with that. */
function pickSource(items: readonly SourceItem[]): Promise<{ item: SourceItem; typed: string } | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<SourceItem>();
    pick.title = vscode.l10n.t('Add a Docker host');
    pick.placeholder = vscode.l10n.t('A host from your ssh config or Docker contexts, or type user@host[:port]');
    pick.matchOnDescription = true;
    pick.items = items;
    let result: { item: SourceItem; typed: string } | undefined;
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? items[0];
      if (item !== undefined) result = { item, typed: pick.value };
      pick.hide();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve(result);
    });
    pick.show();
  });
}

async function typedHost(existing: readonly ConfiguredHost[], typed: string): Promise<ConfiguredHost | undefined> {
  const destination = await vscode.window.showInputBox({
    value: typed.trim(),
    title: vscode.l10n.t('Add a Docker host (1/2)'),
    prompt: vscode.l10n.t('SSH destination: [user@]host[:port], or a Host alias of your ssh config'),
    placeHolder: 'deploy@203.0.113.7:22',
    validateInput: (value) => (value.trim() === '' ? undefined : destinationProblem(value)),
    ignoreFocusOut: true,
  });
  if (destination === undefined || destination.trim() === '') return undefined;
  const suggested = uniqueHostName(destination.trim().replace(/^ssh:\/\//, '').replace(/^[^@]*@/, '').replace(/:\d+$/, ''), existing);
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Add a Docker host (2/2)'),
    prompt: vscode.l10n.t('Name shown in the Hosts view'),
    value: suggested,
    validateInput: (value) => hostNameProblem(value, existing),
    ignoreFocusOut: true,
  });
  if (name === undefined) return undefined;
  return { name: name.trim(), destination: destination.trim() };
}
