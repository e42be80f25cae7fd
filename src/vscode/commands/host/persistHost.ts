import * as vscode from 'vscode';
import { reportHistoryFailure } from '../../ui/notify';
import { PERSIST_DIR, RESTORE_SCRIPT } from '../../../core/firewall/persistence';
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
  if (result?.outcome === undefined) return;
  if (result.outcome.kind === 'saved') reportHistoryFailure(services.log, entry.name, result.outcome.history);
  // Docker rewrites iptables at every start, never our nftables tables: those need putting back at boot only.
  const afterDockerd = result.plan.backend === 'nftables' ? '' : ' and after every dockerd start';
  if (result.outcome.kind === 'saved' && result.outcome.bootRestore === 'systemd') {
    services.log.info(`${entry.name}: lockdown saved; the systemd unit puts it back at boot.`);
    void vscode.window.showInformationMessage(`The lockdown of ${entry.name} is saved: it comes back at boot${afterDockerd}.`);
  } else {
    services.log.warn(`${entry.name}: lockdown saved, but the host has no systemd: nothing restores it at boot by itself.`);
    void vscode.window.showWarningMessage(
      `The lockdown of ${entry.name} is saved in ${PERSIST_DIR}, but the host has no systemd: nothing puts it back at boot by itself. ` +
        `Run ${RESTORE_SCRIPT} at boot, before dockerd starts${afterDockerd}.`,
    );
  }
}
