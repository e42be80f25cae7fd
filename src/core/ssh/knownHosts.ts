import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { keyTypeOfBlob } from './hostKey';

/**
 * OpenSSH's known_hosts, read the way sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT" describes it: one key per
 * line, `[marker] hostpatterns keytype base64-key [comment]`, host patterns either a comma list with
 * `*`, `?` and `!negation`, `[host]:port` for a port other than 22, or one hashed `|1|salt|hash` name.
 */
export type KnownHostMarker = 'revoked' | 'cert-authority';

export interface KnownHostEntry {
  /** File the line came from (for messages such as "remove line 7 of ~/.ssh/known_hosts"). */
  readonly source: string;
  /** 1-based line number. */
  readonly line: number;
  readonly marker?: KnownHostMarker | undefined;
  /** Plain patterns, lower-cased; absent for a hashed entry. */
  readonly patterns?: readonly string[] | undefined;
  /** HMAC-SHA1 hashed host name; absent for a plain entry. */
  readonly hashed?: { readonly salt: Buffer; readonly hash: Buffer } | undefined;
  readonly keyType: string;
  /** The raw public key blob (SSH wire format), compared byte for byte. */
  readonly key: Buffer;
  readonly comment?: string | undefined;
}

export interface SkippedLine {
  readonly source: string;
  readonly line: number;
  readonly reason: string;
}

export interface KnownHosts {
  readonly entries: readonly KnownHostEntry[];
  /** Lines that are neither comments nor valid entries; OpenSSH ignores them too. */
  readonly skipped: readonly SkippedLine[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function parseKnownHosts(text: string, source = 'known_hosts'): KnownHosts {
  const entries: KnownHostEntry[] = [];
  const skipped: SkippedLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed.length === 0 || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/[ \t]+/);
    let marker: KnownHostMarker | undefined;
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else {
        skipped.push({ source, line, reason: `unknown marker ${name}` });
        return;
      }
    }
    const [hostField, keyType, keyText, ...commentWords] = fields;
    if (hostField === undefined || keyType === undefined || keyText === undefined) {
      skipped.push({ source, line, reason: 'fewer than three fields' });
      return;
    }
    if (!BASE64.test(keyText)) {
      skipped.push({ source, line, reason: 'the key is not base64' });
      return;
    }
    const key = Buffer.from(keyText, 'base64');
    if (keyTypeOfBlob(key) !== keyType) {
      skipped.push({ source, line, reason: `the key is not of type ${keyType}` });
      return;
    }
    const comment = commentWords.length > 0 ? commentWords.join(' ') : undefined;
    if (hostField.startsWith('|')) {
      const hashed = parseHashedName(hostField);
      if (hashed === undefined) {
        skipped.push({ source, line, reason: 'malformed hashed host name' });
        return;
      }
      entries.push({ source, line, marker, hashed, keyType, key, comment });
    } else {
      const patterns = hostField.toLowerCase().split(',').filter((p) => p.length > 0);
      entries.push({ source, line, marker, patterns, keyType, key, comment });
    }
  });
  return { entries, skipped };
}

function parseHashedName(field: string): KnownHostEntry['hashed'] {
  const parts = field.split('|');
  // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return undefined;
  const [salt, hash] = [parts[2] ?? '', parts[3] ?? ''];
  if (!BASE64.test(salt) || !BASE64.test(hash)) return undefined;
  const saltBytes = Buffer.from(salt, 'base64');
  const hashBytes = Buffer.from(hash, 'base64');
  if (saltBytes.length !== 20 || hashBytes.length !== 20) return undefined;
  return { salt: saltBytes, hash: hashBytes };
}

/** The name OpenSSH looks up and records: `host`, or `[host]:port` when the port is not 22. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

export function hashHostName(name: string, salt: Buffer): Buffer {
  return createHmac('sha1', salt).update(name).digest();
}

/** Whether an entry's host field names this host and port (negations win, as in OpenSSH). */
export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hashed !== undefined) {
    const candidate = hashHostName(name, entry.hashed.salt);
    return timingSafeEqual(candidate, entry.hashed.hash);
  }
  let matched = false;
  for (const pattern of entry.patterns ?? []) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** OpenSSH's match_pattern: `*` any run of characters, `?` exactly one, everything else literal. */
