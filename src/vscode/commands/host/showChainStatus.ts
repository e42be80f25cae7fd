import * as vscode from 'vscode';
import type { Services } from '../../services';
import { resolveHost } from '../../ui/pickHost';
import { VIEWS } from '../../ids';

/** Host: Show Chain Status — the host's chain, hooks, rules with counters, allows and warnings. */
export async function showChainStatus(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, vscode.l10n.t('Show the chain status of which host?'));
  if (entry === undefined) return;
  services.chainStatus.select(entry.name);
  await vscode.commands.executeCommand(`${VIEWS.chainStatus}.focus`);
  await services.reads.load(entry.name);
}
