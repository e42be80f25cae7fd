import * as l10n from '@vscode/l10n';
import { homedir, hostname, userInfo } from 'node:os';
import { InvalidDestination, SshConfigError } from '../errors';
import { parseDestination, type Destination } from './destination';
import { findDirectiveLines, type ConfigSource } from './sshConfigFile';
import type { SshConfig } from './sshConfigPackage';
import { expandPath, expandProxyCommand, type TokenValues } from './sshTokens';

export { loadSshConfig, parseSshConfigText, type ConfigSource, type LoadedSshConfig, type LoadOptions } from './sshConfigFile';
export type { SshConfig } from './sshConfigPackage';

/** ssh's StrictHostKeyChecking; `no` is read as accept-new: we never connect to a changed key. */
export type StrictHostKeyChecking = 'yes' | 'ask' | 'accept-new';

/** What ssh would use to reach one destination, after its configuration file has had its say. */
export interface ResolvedSshHost {
  /** The name as typed (an alias, or the host itself). */
  readonly alias: string;
  /** Address or DNS name to connect to (HostName). */
  readonly hostName: string;
  readonly port: number;
  readonly user: string;
  /** IdentityFile entries, expanded; empty when the config names none (see defaultIdentityFiles). */
  readonly identityFiles: readonly string[];
  readonly identitiesOnly: boolean;
  /** IdentityAgent: a socket path, or 'none'; undefined means SSH_AUTH_SOCK. */
  readonly identityAgent?: string | undefined;
  readonly userKnownHostsFiles: readonly string[];
  readonly globalKnownHostsFiles: readonly string[];
  readonly strictHostKeyChecking: StrictHostKeyChecking;
  readonly hashKnownHosts: boolean;
  /** HostKeyAlias: the name to look up in known_hosts instead of hostName. */
  readonly hostKeyAlias?: string | undefined;
  readonly connectTimeoutMs?: number | undefined;
  readonly keepaliveIntervalMs?: number | undefined;
  readonly keepaliveCountMax?: number | undefined;
  /** The host to go through (the last ProxyJump hop); it has its own jump, if any. */
  readonly proxyJump?: ResolvedSshHost | undefined;
  /**
   * A ProxyCommand other than `none`: run on this machine instead of connecting to hostName, its
   * standard input and output carry the SSH connection (cloud tunnels: AWS SSM, Google IAP,
   * Cloudflare Access…).
   */
  readonly proxyCommand?: ProxyCommandSetting | undefined;
  /** Settings found that we cannot honour, for a warning. */
  readonly unsupported: readonly string[];
}

export interface ProxyCommandSetting {
  /** The command for `sh -c`, its tokens expanded and their values shell-quoted. Never shown: it may hold a secret. */
  readonly command: string;
  /** `file:line` of the lines that set it (several when the same command is written more than once); empty when not known. */
  readonly locations: readonly string[];
  /** The configuration the host was resolved from, for messages. */
  readonly configFile: string | undefined;
}

export interface ResolveOptions {
  readonly homeDir?: string | undefined;
  readonly localUser?: string | undefined;
  /** For messages. */
  readonly configFile?: string | undefined;
  /** The texts the configuration was read from (LoadedSshConfig.sources), to name a directive's file and line. */
  readonly sources?: readonly ConfigSource[] | undefined;
}

const MAX_JUMP_DEPTH = 8;

/**
 * Resolves `alias`, `user@alias:port` or a plain destination against the configuration, with values
 * given on the "command line" (user, port in the destination) winning over the file, as for ssh.
 * `Match exec` is never evaluated: resolving a name must not run commands.
 */
export function resolveSshHost(config: SshConfig, destination: string | Destination, options: ResolveOptions = {}): ResolvedSshHost {
  return resolveAt(config, destination, options, 0);
}

