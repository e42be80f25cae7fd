import * as vscode from 'vscode';
import type { Services } from '../../services';
import { confirm } from '../../ui/confirm';
import { resolveHost } from '../../ui/pickHost';
import { removeHostConfirmation } from '../../ui/confirmations';

/** Host: Remove Host — forgets the host (settings, connection, saved passwords); its rules stay on it. */
export async function removeHost(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, 'Remove which host?');
  if (entry === undefined) return;
  const confirmation = removeHostConfirmation(entry.name);
  if ((await confirm(services.settings.current.confirmDestructiveActions, confirmation)) !== confirmation.action) return;
  try {
    await services.settings.remove(entry.name);
  } catch (error) {
    services.log.error(`Could not remove ${entry.name} from the settings: ${String(error)}`);
    void vscode.window.showErrorMessage(`Could not remove ${entry.name} from the settings: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  services.connections.close(entry.name);
  services.reads.forget(entry.name);
  await services.secrets.forget(entry.name);
  if (services.chainStatus.hostName === entry.name) services.chainStatus.select(undefined);
  services.log.info(`${entry.name}: removed.`);
}
