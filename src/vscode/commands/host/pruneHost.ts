import * as vscode from 'vscode';
import type { Services } from '../../services';
import { pruneOnHost } from '../../tasks/pruneOnHost';
import { resolveHost } from '../../ui/pickHost';

/** Host, Chain Status warning or Command Palette: Clean Up Expired — removes the rules of allows that have ended. */
export async function pruneHost(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, vscode.l10n.t('Clean up ended allows on which host?'));
  if (entry === undefined) return;
  await pruneOnHost(services, entry);
}
