import type { Services } from '../../services';
import { selectHost } from './selectHost';

/** Chain Status title: Refresh — reads the shown host again (asks for one when none is shown). */
export async function refreshChainStatus(services: Services): Promise<void> {
  if (services.chainStatus.hostName === undefined) return selectHost(services);
  await services.chainStatus.reload();
}
