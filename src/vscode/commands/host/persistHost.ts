import * as vscode from 'vscode';
import { reportHistoryFailure } from '../../ui/notify';
import { PERSIST_DIR, RESTORE_SCRIPT } from '../../../core/firewall/persistence';
import type { Services } from '../../services';
import { confirm } from '../../ui/confirm';
import { resolveHost } from '../../ui/pickHost';
import { persistConfirmation } from '../../ui/confirmations';
import { rereadHost, runOnHost } from '../../tasks/hostTask';
import { HOST_ACTIONS } from '../../failure';

/** Host: Make Persistent — the lockdown comes back at boot and after every dockerd start. */
export async function persistHost(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, vscode.l10n.t('Make the lockdown of which host persistent?'));
  if (entry === undefined) return;
  const known = services.reads.get(entry.name).status;
  if (known !== undefined && !known.firewall.locked) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no lockdown to make persistent: block external access first.', entry.name));
    return;
  }
  const confirmation = persistConfirmation(entry.name);
  if ((await confirm(services.settings.current.confirmDestructiveActions, confirmation)) !== confirmation.action) return;
  const result = await runOnHost(services, entry, { action: HOST_ACTIONS.makePersistent, title: vscode.l10n.t('Making the lockdown of {0} persistent…', entry.name) }, (host, signal) =>
    host.persist({ signal }),
  );
  await rereadHost(services, entry);
  if (result?.outcome === undefined) return;
  if (result.outcome.kind === 'saved') reportHistoryFailure(services.log, entry.name, result.outcome.history);
  // Docker rewrites iptables at every start, never our nftables tables: those need putting back at boot only.
  const bootOnly = result.plan.backend === 'nftables';
  if (result.outcome.kind === 'saved' && result.outcome.bootRestore === 'systemd') {
    services.log.info(`${entry.name}: lockdown saved; the systemd unit puts it back at boot.`);
    void vscode.window.showInformationMessage(
      bootOnly
        ? vscode.l10n.t('The lockdown of {0} is saved: it comes back at boot.', entry.name)
        : vscode.l10n.t('The lockdown of {0} is saved: it comes back at boot and after every dockerd start.', entry.name),
    );
  } else {
    services.log.warn(`${entry.name}: lockdown saved, but the host has no systemd: nothing restores it at boot by itself.`);
    void vscode.window.showWarningMessage(
      bootOnly
        ? vscode.l10n.t(
            'The lockdown of {0} is saved in {1}, but the host has no systemd: nothing puts it back at boot by itself. Run {2} at boot, before dockerd starts.',
            entry.name,
            PERSIST_DIR,
            RESTORE_SCRIPT,
          )
        : vscode.l10n.t(
            'The lockdown of {0} is saved in {1}, but the host has no systemd: nothing puts it back at boot by itself. Run {2} at boot, before dockerd starts and after every dockerd start.',
            entry.name,
            PERSIST_DIR,
            RESTORE_SCRIPT,
          ),
    );
  }
}
