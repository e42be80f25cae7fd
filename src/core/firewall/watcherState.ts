/**
 * Whether the host's watcher runs (watcher.ts), from the `watcher` section of a read: `running PID`
 * when its pid file names a live process, `systemd active|inactive|…` where systemd runs, and
 * `no-docker` when the host has no Docker socket where we read Docker (nothing to watch there).
 */
export interface WatcherState {
  readonly running: boolean;
  /** How it was found running: its systemd unit, or the process of its pid file. */
  readonly via: 'systemd' | 'process' | undefined;
  /** No Docker socket on the host: no watcher is wanted. */
  readonly noDocker: boolean;
}

export const NO_WATCHER: WatcherState = { running: false, via: undefined, noDocker: false };

export function parseWatcherState(lines: readonly string[]): WatcherState {
  const noDocker = lines.some((l) => l.trim() === 'no-docker');
  if (lines.some((l) => /^systemd active$/.test(l.trim()))) return { running: true, via: 'systemd', noDocker };
  if (lines.some((l) => /^running \d+$/.test(l.trim()))) return { running: true, via: 'process', noDocker };
  return { ...NO_WATCHER, noDocker };
}

/** A lockdown wants its watcher where there is Docker to watch. */
export function watcherWanted(state: WatcherState): boolean {
  return !state.running && !state.noDocker;
}
