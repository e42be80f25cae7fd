import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sha256Fingerprint } from './hostKey';

/**
 * What a secret is for, exactly: a password or sudo password belongs to one account on one machine,
 * named by the login, the address actually connected to and the host key that machine proved it
 * holds; a passphrase belongs to one key. A saved secret is looked up by its subject, so it is never
 * offered to another machine after a host entry, its ssh config or the host's key changes.
 */
export type SecretSubject = HostSecretSubject | PassphraseSubject;

export interface HostSecretSubject {
  /** `password`: the SSH login; `sudo`: sudo on that host. */
  readonly kind: 'password' | 'sudo';
  readonly user: string;
  /** The address or name connected to (HostName after the ssh config), not an alias. */
  readonly hostName: string;
  readonly port: number;
  /** `SHA256:…` of the host key the connection verified. */
  readonly hostKey: string;
}

export interface PassphraseSubject {
  readonly kind: 'passphrase';
  readonly keyPath: string;
  /** `SHA256:…` of the key's public half (or, when the file does not say, `file SHA256:…` of the file). */
  readonly publicKey: string;
}

/** `user@host:port`, with brackets around an IPv6 address. */
export function destinationOf(user: string, hostName: string, port: number): string {
  return `${user}@${hostName.includes(':') ? `[${hostName}]` : hostName}:${port}`;
}

/** What the secret is for, as a person reads it: `deploy@203.0.113.7:22 (SHA256:…)`, `the key ~/.ssh/id (SHA256:…)`. */
export function describeSecretSubject(subject: SecretSubject): string {
  if (subject.kind === 'passphrase') return `the key ${subject.keyPath} (${subject.publicKey})`;
  return `${destinationOf(subject.user, subject.hostName, subject.port)} (${subject.hostKey})`;
}

/** One stable text per subject; equal exactly when every field is (each field apart, so none can run into the next). */
export function secretSubjectId(subject: SecretSubject): string {
  if (subject.kind === 'passphrase') return JSON.stringify(['passphrase', subject.keyPath, subject.publicKey]);
  return JSON.stringify([subject.kind, subject.user, subject.hostName, subject.port, subject.hostKey]);
}

/**
 * The public key of a private key file, without its passphrase: an OpenSSH-format file carries the
 * public key in the clear ahead of the encrypted part; for other formats the `.pub` file beside it
 * is read, and failing that the file's own digest stands in (a changed file is then another key).
 */
export async function publicKeyOfKeyFile(path: string, data: Buffer): Promise<string> {
  const fromFile = openSshPublicBlob(data);
  if (fromFile !== undefined) return sha256Fingerprint(fromFile);
  try {
    const blob = Buffer.from((await readFile(`${path}.pub`, 'utf8')).trim().split(/\s+/)[1] ?? '', 'base64');
    if (blob.length > 0) return sha256Fingerprint(blob);
  } catch {
    // No .pub beside it: the file's digest below.
  }
  return `file SHA256:${createHash('sha256').update(data).digest('base64').replace(/=+$/, '')}`;
}

const OPENSSH_BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const OPENSSH_END = '-----END OPENSSH PRIVATE KEY-----';
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

/** The first public key blob of an `openssh-key-v1` file (PROTOCOL.key), or undefined. */
function openSshPublicBlob(data: Buffer): Buffer | undefined {
  const text = data.toString('latin1');
  const begin = text.indexOf(OPENSSH_BEGIN);
  const end = text.indexOf(OPENSSH_END);
  if (begin === -1 || end <= begin) return undefined;
  const body = Buffer.from(text.slice(begin + OPENSSH_BEGIN.length, end).replace(/\s+/g, ''), 'base64');
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  let offset = MAGIC.length;
  const string = (): Buffer | undefined => {
    if (offset + 4 > body.length) return undefined;
    const length = body.readUInt32BE(offset);
    if (offset + 4 + length > body.length) return undefined;
    const value = body.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return value;
  };
  // ciphername, kdfname, kdfoptions, then the number of keys and the first public key.
  if (string() === undefined || string() === undefined || string() === undefined) return undefined;
  if (offset + 4 > body.length || body.readUInt32BE(offset) < 1) return undefined;
  offset += 4;
  const blob = string();
  return blob !== undefined && blob.length > 0 ? blob : undefined;
}
