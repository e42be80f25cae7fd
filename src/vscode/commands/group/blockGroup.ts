import * as vscode from 'vscode';
import { changes } from '../../../core/hosts/firewallEngine';
import { DISPLAY_LIMIT, forDisplay } from '../../../core/text/hostText';
import type { Services } from '../../services';
import { confirm } from '../../ui/confirm';
import { reportHistoryFailure } from '../../ui/notify';
import { groupBlockConfirmation, type GroupBlockHost } from '../../ui/confirmations';
import { resolveGroup } from '../../ui/pickGroup';
import { withCancellableProgress } from '../../ui/progress';
import { runOnGroup } from '../../tasks/groupRun';
import { checkAfterChange } from '../../tasks/checkHost';

/** A host that has not been read (or changed) in this time is given up; it holds up no other. */
const HOST_DEADLINE_MS = 60_000;

/** What happened on each host of the group (resolved for tests). */
export interface GroupBlockReport {
  readonly group: string;
  readonly hosts: readonly { readonly hostName: string; readonly outcome: 'blocked' | 'unchanged' | 'failed'; readonly reason?: string }[];
}

/**
 * Group: Block External Access on Every Host — reads every host of the group (at most
 * dockerFirewall.maxParallelHosts at once), asks once with each host's ports that will close, then
 * blocks each host on its own: one that fails or hangs is its own result, never the others'. Ends
 * with one summary notification.
 */
export async function blockGroup(services: Services, arg?: unknown): Promise<GroupBlockReport | undefined> {
  const chosen = await resolveGroup(services.settings, arg, vscode.l10n.t('Block external access to every host of which group?'));
  if (chosen === undefined) return undefined;
  const { group, hosts } = chosen;
  const shownGroup = forDisplay(group, DISPLAY_LIMIT.name);

  const read = await withCancellableProgress(vscode.l10n.t('Reading the {0} hosts of {1}…', hosts.length, shownGroup), (signal, progress) =>
    runOnGroup(
      services,
      hosts,
      signal,
      HOST_DEADLINE_MS,
      async (entry, hostSignal) => {
        return services.connections.use(entry, async ({ engine }) => {
          const reading = await engine.read(hostSignal);
          return { entry, reading, firewall: engine.statusOf(reading), plan: engine.plan(reading, changes.block()) };
        });
      },
      (done) => progress.report({ message: vscode.l10n.t('{0} of {1} read', done, hosts.length) }),
    ),
  );
  const found: GroupBlockHost[] = read.map((r) =>
    !r.ok ? { hostName: r.hostName, kind: 'unreadable', reason: r.reason } : r.value.plan.changed ? { hostName: r.hostName, kind: 'change', ports: r.value.firewall.ports, wanted: r.value.plan.policy } : { hostName: r.hostName, kind: 'unchanged' },
  );
  const toChange = read.flatMap((r) => (r.ok && r.value.plan.changed ? [r.value] : []));
  const failedReads = read.flatMap((r) => (r.ok ? [] : [{ hostName: r.hostName, outcome: 'failed' as const, reason: r.reason }]));
  const unchanged = read.flatMap((r) => (r.ok && !r.value.plan.changed ? [{ hostName: r.hostName, outcome: 'unchanged' as const }] : []));

  if (toChange.length === 0) {
    await rereadAll(services, hosts.map((h) => h.name));
    summarize(services, shownGroup, [], unchanged, failedReads);
    return { group, hosts: [...unchanged, ...failedReads] };
  }
  const confirmation = groupBlockConfirmation(group, found);
  if ((await confirm(services.settings.current.confirmDestructiveActions, confirmation)) !== confirmation.action) return undefined;

  const applied = await withCancellableProgress(vscode.l10n.t('Blocking external access to {0} hosts of {1}…', toChange.length, shownGroup), (signal, progress) =>
    runOnGroup(
      services,
      toChange.map((p) => p.entry),
      signal,
      HOST_DEADLINE_MS,
      // Planned from the reading the user confirmed; should a host have changed since, its
      // transaction is refused and apply reads again.
      (entry, hostSignal) => services.connections.use(entry, ({ engine }) => engine.apply(changes.block(), { signal: hostSignal, reading: toChange.find((p) => p.entry === entry)!.reading })),
      (done) => progress.report({ message: vscode.l10n.t('{0} of {1} done', done, toChange.length) }),
    ),
  );
  await rereadAll(services, hosts.map((h) => h.name));
  const blocked = applied.flatMap((r) => (r.ok ? [{ hostName: r.hostName, outcome: 'blocked' as const }] : []));
  const failedApplies = applied.flatMap((r) => (r.ok ? [] : [{ hostName: r.hostName, outcome: 'failed' as const, reason: r.reason }]));
  // As Block on one host: a host whose history line was not written is blocked, with a warning of its own.
  for (const r of applied) if (r.ok) reportHistoryFailure(services.log, r.hostName, r.value.history);
  for (const { hostName } of blocked) services.log.info(`${hostName}: external access blocked (group ${group}).`);
  summarize(services, shownGroup, blocked, unchanged, [...failedReads, ...failedApplies]);
  if (services.settings.current.verifyAfterChange) {
    await Promise.all(toChange.filter((p) => blocked.some((b) => b.hostName === p.entry.name)).map((p) => checkAfterChange(services, p.entry)));
  }
  return { group, hosts: [...blocked, ...unchanged, ...failedReads, ...failedApplies] };
}

async function rereadAll(services: Services, names: readonly string[]): Promise<void> {
  // HostReadCache bounds these to dockerFirewall.maxParallelHosts; a failure is that host's snapshot.
  await Promise.all(names.map((name) => services.reads.load(name, { force: true })));
}

function summarize(
  services: Services,
  group: string,
  blocked: readonly { hostName: string }[],
  unchanged: readonly { hostName: string }[],
  failed: readonly { hostName: string; reason: string }[],
): void {
  const names = (list: readonly { hostName: string }[]) => list.map((h) => forDisplay(h.hostName, DISPLAY_LIMIT.name)).join(', ');
  const parts = [
    ...(blocked.length > 0 ? [vscode.l10n.t('External access blocked on {0}.', names(blocked))] : []),
    ...(unchanged.length > 0 ? [vscode.l10n.t('Already blocked: {0}.', names(unchanged))] : []),
    ...(failed.length > 0 ? [vscode.l10n.t('Could not block external access on {0}: see the log.', names(failed))] : []),
  ];
  const message = `${group}: ${parts.join(' ')}`;
  if (failed.length === 0) {
    void vscode.window.showInformationMessage(message);
    return;
  }
  void vscode.window.showWarningMessage(message, vscode.l10n.t('Show Log')).then((choice) => {
    if (choice !== undefined) services.log.show(true);
  });
}
