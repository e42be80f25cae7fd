import type * as vscode from 'vscode';
import { destinationOf, secretSubjectId, type SecretSubject } from '../../core/ssh/secretSubject';

/**
 * Saved passwords and passphrases, only ever in VS Code's SecretStorage (the OS keychain), each under
 * its subject: the account at the address connected to with the host key it proved
 * (`deploy@203.0.113.7:22` + `SHA256:…`), or a key file by its public key. A secret is therefore
 * never offered to another machine, whatever becomes of the host entry or the ssh config.
 *
 * SecretStorage cannot list its keys, so an index in globalState (subjects only, never values) says
 * which secrets were saved while using which host entry, to forget them with the entry.
 */

const INDEX_KEY = 'dockerFirewall.secretIndex';
/** Before 0.2.0 secrets were saved under the entry's name; they are dropped, not migrated (see CHANGELOG). */
const LEGACY_INDEX_KEY = 'dockerFirewall.secretKeys';

/** One saved secret as the index keeps it: its storage key, and for a host secret the account it is for. */
export interface SecretRecord {
  readonly key: string;
  /** `user@host:port` for a password or sudo password; undefined for a passphrase. */
  readonly destination?: string | undefined;
}

/** Saved secrets by host entry name. */
export type SecretIndex = Readonly<Record<string, readonly SecretRecord[]>>;

/** The SecretStorage key of a subject. */
export function secretStorageKey(subject: SecretSubject): string {
  return `dockerFirewall.secret:${secretSubjectId(subject)}`;
}

export function recordOf(subject: SecretSubject): SecretRecord {
  if (subject.kind === 'passphrase') return { key: secretStorageKey(subject) };
  return { key: secretStorageKey(subject), destination: destinationOf(subject.user, subject.hostName, subject.port) };
}

/** The index with `subject` recorded under `entryName` (once). */
export function indexWith(index: SecretIndex, entryName: string, subject: SecretSubject): SecretIndex {
  const record = recordOf(subject);
  const records = index[entryName] ?? [];
  if (records.some((r) => r.key === record.key)) return index;
  return { ...index, [entryName]: [...records, record] };
}

/** The index without the given storage keys, under any entry; entries left empty are dropped. */
export function indexWithout(index: SecretIndex, keys: ReadonlySet<string>): SecretIndex {
  const result: Record<string, readonly SecretRecord[]> = {};
  for (const [name, records] of Object.entries(index)) {
    const kept = records.filter((r) => !keys.has(r.key));
    if (kept.length > 0) result[name] = kept;
  }
  return result;
}

/**
 * What removing a host entry forgets: every secret saved while using it, and every saved password
 * for the accounts its target resolves to now (`destinations`, the host and its ProxyJump hops),
 * whichever entry saved it.
 */
export function secretsToForget(index: SecretIndex, entryName: string, destinations: readonly string[]): string[] {
  const keys = new Set((index[entryName] ?? []).map((r) => r.key));
  for (const records of Object.values(index)) {
    for (const r of records) if (r.destination !== undefined && destinations.includes(r.destination)) keys.add(r.key);
  }
  return [...keys];
}

/** The index as stored, with anything malformed left out (globalState is JSON that anyone may edit). */
export function parseSecretIndex(value: unknown): SecretIndex {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const index: Record<string, SecretRecord[]> = {};
  for (const [name, records] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(records)) continue;
    const valid = records.flatMap((r: unknown): SecretRecord[] => {
      if (typeof r !== 'object' || r === null) return [];
      const { key, destination } = r as { key?: unknown; destination?: unknown };
      if (typeof key !== 'string' || !key.startsWith('dockerFirewall.secret:')) return [];
      return [{ key, destination: typeof destination === 'string' ? destination : undefined }];
    });
    if (valid.length > 0) index[name] = valid;
  }
  return index;
}

export class HostSecrets {
  constructor(
    private readonly secrets: Pick<vscode.SecretStorage, 'get' | 'store' | 'delete'>,
    private readonly state: Pick<vscode.Memento, 'get' | 'update'>,
  ) {}

  get(subject: SecretSubject): Thenable<string | undefined> {
    return this.secrets.get(secretStorageKey(subject));
  }

  /** Saves a secret that has just been accepted, recording it under the host entry it was used for. */
  async remember(entryName: string, subject: SecretSubject, value: string): Promise<void> {
    await this.secrets.store(secretStorageKey(subject), value);
    await this.state.update(INDEX_KEY, indexWith(this.index(), entryName, subject));
  }

  /** Forgets one secret (refused when it was offered). */
  async delete(subject: SecretSubject): Promise<void> {
    const key = secretStorageKey(subject);
    await this.secrets.delete(key);
    await this.state.update(INDEX_KEY, indexWithout(this.index(), new Set([key])));
  }

  /** Forgets what secretsToForget names for the entry; returns how many secrets that was. */
  async forget(entryName: string, destinations: readonly string[] = []): Promise<number> {
    const index = this.index();
    const keys = secretsToForget(index, entryName, destinations);
    await Promise.all(keys.map((key) => this.secrets.delete(key)));
    const { [entryName]: _removed, ...rest } = indexWithout(index, new Set(keys));
    await this.state.update(INDEX_KEY, rest);
    return keys.length;
  }

  /** Deletes the secrets saved under host entry names before 0.2.0; returns how many there were. */
  async dropLegacy(): Promise<number> {
    const legacy = this.state.get<unknown>(LEGACY_INDEX_KEY);
    if (legacy === undefined) return 0;
    const keys = new Set<string>();
    if (typeof legacy === 'object' && legacy !== null) {
      for (const list of Object.values(legacy as Record<string, unknown>)) {
        if (Array.isArray(list)) for (const key of list) if (typeof key === 'string' && key.startsWith('dockerFirewall:')) keys.add(key);
      }
    }
    await Promise.all([...keys].map((key) => this.secrets.delete(key)));
    await this.state.update(LEGACY_INDEX_KEY, undefined);
    return keys.size;
  }

  private index(): SecretIndex {
    return parseSecretIndex(this.state.get<unknown>(INDEX_KEY));
  }
}
