import type { Services } from '../../services';

/** Hosts view title: Refresh All Hosts — reads every host again, in parallel. */
export async function refreshHosts(services: Services): Promise<void> {
  await Promise.all(services.settings.hosts.map((h) => services.reads.load(h.name, { force: true })));
  services.hostsView.refresh();
}
