import * as vscode from 'vscode';
import type { Services } from '../../services';
import { refreshProgressText } from '../../ui/refreshProgressText';

/**
 * Hosts view title: Refresh All Hosts — reads every host again, at most dockerFirewall.maxParallelHosts
 * at once (HostReadCache), with the progress per host in the status bar. One host that fails or
 * hangs holds up only its own row: the others are shown as each read ends.
 */
export async function refreshHosts(services: Services): Promise<void> {
  const names = services.settings.hosts.map((h) => h.name);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Docker Firewall' }, async (progress) => {
    let done = 0;
    let failed = 0;
    const report = (): void => progress.report({ message: refreshProgressText(names.length, done, failed, names.filter((n) => services.reads.isLoading(n))) });
    const reads = names.map((name) => services.reads.load(name, { force: true }));
    report();
    await Promise.all(
      reads.map(async (read) => {
        const snapshot = await read;
        done++;
        if (snapshot.failure !== undefined) failed++;
        report();
      }),
    );
  });
  services.hostsView.refresh();
}
