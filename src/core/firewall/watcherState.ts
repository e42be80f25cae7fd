/**
 * Whether the host's watcher runs (watcher.ts), from the `watcher` section of a read: `running PID`
 * when its pid file names a live process, `systemd active|inactive|…` where systemd runs.
 */
export interface WatcherState {
  readonly running: boolean;
  /** How it was found running: its systemd unit, or the process of its pid file. */
  readonly via: 'systemd' | 'process' | undefined;
}

export const NO_WATCHER: WatcherState = { running: false, via: undefined };

export function parseWatcherState(lines: readonly string[]): WatcherState {
  if (lines.some((l) => /^systemd active$/.test(l.trim()))) return { running: true, via: 'systemd' };
  if (lines.some((l) => /^running \d+$/.test(l.trim()))) return { running: true, via: 'process' };
  return NO_WATCHER;
}
