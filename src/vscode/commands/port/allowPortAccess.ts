import type { Services } from '../../services';
import { allowOnHost } from '../../tasks/allowOnHost';
import { resolvePort } from '../../tasks/resolvePort';

/** Port: Allow External Access — new connections from anywhere to this published port. */
export async function allowPortAccess(services: Services, arg?: unknown): Promise<void> {
  const target = await resolvePort(services, arg, 'Allow external access');
  if (target === undefined) return;
  await allowOnHost(services, target.entry, target.spec);
}
