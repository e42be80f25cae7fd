import * as vscode from 'vscode';
import type { Services } from '../../services';
import { resolveHost } from '../../ui/pickHost';

/** Host: Refresh — reads the host again; a failure shows in the tree, not as a pop-up. */
export async function refreshHost(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, vscode.l10n.t('Refresh which host?'));
  if (entry === undefined) return;
  await services.reads.load(entry.name, { force: true });
}
