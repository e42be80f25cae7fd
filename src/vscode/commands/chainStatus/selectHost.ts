import * as vscode from 'vscode';
import type { Services } from '../../services';
import { hostNameFromArg } from '../../tree/nodeArgs';
import { pickHost } from '../../ui/pickHost';

/** Chain Status title: Select Host… — which host the view shows. */
export async function selectHost(services: Services, arg?: unknown): Promise<void> {
  const name = hostNameFromArg(arg);
  const entry = name !== undefined ? services.settings.find(name) : await pickHost(services, vscode.l10n.t('Show the chain status of which host?'));
  if (entry === undefined) return;
  services.chainStatus.select(entry.name);
  await services.reads.load(entry.name);
}
