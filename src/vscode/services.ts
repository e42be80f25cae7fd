import * as vscode from 'vscode';
import { ChainStatusView } from './chainStatus/chainStatusView';
import { ConnectionPool } from './hosts/connectionPool';
import { hostCallbacks } from './hosts/hostPrompts';
import { SettingsStore } from './settings/settingsStore';
import { HostSecrets } from './hosts/hostSecrets';
import { HostReadCache } from './hosts/hostReadCache';
import { Limiter } from './hosts/limiter';
import { CheckResults } from './hosts/checkResults';
import { HostsView } from './tree/hostsView';
import { ExposedPortBadge, ExposedPortDecorations } from './tree/exposedPortDecorationProvider';
import { HostEventStreams } from './hosts/hostEventStreams';
import { ExposedPortNotices } from './ui/exposedPortNotices';
import { HOST_ACTIONS, isHostKeyAlarm, refusesSecrets } from './failure';
import { reportFailure } from './ui/notify';

/** Everything the commands work with, built once by activate() (the composition root). */
export interface Services {
  readonly log: vscode.LogOutputChannel;
  readonly settings: SettingsStore;
  readonly secrets: HostSecrets;
  readonly connections: ConnectionPool;
  readonly reads: HostReadCache;
  /** The last Check From Here of each host. */
  readonly checks: CheckResults;
  readonly hostsView: HostsView;
  readonly chainStatus: ChainStatusView;
  /** Live hosts: Docker event streams, the exposed-ports badge. */
  readonly events: HostEventStreams;
  readonly exposedBadge: ExposedPortBadge;
  /** What every failed host operation goes through: saved secrets that were refused are forgotten. */
  noteHostError(hostName: string, error: unknown): void;
}

/** Builds the services; every disposable goes to `context.subscriptions`. Connects to nothing. */
export function createServices(context: vscode.ExtensionContext): Services {
  const own = <T extends vscode.Disposable>(disposable: T): T => {
    context.subscriptions.push(disposable);
    return disposable;
  };
  const log = own(vscode.window.createOutputChannel('Docker Firewall', { log: true }));
  const settings = own(new SettingsStore(log));
  const secrets = new HostSecrets(context.secrets, context.globalState);
  // Secrets saved before 0.2.0 were keyed by the host entry's name and could reach another machine.
  secrets.dropLegacy().then(
    (dropped) => {
      if (dropped > 0) log.info(`Forgot ${dropped} password(s) saved by an earlier version under host names; you will be asked again.`);
    },
    (error: unknown) => log.error(`Could not forget the passwords saved by an earlier version: ${error instanceof Error ? error.message : String(error)}`),
  );
  const connections = own(new ConnectionPool(() => settings.current, (hostName) => hostCallbacks(hostName, log, secrets)));

  const noteHostError = (hostName: string, error: unknown): void => {
    if (refusesSecrets(error)) {
      log.info(`${hostName}: forgetting its saved passwords, which were refused.`);
      void secrets.forget(hostName);
    }
  };
  const onReadFailure = (hostName: string, error: unknown): void => {
    noteHostError(hostName, error);
    // Worth a pop-up even when the tree was only being drawn: the connection may be intercepted.
    if (isHostKeyAlarm(error)) void reportFailure(log, HOST_ACTIONS.readFirewall, hostName, error);
  };
  const reads = own(
    new HostReadCache(
      (hostName) => settings.find(hostName),
      async (entry, signal) => {
        const { inventory, firewall, raw } = await connections.use(entry, (connection) => connection.engine.status(signal));
        return { inventory, firewall, facts: raw.facts, history: raw.history };
      },
      log,
      onReadFailure,
      new Limiter(() => settings.current.maxParallelHosts),
    ),
  );
  const checks = new CheckResults();
  own(settings.onDidChange(({ current }) => checks.retain(current.hosts)));
  own(
    reads.onDidChange(({ hostName }) => {
      const policy = reads.get(hostName).status?.firewall.policy;
      if (policy !== undefined) checks.noteRules(hostName, policy);
    }),
  );
  const hostsView = own(new HostsView(settings, reads, checks));
  const chainStatus = own(new ChainStatusView(settings, reads));
  const events = own(new HostEventStreams(connections, settings, reads, hostsView.treeView, log));
  const exposedBadge = own(new ExposedPortBadge(hostsView.treeView, reads, settings));
  own(new ExposedPortNotices(reads, settings));
  own(vscode.window.registerFileDecorationProvider(new ExposedPortDecorations()));

  own(
    hostsView.treeView.onDidChangeSelection(({ selection }) => {
      const node = selection[0];
      if (node !== undefined && node.kind !== 'group') chainStatus.select(node.hostName);
    }),
  );
  own(
    settings.onDidChange(({ previous, current }) => {
      // A host removed or reached differently starts afresh: new connection, nothing stale shown.
      for (const name of connections.prune(current)) reads.forget(name);
      for (const { name } of previous.hosts) if (!current.hosts.some((h) => h.name === name)) reads.forget(name);
    }),
  );
  return { log, settings, secrets, connections, reads, checks, hostsView, chainStatus, events, exposedBadge, noteHostError };
}
