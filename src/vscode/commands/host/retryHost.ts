import type { Services } from '../../services';
import { refreshHost } from './refreshHost';

/** Error item: Retry — reads the host again, as Refresh does, offered next to the error. */
export function retryHost(services: Services, arg?: unknown): Promise<void> {
  return refreshHost(services, arg);
}
