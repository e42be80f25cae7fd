import type * as vscode from 'vscode';

export type SecretKind = 'password' | 'passphrase' | 'sudo';

const INDEX_KEY = 'dockerFirewall.secretKeys';

/**
 * Passwords and passphrases, only ever in VS Code's SecretStorage (the OS keychain). SecretStorage
 * cannot list its keys, so the keys stored for each host are kept in globalState (keys only, never
 * values) to forget them all when the host is removed or a login is refused.
 */
export class HostSecrets {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  get(hostName: string, kind: SecretKind, subject: string): Thenable<string | undefined> {
    return this.secrets.get(secretKey(hostName, kind, subject));
  }

  async store(hostName: string, kind: SecretKind, subject: string, value: string): Promise<void> {
    const key = secretKey(hostName, kind, subject);
    await this.secrets.store(key, value);
    const index = this.index();
    const keys = new Set(index[hostName] ?? []);
    keys.add(key);
    await this.state.update(INDEX_KEY, { ...index, [hostName]: [...keys] });
  }

  async delete(hostName: string, kind: SecretKind, subject: string): Promise<void> {
    await this.secrets.delete(secretKey(hostName, kind, subject));
  }

  async forget(hostName: string): Promise<void> {
    const index = this.index();
    await Promise.all((index[hostName] ?? []).map((key) => this.secrets.delete(key)));
    const { [hostName]: _removed, ...rest } = index;
    await this.state.update(INDEX_KEY, rest);
  }

  private index(): Record<string, string[]> {
    const value = this.state.get<unknown>(INDEX_KEY);
    if (typeof value !== 'object' || value === null) return {};
    const index: Record<string, string[]> = {};
    for (const [host, keys] of Object.entries(value as Record<string, unknown>)) {
      if (Array.isArray(keys)) index[host] = keys.filter((k): k is string => typeof k === 'string');
    }
    return index;
  }
}

function secretKey(hostName: string, kind: SecretKind, subject: string): string {
  return `dockerFirewall:${JSON.stringify([hostName, kind, subject])}`;
}
