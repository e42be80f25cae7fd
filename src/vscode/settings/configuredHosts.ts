import * as l10n from '@vscode/l10n';
import { DockerFirewallError } from '../../core/errors';
import { parseDestination } from '../../core/ssh/destination';

/** One entry of the `dockerFirewall.hosts` setting. */
export interface ConfiguredHost {
  /** Unique among the entries; the name shown in the tree and used in commands. */
  readonly name: string;
  /** `[user@]host[:port]` or a Host alias of the ssh config. */
  readonly destination: string;
  readonly identityFile?: string | undefined;
  /** A folder of the Hosts tree whose menu acts on every host in it (see hostGroups.ts). */
  readonly group?: string | undefined;
}

/** A group's name: shown as a folder label and in confirmations. */
export const MAX_GROUP_LENGTH = 100;

export interface ParsedConfiguredHosts {
  readonly hosts: readonly ConfiguredHost[];
  /** Entries left out, each with why: for the log, so a typo in settings.json is findable. */
  readonly problems: readonly string[];
}

/** Checks the setting's JSON at run time: settings.json can hold anything, whatever the schema says. */
export function parseConfiguredHosts(raw: unknown): ParsedConfiguredHosts {
  if (raw === undefined || raw === null) return { hosts: [], problems: [] };
  if (!Array.isArray(raw)) return { hosts: [], problems: ['dockerFirewall.hosts should be an array of {"name", "destination"} objects.'] };
  const hosts: ConfiguredHost[] = [];
  const problems: string[] = [];
  raw.forEach((item: unknown, index) => {
    const where = `dockerFirewall.hosts[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${where} is not an object with "name" and "destination".`);
      return;
    }
    const record = item as Record<string, unknown>;
    const destination = typeof record.destination === 'string' ? record.destination.trim() : '';
    // For the log, in English (destinationProblem words it for an input box).
    const problem = destination === '' ? 'Give a destination such as deploy@203.0.113.7, deploy@server:2222 or an ssh config Host alias.' : parseProblem(destination);
    if (problem !== undefined) {
      problems.push(`${where}: ${problem}`);
      return;
    }
    const name = typeof record.name === 'string' && record.name.trim() !== '' ? record.name.trim() : destination;
    if (hosts.some((h) => h.name === name)) {
      problems.push(`${where}: another host is already named "${name}"; this one is left out.`);
      return;
    }
    const identityFile = typeof record.identityFile === 'string' && record.identityFile.trim() !== '' ? record.identityFile.trim() : undefined;
    const group = groupOf(record.group, where, problems);
    hosts.push({ name, destination, ...(identityFile !== undefined ? { identityFile } : {}), ...(group !== undefined ? { group } : {}) });
  });
  return { hosts, problems };
}

/** The entry's group, or undefined (none, or one that cannot be used: then the host is shown outside any group, and why is logged). */
function groupOf(value: unknown, where: string, problems: string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    problems.push(`${where}.group should be a text such as "production"; the host is shown outside any group.`);
    return undefined;
  }
  const group = value.trim();
  if (group === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (group.length > MAX_GROUP_LENGTH || /[\u0000-\u001f\u007f]/.test(group)) {
    problems.push(`${where}.group should be at most ${MAX_GROUP_LENGTH} characters on one line; the host is shown outside any group.`);
    return undefined;
  }
  return group;
}

/** Why a destination cannot be used, or undefined when it can, for an input box. */
export function destinationProblem(destination: string): string | undefined {
  if (destination.trim() === '') return l10n.t('Give a destination such as deploy@203.0.113.7, deploy@server:2222 or an ssh config Host alias.');
  return parseProblem(destination);
}

/** The parser's reason a destination cannot be used (core's message), or undefined. */
function parseProblem(destination: string): string | undefined {
  try {
    parseDestination(destination.trim());
    return undefined;
  } catch (error) {
    return error instanceof DockerFirewallError ? error.message : String(error);
  }
}

/** Why a new host cannot take this name, or undefined. */
export function hostNameProblem(name: string, existing: readonly ConfiguredHost[]): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return l10n.t('Give the host a name.');
  if (trimmed.length > 100) return l10n.t('Use a name of at most 100 characters.');
  if (existing.some((h) => h.name === trimmed)) return l10n.t('A host named "{0}" already exists.', trimmed);
  return undefined;
}

/** A name not taken yet: the wanted one, else with " (2)", " (3)"… */
export function uniqueHostName(wanted: string, existing: readonly ConfiguredHost[]): string {
  const taken = new Set(existing.map((h) => h.name));
  if (!taken.has(wanted)) return wanted;
  for (let n = 2; ; n++) if (!taken.has(`${wanted} (${n})`)) return `${wanted} (${n})`;
}

/** The setting's JSON for these entries (identityFile and group only when there is one). */
export function configuredHostsJson(hosts: readonly ConfiguredHost[]): Record<string, string>[] {
  return hosts.map((h) => ({
    name: h.name,
    destination: h.destination,
    ...(h.identityFile !== undefined ? { identityFile: h.identityFile } : {}),
    ...(h.group !== undefined ? { group: h.group } : {}),
  }));
}
