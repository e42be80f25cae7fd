import type { Services } from '../../services';
import { pruneOnHost } from '../../tasks/pruneOnHost';

/**
 * Chain Status title: Clean Up Expired — on the host the view shows (a title action is given no
 * argument, so it cannot be the palette's Clean Up Expired, which asks for the host).
 */
export async function pruneChainStatusHost(services: Services): Promise<void> {
  const name = services.chainStatus.hostName;
  const entry = name === undefined ? undefined : services.settings.find(name);
  if (entry === undefined) return;
  await pruneOnHost(services, entry);
}
