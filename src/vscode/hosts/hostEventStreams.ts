import type * as vscode from 'vscode';
import { EventFollower, type FollowerOptions, type FollowerState } from '../../core/docker/events/eventFollower';
import { REAL_TIMERS, type Timers } from '../../core/docker/events/timers';
import type { SettingsStore } from '../settings/settingsStore';
import type { ConnectionPool } from './connectionPool';
import type { HostReadCache } from './hostReadCache';

/** How long a host may stay out of sight before its stream and SSH connection are closed (reopened when shown). */
export const HIDDEN_CLOSE_MS = 10 * 60_000;

/** An element of the Hosts view as far as the streams care: a group folder is `{ kind: 'group', group }` (tree/nodes.ts). */
export interface ViewElement {
  readonly kind: string;
  readonly group?: unknown;
}

/** What the streams need of the Hosts view: whether it is shown, and which group folders are collapsed. */
export type ShownHostsView = Pick<vscode.TreeView<ViewElement>, 'visible' | 'onDidChangeVisibility' | 'onDidCollapseElement' | 'onDidExpandElement'>;

export interface HostEventStreamsOptions {
  readonly timers?: Timers;
  readonly hiddenCloseMs?: number;
  readonly follower?: FollowerOptions;
}

/**
 * One Docker event stream per host the Hosts view has read, over that host's pooled SSH connection:
 * a burst of container or network events re-reads the host (no polling while events flow). While a
 * stream is down, `dockerFirewall.refreshInterval` is the fallback: the host is re-read that often
 * until the stream is back (and once when it is, for what was missed).
 *
 * A host is shown while the view is visible and its group folder (if any) is expanded. A host out of
 * sight for HIDDEN_CLOSE_MS has its stream and its SSH connection closed (the connection only when
 * nothing runs on it), so a fleet's idle hosts hold no connection; shown again, it is followed and
 * read once more for what happened meanwhile. Streams close at once when their host leaves the settings.
 */
export class HostEventStreams implements vscode.Disposable {
  private readonly followers = new Map<string, EventFollower>();
  private readonly fallbacks = new Map<string, unknown>();
  /** Hosts whose stream went down since it was last live: re-read when it is back. */
  private readonly missed = new Set<string>();
  /** Hosts with a re-read waiting for the read in flight. */
  private readonly rereadQueued = new Set<string>();
  /** Group folders the user collapsed (folders start expanded). */
  private readonly collapsed = new Set<string>();
  /** Hosts out of sight, each with the timer that closes what it holds open. */
  private readonly hiddenTimers = new Map<string, unknown>();
  /** Hosts let go for being out of sight: followed and read again when shown. */
  private readonly asleep = new Set<string>();
  private readonly subscriptions: vscode.Disposable[];
  private readonly timers: Timers;
  private readonly hiddenCloseMs: number;

  constructor(
    private readonly connections: Pick<ConnectionPool, 'get' | 'closeIdle' | 'isOpen'>,
    private readonly settings: Pick<SettingsStore, 'onDidChange' | 'find' | 'current' | 'hosts'>,
    private readonly reads: Pick<HostReadCache, 'onDidChange' | 'get' | 'isLoading' | 'load'>,
    private readonly view: ShownHostsView,
    private readonly log: Pick<vscode.LogOutputChannel, 'info' | 'debug'>,
    private readonly options: HostEventStreamsOptions = {},
  ) {
    this.timers = options.timers ?? REAL_TIMERS;
    this.hiddenCloseMs = options.hiddenCloseMs ?? HIDDEN_CLOSE_MS;
    const groupToggled = (element: ViewElement, collapsed: boolean): void => {
      if (element.kind !== 'group' || typeof element.group !== 'string') return;
      if (collapsed) this.collapsed.add(element.group);
      else this.collapsed.delete(element.group);
      this.sightChanged();
    };
    this.subscriptions = [
      reads.onDidChange(({ hostName }) => {
        if (reads.get(hostName).status === undefined) return;
        // Also a host out of sight (read by a group command, Chain Status): its exposed ports still
        // count in the badge and notify, until it has been out of sight for a while.
        this.asleep.delete(hostName);
        this.follow(hostName);
        if (!this.isShown(hostName) && !this.hiddenTimers.has(hostName)) this.armHiddenTimer(hostName);
      }),
      settings.onDidChange(({ current }) => {
        for (const name of [...this.followers.keys(), ...this.asleep, ...this.hiddenTimers.keys()]) {
          if (!current.hosts.some((h) => h.name === name)) this.forget(name);
        }
        this.sightChanged();
      }),
      view.onDidChangeVisibility(() => this.sightChanged()),
      view.onDidCollapseElement(({ element }) => groupToggled(element, true)),
      view.onDidExpandElement(({ element }) => groupToggled(element, false)),
    ];
    this.sightChanged();
  }

