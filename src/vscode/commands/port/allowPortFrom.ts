import * as vscode from 'vscode';
import { portText } from '../../../core/firewall/port';
import type { Services } from '../../services';
import { askRequiredSource } from '../../ui/pickPort';
import { pickDuration } from '../../ui/pickDuration';
import { allowOnHost } from '../../tasks/allowOnHost';
import { resolvePort } from '../../tasks/resolvePort';

/** Port: Allow from… — new connections to this published port from one address or range, for as long as asked. */
export async function allowPortFrom(services: Services, arg?: unknown): Promise<void> {
  const target = await resolvePort(services, arg, vscode.l10n.t('Allow from a source: which host?'));
  if (target === undefined) return;
  const what = portText(target.spec);
  const from = await askRequiredSource(target.entry.name, what);
  if (from === undefined) return;
  const duration = await pickDuration(vscode.l10n.t('Allow {0} on {1} from {2}', what, target.entry.name, from.text));
  if (duration === undefined) return;
  await allowOnHost(services, target.entry, { ...target.spec, from, forSeconds: duration.forSeconds });
}
