import { portText } from '../../../core/firewall/port';
import type { Services } from '../../services';
import { askRequiredSource } from '../../ui/pickPort';
import { allowOnHost } from '../../tasks/allowOnHost';
import { resolvePort } from '../../tasks/resolvePort';

/** Port: Allow from… — new connections to this published port from one address or range. */
export async function allowPortFrom(services: Services, arg?: unknown): Promise<void> {
  const target = await resolvePort(services, arg, 'Allow from a source');
  if (target === undefined) return;
  const from = await askRequiredSource(target.entry.name, portText(target.spec));
  if (from === undefined) return;
  await allowOnHost(services, target.entry, { ...target.spec, from });
}
