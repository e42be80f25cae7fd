import * as vscode from 'vscode';
import { errorCode, isCancellation, reasonOf } from '../failure';
import type { ConfiguredHost } from '../settings/configuredHosts';
import { UNKNOWN_SNAPSHOT, type HostSnapshot, type HostReport } from './hostSnapshot';
import { Limiter } from './limiter';

export interface HostSnapshotChange {
  readonly hostName: string;
  /**
   * Nothing a view shows has changed: a host already read is being read again (views keep
   * showing the last read until the new one is in; redrawing for it would only churn).
   */
  readonly quiet: boolean;
}

export type HostReader = (entry: ConfiguredHost, signal: AbortSignal) => Promise<Omit<HostReport, 'readAt'>>;

/**
 * The last thing read from each host, shared by the Hosts tree and the Chain Status view, so that
 * one read serves both. Reads of one host never overlap: a second caller gets the read in flight.
 * Reads of different hosts run at most `limiter`'s limit at once (dockerFirewall.maxParallelHosts):
 * the others show "connecting…" until their turn, and a host that hangs holds one place only.
 */
export class HostReadCache implements vscode.Disposable {
  private readonly snapshots = new Map<string, HostSnapshot>();
  private readonly inflight = new Map<string, { readonly controller: AbortController; readonly promise: Promise<HostSnapshot> }>();
  private readonly changed = new vscode.EventEmitter<HostSnapshotChange>();
  /** Fires when a host's snapshot changes. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly find: (hostName: string) => ConfiguredHost | undefined,
    private readonly reader: HostReader,
    private readonly log: vscode.LogOutputChannel,
    private readonly onFailure: (hostName: string, error: unknown) => void,
    private readonly limiter: Limiter = new Limiter(() => Number.POSITIVE_INFINITY),
  ) {}

  get(hostName: string): HostSnapshot {
    return this.snapshots.get(hostName) ?? UNKNOWN_SNAPSHOT;
  }

  isLoading(hostName: string): boolean {
    return this.inflight.has(hostName);
  }

  /**
   * Reads the host unless a result is already there (`force` reads anyway). Never rejects: a
   * failure is part of the snapshot, for the tree to show.
   */
  load(hostName: string, options: { force?: boolean } = {}): Promise<HostSnapshot> {
    const running = this.inflight.get(hostName);
    if (running !== undefined) return running.promise;
    const current = this.get(hostName);
    if (options.force !== true && (current.status !== undefined || current.failure !== undefined)) return Promise.resolve(current);
    const entry = this.find(hostName);
    if (entry === undefined) return Promise.resolve(UNKNOWN_SNAPSHOT);

    const controller = new AbortController();
    const promise = this.read(entry, controller);
    this.inflight.set(hostName, { controller, promise });
    this.set(hostName, { ...current, loading: true }, current.status !== undefined);
    return promise;
  }

  /** Drops what is known about a host (removed, or its settings changed) and stops its read. */
  forget(hostName: string): void {
    this.inflight.get(hostName)?.controller.abort();
    this.inflight.delete(hostName);
    if (this.snapshots.delete(hostName)) this.changed.fire({ hostName, quiet: false });
  }

  dispose(): void {
    for (const { controller } of this.inflight.values()) controller.abort();
    this.inflight.clear();
    this.changed.dispose();
  }

  private async read(entry: ConfiguredHost, controller: AbortController): Promise<HostSnapshot> {
    const name = entry.name;
    const started = Date.now();
    let next: HostSnapshot;
    try {
      const { inventory, firewall, facts, history } = await this.limiter.run(() => {
        // Forgotten while it waited for its turn: nothing to read.
        controller.signal.throwIfAborted();
        return this.reader(entry, controller.signal);
      });
      next = { status: { inventory, firewall, facts, history, readAt: new Date() }, failure: undefined, loading: false };
      this.log.debug(`${name}: read in ${Date.now() - started} ms (${firewall.locked ? 'locked' : 'open'}, ${firewall.ports.length} published ports).`);
    } catch (error) {
      if (controller.signal.aborted || isCancellation(error)) {
        next = { ...this.get(name), loading: false };
      } else {
        this.log.error(`${name}: ${reasonOf(error)}`);
        next = { status: undefined, failure: { message: reasonOf(error), code: errorCode(error), at: new Date() }, loading: false };
        this.onFailure(name, error);
      }
    }
    // A host forgotten meanwhile stays forgotten.
    if (this.inflight.get(name)?.controller !== controller) return this.get(name);
    this.inflight.delete(name);
    this.set(name, next);
    return next;
  }

  private set(hostName: string, snapshot: HostSnapshot, quiet = false): void {
    this.snapshots.set(hostName, snapshot);
    this.changed.fire({ hostName, quiet });
  }
}