  /** The hosts followed now (tests, the log). */
  get hosts(): string[] {
    return [...this.followers.keys()];
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const name of [...this.followers.keys(), ...this.hiddenTimers.keys()]) this.forget(name);
  }

  /** In sight: the view is visible, and the host is at the top level or in an expanded group. */
  private isShown(hostName: string): boolean {
    if (!this.view.visible) return false;
    // The window's own host is always at the top (see rootLayout), whatever its group.
    if (this.settings.current.windowHost?.name === hostName) return true;
    const group = this.settings.find(hostName)?.group;
    return group === undefined || !this.collapsed.has(group);
  }

  /** The view, a folder or the settings changed: hosts come into sight or go out of it. */
  private sightChanged(): void {
    for (const { name } of this.settings.hosts) {
      if (this.isShown(name)) {
        this.clearHiddenTimer(name);
        if (this.asleep.delete(name)) {
          this.follow(name);
          void this.reread(name);
        }
      } else if (!this.hiddenTimers.has(name) && (this.followers.has(name) || this.connections.isOpen(name))) {
        this.armHiddenTimer(name);
      }
    }
  }

  private follow(hostName: string): void {
    if (this.followers.has(hostName)) return;
    const entry = this.settings.find(hostName);
    if (entry === undefined) return;
    const follower = new EventFollower(
      (signal) => this.connections.get(entry).events(signal),
      {
        onEvents: (events) => {
          this.log.debug(`${hostName}: ${events.length} Docker event(s) (${[...new Set(events.map((e) => `${e.type} ${e.action}`))].join(', ')}); reading it again.`);
          void this.reread(hostName);
        },
        onState: (state) => this.stateChanged(hostName, state),
      },
      { timers: this.timers, ...this.options.follower },
    );
    this.followers.set(hostName, follower);
    follower.start();
  }

  /**
   * Reads the host again. A read already running may have started before these events (a container
   * connected to its network, not yet started, has no ports): a fresh read follows it.
   */
  private async reread(hostName: string): Promise<void> {
    if (this.reads.isLoading(hostName)) {
      if (this.rereadQueued.has(hostName)) return;
      this.rereadQueued.add(hostName);
      await this.reads.load(hostName);
      this.rereadQueued.delete(hostName);
    }
    await this.reads.load(hostName, { force: true });
  }

  private stateChanged(hostName: string, state: FollowerState): void {
    switch (state.kind) {
      case 'connecting':
        return;
      case 'live':
        this.stopFallback(hostName);
        this.log.debug(`${hostName}: following Docker events.`);
        if (this.missed.delete(hostName)) void this.reread(hostName);
        return;
      case 'waiting': {
        this.log.info(`${hostName}: Docker events stopped (${state.reason}); trying again in ${Math.round(state.retryInMs / 1000)} s.`);
        this.missed.add(hostName);
        const seconds = this.settings.current.refreshInterval;
        if (seconds > 0 && !this.fallbacks.has(hostName)) this.pollEvery(hostName, seconds * 1000);
        return;
      }
    }
  }

  /** The fallback while the stream is down: a read every `ms`, until the stream is live or closed. */
  private pollEvery(hostName: string, ms: number): void {
    this.fallbacks.set(
      hostName,
      this.timers.set(() => {
        if (!this.fallbacks.has(hostName)) return;
        void this.reads.load(hostName, { force: true });
        this.pollEvery(hostName, ms);
      }, ms),
    );
  }

  private stopFallback(hostName: string): void {
    const timer = this.fallbacks.get(hostName);
    if (timer !== undefined) this.timers.clear(timer);
    this.fallbacks.delete(hostName);
  }

  private armHiddenTimer(hostName: string): void {
    this.hiddenTimers.set(
      hostName,
      this.timers.set(() => {
        this.hiddenTimers.delete(hostName);
        if (this.isShown(hostName)) return;
        const following = this.followers.has(hostName);
        if (following) {
          this.stopFollowing(hostName);
          this.asleep.add(hostName);
        }
        const wasOpen = this.connections.isOpen(hostName);
        if (!this.connections.closeIdle(hostName)) {
          // Something runs on the connection (a Block, a read): try again after another while.
          this.armHiddenTimer(hostName);
          return;
        }
        if (following || wasOpen) {
          this.log.info(`${hostName}: out of sight for ${Math.round(this.hiddenCloseMs / 60_000)} minutes; its Docker event stream and SSH connection are closed until it is shown again.`);
        }
      }, this.hiddenCloseMs),
    );
  }

  private clearHiddenTimer(hostName: string): void {
    const timer = this.hiddenTimers.get(hostName);
    if (timer !== undefined) this.timers.clear(timer);
    this.hiddenTimers.delete(hostName);
  }

  private stopFollowing(hostName: string): void {
    this.followers.get(hostName)?.stop();
    this.followers.delete(hostName);
    this.stopFallback(hostName);
    this.missed.delete(hostName);
  }

  /** The host left the settings (or the extension ends): nothing of it is kept. */
  private forget(hostName: string): void {
    this.stopFollowing(hostName);
    this.clearHiddenTimer(hostName);
    this.asleep.delete(hostName);
  }
}
