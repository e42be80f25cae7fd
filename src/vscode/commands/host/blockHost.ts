import * as vscode from 'vscode';
import { reportHistoryFailure } from '../../ui/notify';
import { changes } from '../../../core/hosts/firewallEngine';
import type { Services } from '../../services';
import { confirm } from '../../ui/confirm';
import { openPreview } from '../../ui/preview';
import { resolveHost } from '../../ui/pickHost';
import { blockConfirmation } from '../../ui/confirmations';
import { commandId } from '../../ids';
import { rereadHost, runOnHost } from '../../tasks/hostTask';
import { checkAfterChange } from '../../tasks/checkHost';
import { previewText } from '../../ui/previewText';
import { HOST_ACTIONS } from '../../failure';

/** Host: Block External Access. Says what will be blocked and what stays open before changing anything. */
export async function blockHost(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, vscode.l10n.t('Block external access to which host?'));
  if (entry === undefined) return;
  const prepared = await runOnHost(services, entry, { action: HOST_ACTIONS.blockExternalAccess, title: vscode.l10n.t('Reading {0}…', entry.name) }, async (host, signal) => {
    const reading = await host.read(signal);
    return { reading, firewall: host.statusOf(reading), plan: host.plan(reading, changes.block()), chain: host.chain };
  });
  if (prepared === undefined) return;
  if (!prepared.plan.changed) {
    void vscode.window.showInformationMessage(vscode.l10n.t('External access to {0} is already blocked: nothing to change.', entry.name));
    await rereadHost(services, entry);
    return;
  }

  const confirmation = blockConfirmation(entry.name, prepared.firewall.ports, prepared.plan.policy);
  const preview = vscode.l10n.t('Preview Rules');
  const answer = await confirm(services.settings.current.confirmDestructiveActions, confirmation, preview);
  if (answer === preview) {
    const { plan, chain, reading } = prepared;
    await openPreview(previewText({ hostName: entry.name, change: confirmation.action, chain, plan, variant: reading.tables.variant }));
    return;
  }
  if (answer !== confirmation.action) return;

  const report = await runOnHost(services, entry, { action: HOST_ACTIONS.blockExternalAccess, title: vscode.l10n.t('Blocking external access to {0}…', entry.name) }, (host, signal) =>
    // Planned from the reading the user confirmed; should the host have changed since, the
    // transaction is refused and apply reads again.
    host.apply(changes.block(), { signal, reading: prepared.reading }),
  );
  await rereadHost(services, entry);
  if (report === undefined) return;
  reportHistoryFailure(services.log, entry.name, report.history);
  services.log.info(`${entry.name}: external access blocked (${report.applied ? 'applied' : 'already so'}, ${report.retries} retries).`);
  if (services.reads.get(entry.name).status?.firewall.persistence.state === 'none') {
    void vscode.window
      .showInformationMessage(vscode.l10n.t('External access to {0} is blocked. It lasts until the next reboot unless you make it persistent.', entry.name), vscode.l10n.t('Make Persistent'))
      .then((choice) => {
        if (choice !== undefined) void vscode.commands.executeCommand(commandId('persistHost'), entry.name);
      });
  } else {
    void vscode.window.showInformationMessage(vscode.l10n.t('External access to {0} is blocked.', entry.name));
  }
  await checkAfterChange(services, entry);
}
