/**
 * Whether the host's watcher runs (watcher.ts), from the `watcher` section of a read: `running PID`
 * when its pid file names a live process, `systemd active|inactive|…` where systemd runs,
 * `script DIGEST` (the SHA-256 of the script file) and `no-docker` when the host has no Docker
 * socket where we read Docker (nothing to watch there).
 */
export interface WatcherState {
  readonly running: boolean;
  /** How it was found running: its systemd unit, or the process of its pid file. */
  readonly via: 'systemd' | 'process' | undefined;
  /** No Docker socket on the host: no watcher is wanted. */
  readonly noDocker: boolean;
  /**
   * Whether the script on the host is the one this version would install for it: false for one left
   * by another version (an upgrade changes nothing on the host by itself) or edited by hand;
   * undefined when there is nothing to compare it with.
   */
  readonly current: boolean | undefined;
}

export const NO_WATCHER: WatcherState = { running: false, via: undefined, noDocker: false, current: undefined };

/** The state from a read's lines; `expectedDigest`: the SHA-256 (hex) of the script we would install. */
export function parseWatcherState(lines: readonly string[], expectedDigest?: string): WatcherState {
  const noDocker = lines.some((l) => l.trim() === 'no-docker');
  const digest = lines.map((l) => /^script ([0-9a-f]{64})$/.exec(l.trim())?.[1]).find((d) => d !== undefined);
  const current = expectedDigest === undefined ? undefined : digest === expectedDigest;
  if (lines.some((l) => /^systemd active$/.test(l.trim()))) return { running: true, via: 'systemd', noDocker, current };
  if (lines.some((l) => /^running \d+$/.test(l.trim()))) return { running: true, via: 'process', noDocker, current };
  return { ...NO_WATCHER, noDocker, current };
}

/** A lockdown wants its watcher (started, or replaced by the current one) where there is Docker to watch. */
export function watcherWanted(state: WatcherState): boolean {
  return (!state.running || state.current === false) && !state.noDocker;
}
