import type { HostSecretSubject, PassphraseSubject, SecretSubject } from './secretSubject';
import type { ResolvedSshHost, StrictHostKeyChecking } from './sshConfig';

export type SshLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Receives progress and diagnostics; never a password, passphrase or key. */
export type SshLogger = (level: SshLogLevel, message: string) => void;

export interface HostKeyInfo {
  /** The name looked up in known_hosts (HostKeyAlias or HostName). */
  readonly host: string;
  readonly port: number;
  readonly keyType: string;
  /** `SHA256:…` as OpenSSH prints it. */
  readonly fingerprint: string;
  /** Where the key will be recorded if accepted; undefined when it cannot be (only /dev/null). */
  readonly knownHostsFile: string | undefined;
}

export interface PasswordRequest {
  readonly host: string;
  readonly user: string;
  /** The server's own prompt (keyboard-interactive), when it sent one. */
  readonly prompt?: string | undefined;
  /** 1 for the first ask, 2 after a refusal… */
  readonly attempt: number;
  /** The account and the verified host key the password would go to. */
  readonly subject: HostSecretSubject;
}

export interface PassphraseRequest {
  readonly keyPath: string;
  readonly attempt: number;
  /** The key (by its public half) the passphrase would open. */
  readonly subject: PassphraseSubject;
}

export interface SudoPasswordRequest {
  readonly host: string;
  readonly user: string;
  readonly attempt: number;
  /** The account and the verified host key the password would go to. */
  readonly subject: HostSecretSubject;
}

/**
 * Questions the session may have to ask while connecting or running a command. Each resolves to
 * undefined (or false) when the user declines; a missing callback is a refusal.
 */
export interface SshCallbacks {
  /** Resolve true to trust the key and record it in known_hosts; false refuses the connection. */
  readonly onUnknownHostKey?: ((info: HostKeyInfo) => Promise<boolean>) | undefined;
  readonly askPassword?: ((request: PasswordRequest) => Promise<string | undefined>) | undefined;
  readonly askPassphrase?: ((request: PassphraseRequest) => Promise<string | undefined>) | undefined;
  readonly askSudoPassword?: ((request: SudoPasswordRequest) => Promise<string | undefined>) | undefined;
  /**
   * The answer last given for this subject was accepted: the login succeeded with the password, the
   * key opened with the passphrase, sudo ran a command with the password. Only then is a secret
   * worth remembering. Told once per answer; never given the secret itself.
   */
  readonly onSecretAccepted?: ((subject: SecretSubject) => void) | undefined;
  readonly logger?: SshLogger | undefined;
}

export interface SshSessionOptions extends SshCallbacks {
  /** Address or DNS name to connect to. */
  readonly host: string;
  readonly port?: number | undefined;
  readonly user: string;
  /** Name used in messages (the alias the user knows); defaults to host. */
  readonly label?: string | undefined;
  /** Name to look up in known_hosts instead of host (then without the port), as ssh's HostKeyAlias. */
  readonly hostKeyAlias?: string | undefined;
  /** Private key files to offer, in order; missing ones are skipped. */
  readonly identityFiles?: readonly string[] | undefined;
  /** ssh-agent socket; default SSH_AUTH_SOCK; false for none. */
  readonly agent?: string | false | undefined;
  /** Files to read; new keys are recorded in the first. Default ~/.ssh/known_hosts. */
  readonly knownHostsFiles?: readonly string[] | undefined;
  /** Read but never written. */
  readonly globalKnownHostsFiles?: readonly string[] | undefined;
  /** Default 'ask': an unknown key goes to onUnknownHostKey. A changed key is always refused. */
  readonly strictHostKeyChecking?: StrictHostKeyChecking | undefined;
  /** Record accepted keys with a hashed host name. Default false. */
  readonly hashKnownHosts?: boolean | undefined;
  /** TCP connect plus SSH handshake and login, not counting time spent waiting for the user. Default 15 s. */
  readonly connectTimeoutMs?: number | undefined;
  /** SSH keepalive; the connection is dropped after keepaliveCountMax unanswered ones. Default 15 s × 3. */
  readonly keepaliveIntervalMs?: number | undefined;
  readonly keepaliveCountMax?: number | undefined;
  /** Commands (and dial-stdio streams) running at once; more wait. Keep below the server's MaxSessions. Default 8. */
  readonly maxSessionChannels?: number | undefined;
  /** Host to go through (ProxyJump): opened first, then a direct-tcpip channel to host:port. */
  readonly jump?: SshSessionOptions | undefined;
  /** A command run here (`sh -c`) whose standard input and output carry the connection instead of TCP (ProxyCommand). */
  readonly proxyCommand?: string | undefined;
}

/** Session options for a host resolved from an ssh config; the callbacks apply to its jump hosts too. */
export function sessionOptionsFromConfig(resolved: ResolvedSshHost, callbacks: SshCallbacks = {}): SshSessionOptions {
  return optionsFor(resolved, callbacks);
}

function optionsFor(resolved: ResolvedSshHost, callbacks: SshCallbacks): SshSessionOptions {
  let agent: string | false | undefined;
  if (resolved.identityAgent === 'none') agent = false;
  else if (resolved.identityAgent !== undefined) agent = resolved.identityAgent;
  return {
    ...callbacks,
    host: resolved.hostName,
    port: resolved.port,
    user: resolved.user,
    label: resolved.alias,
    hostKeyAlias: resolved.hostKeyAlias,
    identityFiles: resolved.identityFiles.length > 0 ? resolved.identityFiles : undefined,
    agent: resolved.identitiesOnly && agent === undefined ? false : agent,
    knownHostsFiles: resolved.userKnownHostsFiles,
    globalKnownHostsFiles: resolved.globalKnownHostsFiles,
    strictHostKeyChecking: resolved.strictHostKeyChecking,
    hashKnownHosts: resolved.hashKnownHosts,
    connectTimeoutMs: resolved.connectTimeoutMs,
    keepaliveIntervalMs: resolved.keepaliveIntervalMs,
    keepaliveCountMax: resolved.keepaliveCountMax,
    jump: resolved.proxyJump === undefined ? undefined : optionsFor(resolved.proxyJump, callbacks),
    proxyCommand: resolved.proxyCommand?.command,
  };
}