function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '*') {
      starP = p++;
      starT = t;
    } else if (pc !== undefined && (pc === '?' || pc === text[t])) {
      p++;
      t++;
    } else if (starP !== -1) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

export type HostKeyVerdict =
  /** A plain entry for this host holds exactly this key. */
  | { readonly kind: 'trusted'; readonly entry: KnownHostEntry }
  /** An `@revoked` line for this host holds this key: refuse, whatever else says. */
  | { readonly kind: 'revoked'; readonly entry: KnownHostEntry }
  /** Entries exist for this host, none with this key: refuse (possible man-in-the-middle). */
  | { readonly kind: 'changed'; readonly known: readonly KnownHostEntry[] }
  /** Nothing is known about this host. */
  | { readonly kind: 'unknown' };

/**
 * Decides on the key a host presented. `@cert-authority` lines are not honoured as trust (ssh2 does
 * not negotiate host certificates, so a plain key is all we ever see) and do not count as "known".
 * A host for which only keys of another type are known is treated as changed, not unknown: ssh2 is
 * asked to prefer the known types (see orderHostKeyAlgorithms), so a host that no longer offers them
 * has changed its keys.
 */
export function verifyHostKey(entries: readonly KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && entryMatchesHost(e, host, port));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked !== undefined) return { kind: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === undefined);
  const trusted = plain.find((e) => e.key.equals(key));
  if (trusted !== undefined) return { kind: 'trusted', entry: trusted };
  if (plain.length > 0) return { kind: 'changed', known: plain };
  return { kind: 'unknown' };
}

/** Key types that known_hosts holds for this host, in file order, without duplicates. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const types = entries.filter((e) => e.marker === undefined && entryMatchesHost(e, host, port)).map((e) => e.keyType);
  return [...new Set(types)];
}

export interface FormatOptions {
  /** Write `|1|salt|hash` instead of the name (OpenSSH's HashKnownHosts). */
  readonly hashed: boolean;
  /** For tests: a fixed 20-byte salt. */
  readonly salt?: Buffer | undefined;
  readonly comment?: string | undefined;
}

/** One known_hosts line (without the newline) for this host, port and key. */
export function formatKnownHostsLine(host: string, port: number, key: Buffer, options: FormatOptions): string {
  const keyType = keyTypeOfBlob(key);
  if (keyType === undefined) throw new Error('not an SSH public key blob');
  const name = knownHostsName(host, port);
  let hostField = name;
  if (options.hashed) {
    const salt = options.salt ?? randomBytes(20);
    if (salt.length !== 20) throw new Error('a known_hosts salt has 20 bytes');
    hostField = `|1|${salt.toString('base64')}|${hashHostName(name, salt).toString('base64')}`;
  }
  const comment = options.comment !== undefined && /^[\x20-\x7e]+$/.test(options.comment) ? ` ${options.comment}` : '';
  return `${hostField} ${keyType} ${key.toString('base64')}${comment}`;
}

/** Reads and parses every file that exists; a missing file is an empty one, as for OpenSSH. */
export async function readKnownHostsFiles(paths: readonly string[]): Promise<KnownHosts> {
  const entries: KnownHostEntry[] = [];
  const skipped: SkippedLine[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isMissingFile(error)) continue;
      throw error;
    }
    const parsed = parseKnownHosts(text, path);
    entries.push(...parsed.entries);
    skipped.push(...parsed.skipped);
  }
  return { entries, skipped };
}

/**
 * Appends one line, creating the file (0600) and its folder (0700) as ssh does, and adding the
 * missing newline at the end of a hand-edited file first so the new entry does not join its last line.
 */
export async function appendKnownHostsLine(path: string, line: string): Promise<void> {
  if (line.includes('\n')) throw new Error('a known_hosts line cannot contain a newline');
  let prefix = '';
  try {
    const current = await readFile(path);
    if (current.length > 0 && current[current.length - 1] !== 0x0a) prefix = '\n';
  } catch (error) {
    if (!isMissingFile(error)) throw error;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  }
  await appendFile(path, `${prefix}${line}\n`, { mode: 0o600 });
}

function isMissingFile(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}
