import * as vscode from 'vscode';
import { changes, type PolicyChange } from '../../../core/hosts/firewallEngine';
import type { Services } from '../../services';
import { openPreview } from '../../ui/preview';
import { reportFailure } from '../../ui/notify';
import { resolveHost } from '../../ui/pickHost';
import { runOnHost } from '../../tasks/hostTask';
import { previewText } from '../../ui/previewText';
import { HOST_ACTIONS } from '../../failure';

interface ChangeItem extends vscode.QuickPickItem {
  readonly change: PolicyChange;
}

/** Host: Preview Rules — the exact iptables-restore input a change would apply, in an untitled editor. Changes nothing. */
export async function previewRules(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, vscode.l10n.t('Preview the rules of which host?'));
  if (entry === undefined) return;
  const reading = await runOnHost(services, entry, { action: HOST_ACTIONS.previewRules, title: vscode.l10n.t('Reading {0}…', entry.name) }, async (host, signal) => {
    const r = await host.read(signal);
    return { reading: r, firewall: host.statusOf(r), host };
  });
  if (reading === undefined) return;
  const { firewall, host } = reading;

  const choices: ChangeItem[] = firewall.locked
    ? [
        { label: vscode.l10n.t('Apply the Lockdown Again'), description: vscode.l10n.t('repairs hand edits, covers ports published since'), change: changes.reapply() },
        { label: vscode.l10n.t('Remove Lockdown'), description: vscode.l10n.t('every published port reachable again'), change: changes.unblock() },
      ]
    : [{ label: vscode.l10n.t('Block External Access'), change: changes.block() }];
  const choice =
    choices.length === 1
      ? choices[0]
      : await vscode.window.showQuickPick(choices, { title: vscode.l10n.t('Preview rules on {0}', entry.name), placeHolder: vscode.l10n.t('Which change?') });
  if (choice === undefined) return;
  try {
    const plan = host.plan(reading.reading, choice.change);
    await openPreview(previewText({ hostName: entry.name, change: choice.label, chain: firewall.chain, plan, variant: reading.reading.tables.variant }));
  } catch (error) {
    void reportFailure(services.log, HOST_ACTIONS.previewRules, entry.name, error);
  }
}
