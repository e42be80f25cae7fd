import * as vscode from 'vscode';
import type { Services } from '../../services';
import { confirm } from '../../ui/confirm';
import { resolveHost } from '../../ui/pickHost';
import { persistConfirmation } from '../../ui/confirmations';
import { rereadHost, runOnHost } from '../../tasks/hostTask';

/** Host: Make Persistent — the lockdown comes back at boot and after every dockerd start. */
export async function persistHost(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, 'Make the lockdown of which host persistent?');
  if (entry === undefined) return;
  const known = services.reads.get(entry.name).status;
  if (known !== undefined && !known.firewall.locked) {
    void vscode.window.showInformationMessage(`${entry.name} has no lockdown to make persistent: block external access first.`);
    return;
  }
  const confirmation = persistConfirmation(entry.name);
  if ((await confirm(services.settings.current.confirmDestructiveActions, confirmation)) !== confirmation.action) return;
  const result = await runOnHost(services, entry, { verb: 'make the lockdown persistent', title: `Making the lockdown of ${entry.name} persistent…` }, (host, signal) =>
    host.persist({ signal }),
  );
  await rereadHost(services, entry);
  if (result === undefined) return;
  services.log.info(`${entry.name}: lockdown saved.`);
  void vscode.window.showInformationMessage(`The lockdown of ${entry.name} is saved: it comes back at boot and after every dockerd start.`);
}
