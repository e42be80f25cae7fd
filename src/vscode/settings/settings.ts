import { homedir } from 'node:os';
import { join } from 'node:path';
import { DockerFirewallError } from '../../core/errors';
import { DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS } from '../../core/verify/verifyHost';
import { DEFAULT_CHAIN, parseChainName, type ChainName } from '../../core/validate';
import { parseConfiguredHosts, type ConfiguredHost } from './configuredHosts';
import type { WindowHost } from './windowHost';

/** The `dockerFirewall.*` settings, checked: what settings.json holds is only a suggestion of the schema. */
export interface Settings {
  /** The hosts to show: those of `dockerFirewall.hosts`, after the window's own host (see windowHost.ts). */
  readonly hosts: readonly ConfiguredHost[];
  /** In a Remote-SSH window, the window's host (first of `hosts`). */
  readonly windowHost?: WindowHost | undefined;
  readonly chain: ChainName;
  /** Seconds between Chain Status refreshes while it is visible; 0 = off. */
  readonly refreshInterval: number;
  readonly knownHostsPath: string | undefined;
  readonly sshConfigPath: string | undefined;
  readonly confirmDestructiveActions: boolean;
  /** Check From Here right after every Block, Allow and Block Again. */
  readonly verifyAfterChange: boolean;
  /** How long Check From Here waits for each probe (milliseconds), as `verify --timeout`. */
  readonly checkTimeoutMs: number;
  /** Hosts read (or changed, from a group's menu) at once; the others wait their turn. */
  readonly maxParallelHosts: number;
  /** A notification when a container starts with a port exposed to every network. */
  readonly notifyExposedPorts: boolean;
  /** Values that were ignored, and why (for the log). */
  readonly problems: readonly string[];
}

export const SETTINGS_SECTION = 'dockerFirewall';
export const DEFAULT_REFRESH_INTERVAL = 10;
export const MAX_REFRESH_INTERVAL = 3600;
export const DEFAULT_MAX_PARALLEL_HOSTS = 8;
export const MAX_PARALLEL_HOSTS = 64;

/** What `vscode.workspace.getConfiguration('dockerFirewall')` offers; a plain object in tests. */
export interface SettingsSource {
  get(key: string): unknown;
}

export function readSettings(source: SettingsSource, home: string = homedir()): Settings {
  const problems: string[] = [];
  const parsedHosts = parseConfiguredHosts(source.get('hosts'));
  problems.push(...parsedHosts.problems);

  let chain: ChainName = DEFAULT_CHAIN;
  const chainValue = source.get('chain');
  if (typeof chainValue === 'string' && chainValue.trim() !== '') {
    try {
      chain = parseChainName(chainValue.trim());
    } catch (error) {
      problems.push(`dockerFirewall.chain: ${error instanceof DockerFirewallError ? error.message : String(error)} Using ${DEFAULT_CHAIN}.`);
    }
  }

  const intervalValue = source.get('refreshInterval');
  let refreshInterval = DEFAULT_REFRESH_INTERVAL;
  if (typeof intervalValue === 'number' && Number.isFinite(intervalValue) && intervalValue >= 0) {
    refreshInterval = Math.min(Math.round(intervalValue), MAX_REFRESH_INTERVAL);
  } else if (intervalValue !== undefined) {
    problems.push(`dockerFirewall.refreshInterval should be a number of seconds (0 = off); using ${DEFAULT_REFRESH_INTERVAL}.`);
  }

  const wholeNumber = (key: string, what: string, min: number, max: number, fallback: number): number => {
    const value = source.get(key);
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    if (value !== undefined) problems.push(`dockerFirewall.${key} should be ${what} from ${min} to ${max}; using ${fallback}.`);
    return fallback;
  };
  const maxParallelHosts = wholeNumber('maxParallelHosts', 'a whole number', 1, MAX_PARALLEL_HOSTS, DEFAULT_MAX_PARALLEL_HOSTS);
  const checkTimeoutMs = wholeNumber('checkTimeout', 'a whole number of milliseconds', MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS);

  return {
    hosts: parsedHosts.hosts,
    chain,
    refreshInterval,
    knownHostsPath: pathSetting(source.get('knownHostsPath'), home),
    sshConfigPath: pathSetting(source.get('sshConfigPath'), home),
    confirmDestructiveActions: source.get('confirmDestructiveActions') !== false,
    verifyAfterChange: source.get('verifyAfterChange') !== false,
    checkTimeoutMs,
    maxParallelHosts,
    notifyExposedPorts: source.get('notifyExposedPorts') !== false,
    problems,
  };
}

/** '' means "ssh's default"; `~/…` is the user's home, as in ssh_config. */
export function pathSetting(value: unknown, home: string = homedir()): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const path = value.trim();
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}
