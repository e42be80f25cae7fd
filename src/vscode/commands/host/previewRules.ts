import * as vscode from 'vscode';
import { changes, type PolicyChange } from '../../../core/hosts/firewallEngine';
import type { Services } from '../../services';
import { openPreview } from '../../ui/preview';
import { reportFailure } from '../../ui/notify';
import { resolveHost } from '../../ui/pickHost';
import { runOnHost } from '../../tasks/hostTask';
import { previewText } from '../../ui/previewText';

interface ChangeItem extends vscode.QuickPickItem {
  readonly change: PolicyChange;
}

/** Host: Preview Rules — the exact iptables-restore input a change would apply, in an untitled editor. Changes nothing. */
export async function previewRules(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, 'Preview the rules of which host?');
  if (entry === undefined) return;
  const reading = await runOnHost(services, entry, { verb: 'preview rules', title: `Reading ${entry.name}…` }, async (host, signal) => {
    const r = await host.read(signal);
    return { reading: r, firewall: host.statusOf(r), host };
  });
  if (reading === undefined) return;
  const { firewall, host } = reading;

  const choices: ChangeItem[] = firewall.locked
    ? [
        { label: 'Apply the Lockdown Again', description: 'repairs hand edits, covers ports published since', change: changes.reapply() },
        { label: 'Remove Lockdown', description: 'every published port reachable again', change: changes.unblock() },
      ]
    : [{ label: 'Block External Access', change: changes.block() }];
  const choice =
    choices.length === 1 ? choices[0] : await vscode.window.showQuickPick(choices, { title: `Preview rules on ${entry.name}`, placeHolder: 'Which change?' });
  if (choice === undefined) return;
  try {
    const plan = host.plan(reading.reading, choice.change);
    await openPreview(previewText({ hostName: entry.name, change: choice.label, chain: firewall.chain, plan, variant: reading.reading.tables.variant }));
  } catch (error) {
    void reportFailure(services.log, 'preview rules', entry.name, error);
  }
}