function resolveAt(config: SshConfig, destination: string | Destination, options: ResolveOptions, depth: number): ResolvedSshHost {
  const source = options.configFile ?? 'ssh config';
  if (depth > MAX_JUMP_DEPTH) throw new SshConfigError(source, l10n.t('ProxyJump chain longer than {0} hops (a loop?)', MAX_JUMP_DEPTH));
  const target = typeof destination === 'string' ? parseDestination(destination) : destination;
  const home = options.homeDir ?? homedir();
  const localUser = options.localUser ?? safeLocalUser();

  const computed = config.compute(
    target.user !== undefined ? { Host: target.host, User: target.user } : { Host: target.host },
    { ignoreCase: true, matchExec: false },
  );
  const one = (key: string): string | undefined => {
    const value = computed[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const many = (key: string): string[] => {
    const value = computed[key];
    if (value === undefined) return [];
    // ssh-config already splits multi-value directives (honouring quotes); a plain string is one value.
    return (Array.isArray(value) ? value : [value]).filter((v) => v.length > 0);
  };

  const hostName = expandHostName(one('hostname'), target.host, source);
  const user = target.user ?? one('user') ?? localUser;
  const port = target.port ?? parsePort(one('port'), source);
  const tokens: TokenValues = {
    homeDir: home,
    localUser,
    hostName,
    originalHost: target.host,
    remoteUser: user,
    port,
    localHostName: hostname(),
    uid: process.getuid?.(),
  };
  const path = (p: string): string => expandPath(p, tokens, source);

  const unsupported: string[] = [];
  // As ssh: `none` (exactly so) turns ProxyCommand off; anything else is a command to run.
  const proxyCommandValue = one('proxycommand');
  let proxyCommand: ProxyCommandSetting | undefined;
  if (proxyCommandValue !== undefined && proxyCommandValue !== 'none') {
    const locations = findDirectiveLines(options.sources ?? [], 'ProxyCommand')
      .filter((line) => line.value === proxyCommandValue)
      .map((line) => `${line.path}:${line.line}`);
    proxyCommand = { command: expandProxyCommand(proxyCommandValue, tokens, source), locations, configFile: options.configFile };
  }
  const identityAgent = one('identityagent');

  const jumpSpec = one('proxyjump');
  let proxyJump: ResolvedSshHost | undefined;
  if (jumpSpec !== undefined && jumpSpec.toLowerCase() !== 'none' && proxyCommand !== undefined) {
    // ssh uses whichever of the two it meets first; which one that is depends on the order of Host
    // blocks and Includes, and guessing wrong would go around the one the user meant.
    const where = proxyCommand.locations.length > 0 ? ` ${l10n.t('(ProxyCommand at {0})', proxyCommand.locations.join(', '))}` : '';
    throw new SshConfigError(source, l10n.t('{0} has both a ProxyJump and a ProxyCommand{1}: keep one of them (ProxyJump bastion is ProxyCommand ssh -W %h:%p bastion).', target.host, where));
  }
  if (jumpSpec !== undefined && jumpSpec.toLowerCase() !== 'none') {
    for (const hop of jumpSpec.split(',')) {
      let hopDestination: Destination;
      try {
        hopDestination = parseDestination(hop);
      } catch (error) {
        throw new SshConfigError(source, l10n.t('ProxyJump for {0}: {1}', target.host, error instanceof InvalidDestination ? error.reason : String(error)));
      }
      const resolved = resolveAt(config, hopDestination, options, depth + 1);
      // The first hop keeps its own ProxyJump from the file; each later hop goes through the one before.
      proxyJump = proxyJump === undefined ? resolved : { ...resolved, proxyJump };
    }
  }

  return {
    alias: target.host,
    hostName,
    port,
    user,
    identityFiles: many('identityfile').map(path),
    identitiesOnly: yesNo(one('identitiesonly'), false),
    identityAgent: identityAgent === undefined || identityAgent === 'SSH_AUTH_SOCK' ? undefined : identityAgent === 'none' ? 'none' : path(identityAgent),
    userKnownHostsFiles: (many('userknownhostsfile').length > 0 ? many('userknownhostsfile') : ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map(path),
    globalKnownHostsFiles: (many('globalknownhostsfile').length > 0 ? many('globalknownhostsfile') : ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']).map(path),
    strictHostKeyChecking: parseStrict(one('stricthostkeychecking'), source),
    hashKnownHosts: yesNo(one('hashknownhosts'), false),
    hostKeyAlias: one('hostkeyalias'),
    connectTimeoutMs: secondsToMs(one('connecttimeout'), 'ConnectTimeout', source),
    keepaliveIntervalMs: secondsToMs(one('serveraliveinterval'), 'ServerAliveInterval', source),
    keepaliveCountMax: optionalInt(one('serveralivecountmax'), 'ServerAliveCountMax', source),
    proxyJump,
    proxyCommand,
    unsupported,
  };
}

/**
 * The concrete `Host` names of a configuration, in file order, for "Import from SSH config": names
 * with wildcards or negations are patterns, not hosts, and are left out.
 */
export function listHostAliases(config: SshConfig): string[] {
  const aliases: string[] = [];
  for (const line of config) {
    if (!('param' in line) || line.param.toLowerCase() !== 'host') continue;
    const values = typeof line.value === 'string' ? line.value.split(/\s+/) : line.value.map((v) => v.val);
    for (const value of values) {
      if (value.length === 0 || /[*?!]/.test(value) || aliases.includes(value)) continue;
      try {
        parseDestination(value);
      } catch {
        continue; // not something one could connect to by name
      }
      aliases.push(value);
    }
  }
  return aliases;
}

/** The identity files ssh tries when the configuration names none (ssh(1) -i). */
export function defaultIdentityFiles(homeDir: string = homedir()): string[] {
  return ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_dsa'].map((n) => `${homeDir}/.ssh/${n}`);
}

function expandHostName(value: string | undefined, original: string, source: string): string {
  if (value === undefined) return original;
  const expanded = value.replace(/%(.)/g, (m, letter: string) => {
    if (letter === 'h') return original;
    if (letter === '%') return '%';
    throw new SshConfigError(source, l10n.t('the token {0} in HostName {1} is not supported', m, JSON.stringify(value)));
  });
  try {
    const parsed = parseDestination(expanded.includes(':') ? `[${expanded}]` : expanded);
    if (parsed.user !== undefined || parsed.port !== undefined) throw new Error('not a bare host');
    return parsed.host;
  } catch {
    throw new SshConfigError(source, l10n.t('HostName {0} is not a valid host name or address', JSON.stringify(value)));
  }
}

function parsePort(value: string | undefined, source: string): number {
  if (value === undefined) return 22;
  const port = Number(value);
  if (!/^[0-9]{1,5}$/.test(value) || port < 1 || port > 65535) throw new SshConfigError(source, l10n.t('Port {0} is not a port number', JSON.stringify(value)));
  return port;
}

function parseStrict(value: string | undefined, source: string): StrictHostKeyChecking {
  switch (value?.toLowerCase()) {
    case undefined:
    case 'ask':
      return 'ask';
    case 'yes':
    case 'true':
      return 'yes';
    case 'accept-new':
    case 'no':
    case 'off':
    case 'false':
      return 'accept-new';
    default:
      throw new SshConfigError(source, l10n.t('StrictHostKeyChecking {0} is not yes, no, ask or accept-new', JSON.stringify(value)));
  }
}

function yesNo(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return /^(yes|true)$/i.test(value);
}

function optionalInt(value: string | undefined, name: string, source: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,6}$/.test(value)) throw new SshConfigError(source, l10n.t('{0} {1} is not a whole number', name, JSON.stringify(value)));
  return Number(value);
}

function secondsToMs(value: string | undefined, name: string, source: string): number | undefined {
  const seconds = optionalInt(value, name, source);
  return seconds === undefined || seconds === 0 ? undefined : seconds * 1000;
}

function safeLocalUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}
