import * as l10n from '@vscode/l10n';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { SshConfigError } from '../errors';
import { parseSshConfig, type SshConfig } from './sshConfigPackage';

/**
 * Reading OpenSSH client configuration files. The ssh-config package parses one text and computes a
 * host's settings, but does not follow `Include`; this module inlines included files first so that
 * the computed settings are those ssh would use.
 */
export interface LoadedSshConfig {
  readonly config: SshConfig;
  /** Files actually read, in order (for messages and for watching). */
  readonly files: readonly string[];
  /** Those files' texts, to say in which file and line a directive was found. */
  readonly sources: readonly ConfigSource[];
}

export interface ConfigSource {
  readonly path: string;
  readonly text: string;
}

/** One directive line of a configuration file, as `file:line` names it. */
export interface DirectiveLine {
  readonly path: string;
  /** 1-based. */
  readonly line: number;
  /** The value as written, without surrounding double quotes. */
  readonly value: string;
}

export interface LoadOptions {
  /** Default ~/.ssh/config; a missing file is an empty one. */
  readonly userConfig?: string | undefined;
  /** Read after the user's file, so the user's values win as they do for ssh. None by default. */
  readonly systemConfig?: string | undefined;
  readonly homeDir?: string | undefined;
}

const MAX_INCLUDE_DEPTH = 16;

export async function loadSshConfig(options: LoadOptions = {}): Promise<LoadedSshConfig> {
  const home = options.homeDir ?? homedir();
  const sources: ConfigSource[] = [];
  const userPath = options.userConfig ?? join(home, '.ssh', 'config');
  let text = await inlineIncludes(userPath, join(home, '.ssh'), home, sources, 0);
  if (options.systemConfig !== undefined) {
    // "Host *" ends any section the user's file left open, so the system file is read at top level.
    text += `\nHost *\n${await inlineIncludes(options.systemConfig, dirname(options.systemConfig), home, sources, 0)}`;
  }
  return { config: parseSshConfig(text), files: sources.map((s) => s.path), sources };
}

const DIRECTIVE = /^\s*(\w+)(?:\s*=\s*|\s+)(.*?)\s*$/;

/** Every line of the sources that sets `keyword` (any case), in reading order. */
export function findDirectiveLines(sources: readonly ConfigSource[], keyword: string): DirectiveLine[] {
  const found: DirectiveLine[] = [];
  for (const source of sources) {
    source.text.split(/\r?\n/).forEach((text, index) => {
      const directive = DIRECTIVE.exec(text);
      if (directive?.[1]?.toLowerCase() !== keyword.toLowerCase()) return;
      const raw = directive[2] ?? '';
      const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
      found.push({ path: source.path, line: index + 1, value });
    });
  }
  return found;
}

/** Parses configuration text that has no Include lines to follow (tests, settings). */
export function parseSshConfigText(text: string): SshConfig {
  return parseSshConfig(text);
}

async function inlineIncludes(path: string, relativeTo: string, home: string, sources: ConfigSource[], depth: number): Promise<string> {
  if (depth > MAX_INCLUDE_DEPTH) throw new SshConfigError(path, l10n.t('Include nested more than {0} deep (a loop?)', MAX_INCLUDE_DEPTH));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return '';
    throw new SshConfigError(path, l10n.t('cannot be read: {0}', error instanceof Error ? error.message : String(error)));
  }
  sources.push({ path, text });
  const out: string[] = [];
  // The Host/Match line whose section we are in, restored after an included file that may have
  // opened sections of its own (ssh evaluates an Include inside a section under that section).
  let sectionHeader = 'Host *';
  for (const line of text.split(/\r?\n/)) {
    const directive = DIRECTIVE.exec(line);
    const keyword = directive?.[1]?.toLowerCase();
    if (keyword === 'host' || keyword === 'match') sectionHeader = line.trim();
    if (keyword !== 'include' || directive?.[2] === undefined) {
      out.push(line);
      continue;
    }
    for (const pattern of splitWords(directive[2])) {
      const expanded = pattern.startsWith('~/') ? join(home, pattern.slice(2)) : pattern;
      const absolute = isAbsolute(expanded) ? expanded : join(relativeTo, expanded);
      for (const file of await expandGlob(absolute)) {
        out.push(await inlineIncludes(file, relativeTo, home, sources, depth + 1));
      }
    }
    out.push(sectionHeader);
  }
  return out.join('\n');
}

/** Whitespace-separated words, honouring double quotes as ssh does. */
function splitWords(value: string): string[] {
  const words: string[] = [];
  for (const match of value.matchAll(/"([^"]*)"|(\S+)/g)) words.push(match[1] ?? match[2] ?? '');
  return words.filter((w) => w.length > 0);
}

/** Wildcards are honoured in the last path component only, which covers `config.d/*` and `*.conf`. */
async function expandGlob(path: string): Promise<string[]> {
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  const dir = dirname(path);
  if (/[*?]/.test(dir)) throw new SshConfigError(path, l10n.t('wildcards are only supported in the file name of an Include'));
  const regex = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  return names
    .filter((n) => regex.test(n) && !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n));
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}
