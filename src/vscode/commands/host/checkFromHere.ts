import * as vscode from 'vscode';
import type { VerifyReport } from '../../../core/verify/verifyHost';
import type { Services } from '../../services';
import { resolveHost } from '../../ui/pickHost';
import { checkHost } from '../../tasks/checkHost';

/**
 * Host: Check From Here — reads the host, probes each published port from this machine and shows
 * on every port item whether it behaves as the rules say. Resolves with the report (for tests).
 */
export async function checkFromHere(services: Services, arg?: unknown): Promise<VerifyReport | undefined> {
  const entry = await resolveHost(services, arg, vscode.l10n.t('Check which host from this machine?'));
  if (entry === undefined) return undefined;
  return checkHost(services, entry, { explicit: true, reread: true });
}
