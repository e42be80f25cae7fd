import * as vscode from 'vscode';
import { portText } from '../../../core/firewall/port';
import type { Services } from '../../services';
import { allowOnHost } from '../../tasks/allowOnHost';
import { resolvePort } from '../../tasks/resolvePort';
import { pickDuration } from '../../ui/pickDuration';

/** Port: Allow External Access — new connections from anywhere to this published port, for as long as asked. */
export async function allowPortAccess(services: Services, arg?: unknown): Promise<void> {
  const target = await resolvePort(services, arg, vscode.l10n.t('Allow external access: which host?'));
  if (target === undefined) return;
  const duration = await pickDuration(vscode.l10n.t('Allow {0} on {1} from anywhere', portText(target.spec), target.entry.name));
  if (duration === undefined) return;
  await allowOnHost(services, target.entry, { ...target.spec, forSeconds: duration.forSeconds });
}
