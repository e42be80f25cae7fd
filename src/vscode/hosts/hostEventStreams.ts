import type * as vscode from 'vscode';
import { EventFollower, type FollowerState } from '../../core/docker/events/eventFollower';
import type { SettingsStore } from '../settings/settingsStore';
import type { ConnectionPool } from './connectionPool';
import type { HostReadCache } from './hostReadCache';

/** How long the Hosts view may stay hidden before the streams are closed (reopened when shown). */
export const HIDDEN_CLOSE_MS = 10 * 60_000;

/**
 * One Docker event stream per host the Hosts view has read, over that host's pooled SSH connection:
 * a burst of container or network events re-reads the host (no polling while events flow). While a
 * stream is down, `dockerFirewall.refreshInterval` is the fallback: the host is re-read that often
 * until the stream is back (and once when it is, for what was missed). Streams close when their host
 * leaves the settings, and all of them after the view has been hidden for HIDDEN_CLOSE_MS.
 */
export class HostEventStreams implements vscode.Disposable {
  private readonly followers = new Map<string, EventFollower>();
  private readonly fallbacks = new Map<string, ReturnType<typeof setInterval>>();
  /** Hosts whose stream went down since it was last live: re-read when it is back. */
  private readonly missed = new Set<string>();
  /** Hosts with a re-read waiting for the read in flight. */
  private readonly rereadQueued = new Set<string>();
  private hiddenTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly connections: ConnectionPool,
    private readonly settings: SettingsStore,
    private readonly reads: HostReadCache,
    private readonly view: vscode.TreeView<unknown>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      reads.onDidChange(({ hostName }) => {
        if (reads.get(hostName).status !== undefined) this.follow(hostName);
      }),
      settings.onDidChange(({ current }) => {
        for (const name of [...this.followers.keys()]) if (!current.hosts.some((h) => h.name === name)) this.close(name);
      }),
      view.onDidChangeVisibility(({ visible }) => (visible ? this.shown() : this.armHiddenTimer())),
    ];
    if (!view.visible) this.armHiddenTimer();
  }

  /** The hosts followed now (tests, the log). */
  get hosts(): string[] {
    return [...this.followers.keys()];
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    if (this.hiddenTimer !== undefined) clearTimeout(this.hiddenTimer);
    for (const name of [...this.followers.keys()]) this.close(name);
  }

  private follow(hostName: string): void {
    if (this.followers.has(hostName)) return;
    const entry = this.settings.find(hostName);
    if (entry === undefined) return;
    const follower = new EventFollower((signal) => this.connections.get(entry).events(signal), {
      onEvents: (events) => {
        this.log.debug(`${hostName}: ${events.length} Docker event(s) (${[...new Set(events.map((e) => `${e.type} ${e.action}`))].join(', ')}); reading it again.`);
        void this.reread(hostName);
      },
      onState: (state) => this.stateChanged(hostName, state),
    });
    this.followers.set(hostName, follower);
    follower.start();
    if (!this.view.visible) this.armHiddenTimer();
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
        if (seconds > 0 && !this.fallbacks.has(hostName)) {
          this.fallbacks.set(hostName, setInterval(() => void this.reads.load(hostName, { force: true }), seconds * 1000));
        }
        return;
      }
    }
  }

  private close(hostName: string): void {
    this.followers.get(hostName)?.stop();
    this.followers.delete(hostName);
    this.stopFallback(hostName);
    this.missed.delete(hostName);
  }

  private stopFallback(hostName: string): void {
    const timer = this.fallbacks.get(hostName);
    if (timer !== undefined) clearInterval(timer);
    this.fallbacks.delete(hostName);
  }

  private armHiddenTimer(): void {
    if (this.hiddenTimer !== undefined) clearTimeout(this.hiddenTimer);
    this.hiddenTimer = setTimeout(() => {
      this.hiddenTimer = undefined;
      if (this.view.visible || this.followers.size === 0) return;
      this.log.info(`The Hosts view has been hidden for ${HIDDEN_CLOSE_MS / 60_000} minutes: closing the Docker event streams of ${this.hosts.join(', ')}.`);
      for (const name of [...this.followers.keys()]) this.close(name);
    }, HIDDEN_CLOSE_MS);
  }

  /** Shown again: each host read is followed again, and read once more for what happened meanwhile. */
  private shown(): void {
    if (this.hiddenTimer !== undefined) clearTimeout(this.hiddenTimer);
    this.hiddenTimer = undefined;
    for (const { name } of this.settings.hosts) {
      if (this.followers.has(name) || this.reads.get(name).status === undefined) continue;
      this.follow(name);
      void this.reads.load(name, { force: true });
    }
  }
}
