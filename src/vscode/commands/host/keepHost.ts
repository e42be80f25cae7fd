import * as vscode from 'vscode';
import type { Services } from '../../services';
import { hostNameFromArg } from '../../tree/nodeArgs';

/**
 * Host: Keep in My Hosts — the host of this Remote-SSH window, shown for the window only, written to
 * `dockerFirewall.hosts` (user settings) so that every window shows it. From the Command Palette it
 * keeps the window's host, when there is one to keep.
 */
export async function keepHost(services: Services, arg?: unknown): Promise<void> {
  const windowHost = services.settings.current.windowHost;
  const name = hostNameFromArg(arg) ?? windowHost?.name;
  if (windowHost === undefined || windowHost.saved || name !== windowHost.name) {
    void vscode.window.showInformationMessage(
      name === undefined
        ? vscode.l10n.t('This window is not a Remote-SSH window: its host is not in the Hosts view to keep.')
        : vscode.l10n.t('{0} is already in your hosts (dockerFirewall.hosts).', name),
    );
    return;
  }
  try {
    const kept = await services.settings.keepWindowHost(name);
    if (kept !== undefined) services.log.info(`${kept.name}: this window's host kept in dockerFirewall.hosts (${kept.destination}).`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    services.log.error(`Could not keep ${name} in the settings: ${reason}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not keep {0} in your hosts: {1}', name, reason));
  }
}
