import type { HostSecretSubject, PassphraseSubject, SecretSubject } from '../ssh/secretSubject';
import type { ToolId } from '../history/historyLine';

/**
 * How a host is named and reached, and the questions the engine may have to ask the user while
 * connecting. The CLI answers them from flags and the terminal; the extension with modals and input
 * boxes (secrets only in SecretStorage).
 */
export interface HostTarget {
  /** `[user@]host[:port]` or a Host alias of the ssh config. */
  readonly destination: string;
  /** Shown to the user; defaults to the destination. */
  readonly label?: string | undefined;
  readonly sshConfigPath?: string | undefined;
  readonly knownHostsPath?: string | undefined;
  readonly identityFiles?: readonly string[] | undefined;
  /** Our chain's name (default PRE_DOCKER). */
  readonly chain?: string | undefined;
  /** Record an unknown host key without asking (OpenSSH's accept-new); a changed key is still refused. */
  readonly acceptNewHostKeys?: boolean | undefined;
  /** Docker's socket on the host (default /var/run/docker.sock). */
  readonly dockerSocket?: string | undefined;
  /** The program making changes, named in the host's history of changes; without it none is written. */
  readonly tool?: ToolId | undefined;
}

export interface UnknownHostKey {
  readonly host: string;
  readonly port: number;
  readonly keyType: string;
  /** `SHA256:…` as OpenSSH prints it. */
  readonly fingerprint: string;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface HostCallbacks {
  /** Resolve true to trust the key and record it in known_hosts; false refuses the connection. */
  readonly onUnknownHostKey?: ((key: UnknownHostKey) => Promise<boolean>) | undefined;
  /**
   * Questions for secrets. `subject` says exactly what the secret is for (the account at the address
   * connected to with its verified host key, or the key file by its public key): a saved secret is
   * looked up by it, so it is never offered to another machine or key.
   */
  readonly askPassword?:
    | ((prompt: { host: string; user: string; subject: HostSecretSubject; /** The server's keyboard-interactive prompt, if any. */ prompt?: string | undefined }) => Promise<string | undefined>)
    | undefined;
  readonly askPassphrase?: ((prompt: { keyPath: string; subject: PassphraseSubject }) => Promise<string | undefined>) | undefined;
  readonly askSudoPassword?: ((prompt: { host: string; user: string; subject: HostSecretSubject }) => Promise<string | undefined>) | undefined;
  /** The secret last given for `subject` worked (login, key, sudo): the time to offer remembering it. */
  readonly onSecretAccepted?: ((subject: SecretSubject) => void) | undefined;
  /**
   * Told, not asked: with accept-new (acceptNewHostKeys, or StrictHostKeyChecking accept-new or no in
   * the ssh config) an unknown key is recorded without a question, and the user must still hear of
   * it, as OpenSSH prints "Permanently added". Without this callback the notice goes to `log` (warn).
   */
  readonly onHostKeyAdded?: ((key: UnknownHostKey & { readonly knownHostsFile: string | undefined }) => void) | undefined;
  /** Never receives secrets. */
  readonly log?: ((level: LogLevel, message: string) => void) | undefined;
}
