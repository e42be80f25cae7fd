import * as vscode from 'vscode';
import type { Services } from '../../services';
import { confirm } from '../../ui/confirm';
import { resolveHost } from '../../ui/pickHost';
import { removeHostConfirmation } from '../../ui/confirmations';
import { hostTarget } from '../../hosts/connectionPool';
import { hostEngine } from '../../hosts/hostEngine';
import type { ConfiguredHost } from '../../settings/configuredHosts';

/**
 * The accounts the entry reaches now (`user@HostName:port`, its ProxyJump hops too), to forget their
 * saved passwords as well as those the index recorded for the entry. None when the ssh config cannot
 * be read: the index alone then.
 */
async function currentDestinations(services: Services, entry: ConfiguredHost): Promise<string[]> {
  try {
    return await hostEngine().targetDestinations(hostTarget(entry, services.settings.current));
  } catch (error) {
    services.log.warn(`${entry.name}: could not resolve it to forget its saved passwords by account: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  }
}

/** Host: Remove Host — forgets the host (settings, connection, saved passwords); its rules stay on it. */
export async function removeHost(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, vscode.l10n.t('Remove which host?'));
  if (entry === undefined) return;
  const windowHost = services.settings.current.windowHost;
  if (windowHost?.name === entry.name && !windowHost.saved) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0} is the host of this Remote-SSH window: it is shown here for this window only, and is not in your hosts to remove.', entry.name),
    );
    return;
  }
  const confirmation = removeHostConfirmation(entry.name);
  if ((await confirm(services.settings.current.confirmDestructiveActions, confirmation)) !== confirmation.action) return;
  try {
    await services.settings.remove(entry.name);
  } catch (error) {
    services.log.error(`Could not remove ${entry.name} from the settings: ${String(error)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not remove {0} from the settings: {1}', entry.name, error instanceof Error ? error.message : String(error)));
    return;
  }
  services.connections.close(entry.name);
  services.reads.forget(entry.name);
  await services.secrets.forget(entry.name, await currentDestinations(services, entry));
  if (services.chainStatus.hostName === entry.name) services.chainStatus.select(undefined);
  services.log.info(`${entry.name}: removed.`);
}
