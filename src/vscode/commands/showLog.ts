import type { Services } from '../services';

/** Show Log — the "Docker Firewall" log output channel. */
export function showLog(services: Services): void {
  services.log.show();
}
