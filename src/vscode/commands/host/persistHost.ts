import * as vscode from 'vscode';
import { reportHistoryFailure } from '../../ui/notify';
import { PERSIST_DIR, RESTORE_SCRIPT } from '../../../core/firewall/persistence';
import { FOLLOW_SCRIPT, type FollowerOutcome } from '../../../core/firewall/firewalldFollower';
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
  if (result.outcome.kind === 'saved') {
    reportHistoryFailure(services.log, entry.name, result.outcome.history);
    reportFirewalldFollower(services, entry.name, result.outcome.firewalld);
  }
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

/** Where firewalld is installed, its reloads remove the lockdown: say whether the follower that puts it back runs. */
function reportFirewalldFollower(services: Services, name: string, outcome: FollowerOutcome): void {
  if (outcome === 'absent') return;
  if (outcome === 'systemd' || outcome === 'process') {
    services.log.info(`${name}: firewalld is installed; ${FOLLOW_SCRIPT} puts the lockdown back after each firewalld reload or restart.`);
    return;
  }
  services.log.warn(`${name}: firewalld is installed but its follower is ${outcome === 'no-monitor' ? 'not installed (no dbus-monitor)' : 'not started'}.`);
  void vscode.window.showWarningMessage(
    outcome === 'no-monitor'
      ? vscode.l10n.t('firewalld is installed on {0} but dbus-monitor is not (Debian: apt install dbus-bin): after a firewalld reload the lockdown stays removed until {1} runs. Install it and make the lockdown persistent again.', name, RESTORE_SCRIPT)
      : vscode.l10n.t('firewalld is installed on {0}, but {1}, which puts the lockdown back after a firewalld reload, did not start: make the lockdown persistent again.', name, FOLLOW_SCRIPT),
  );
}
