import { DockerFirewallError, HostKeyMismatch, HostKeyRevoked, HostKeyUnknown } from '../errors';
import { keyTypeOfBlob, sha256Fingerprint } from './hostKey';
import { appendKnownHostsLine, formatKnownHostsLine, verifyHostKey, type KnownHostEntry } from './knownHosts';
import type { StrictHostKeyChecking } from './sshConfig';
import type { HostKeyInfo, SshLogger } from './sshSessionOptions';

export interface HostKeyPolicy {
  /** Name and port as looked up in known_hosts. */
  readonly host: string;
  readonly port: number;
  readonly entries: readonly KnownHostEntry[];
  /** Where an accepted key is recorded; undefined to never record. */
  readonly recordIn: string | undefined;
  readonly hashed: boolean;
  readonly strict: StrictHostKeyChecking;
  readonly onUnknownHostKey?: ((info: HostKeyInfo) => Promise<boolean>) | undefined;
  readonly logger?: SshLogger | undefined;
  /** Called around the wait for the user, so the connect timeout does not run meanwhile. */
  readonly pauseTimer: () => () => void;
}

export interface HostKeyCheck {
  /** For ssh2's `hostVerifier`: raw key blob in, verdict out (asynchronously). */
  readonly verifier: (key: Buffer, verify: (accept: boolean) => void) => void;
  /** Why the key was refused, once it has been. */
  readonly refusal: () => DockerFirewallError | undefined;
  /** `SHA256:…` of the key, once it has been accepted. */
  readonly accepted: () => string | undefined;
}

/**
 * Host key verification for one connection attempt. ssh2 accepts any key unless told otherwise, so
 * this runs on every connection: a known key passes, a changed or revoked one is refused, an unknown
 * one is refused unless the policy or the user accepts it, in which case it is recorded first.
 */
export function createHostKeyCheck(policy: HostKeyPolicy): HostKeyCheck {
  let refusal: DockerFirewallError | undefined;
  let accepted: string | undefined;
  const verifier = (key: Buffer, verify: (accept: boolean) => void): void => {
    decide(policy, key).then(
      (error) => {
        refusal = error;
        if (error === undefined) accepted = sha256Fingerprint(key);
        verify(error === undefined);
      },
      (error: unknown) => {
        policy.logger?.('error', `host key check failed: ${error instanceof Error ? error.message : String(error)}`);
        refusal = error instanceof DockerFirewallError ? error : undefined;
        verify(false);
      },
    );
  };
  return { verifier, refusal: () => refusal, accepted: () => accepted };
}

/** Resolves to undefined to accept, or to the error that explains the refusal. */
async function decide(policy: HostKeyPolicy, key: Buffer): Promise<DockerFirewallError | undefined> {
  const { host, port } = policy;
  const fingerprint = sha256Fingerprint(key);
  const keyType = keyTypeOfBlob(key) ?? 'unknown';
  const verdict = verifyHostKey(policy.entries, host, port, key);
  switch (verdict.kind) {
    case 'trusted':
      policy.logger?.('debug', `host key of ${host} ${keyType} ${fingerprint} matches ${verdict.entry.source}:${verdict.entry.line}`);
      return undefined;
    case 'revoked':
      return new HostKeyRevoked(host, port, fingerprint, `${verdict.entry.source}:${verdict.entry.line}`);
    case 'changed':
      return new HostKeyMismatch(
        host,
        port,
        [...new Set(verdict.known.map((e) => `${sha256Fingerprint(e.key)} (${e.keyType})`))],
        fingerprint,
        keyType,
        verdict.known.map((e) => `${e.source}:${e.line}`),
      );
    case 'unknown':
      return acceptUnknown(policy, key, keyType, fingerprint);
  }
}

async function acceptUnknown(policy: HostKeyPolicy, key: Buffer, keyType: string, fingerprint: string): Promise<DockerFirewallError | undefined> {
  const { host, port } = policy;
  const unknown = new HostKeyUnknown(host, port, keyType, fingerprint);
  let accepted: boolean;
  switch (policy.strict) {
    case 'yes':
      return unknown;
    case 'accept-new':
      accepted = true;
      break;
    case 'ask': {
      if (policy.onUnknownHostKey === undefined) return unknown;
      const resume = policy.pauseTimer();
      try {
        accepted = await policy.onUnknownHostKey({ host, port, keyType, fingerprint, knownHostsFile: policy.recordIn });
      } finally {
        resume();
      }
      break;
    }
  }
  if (!accepted) return unknown;
  if (policy.recordIn !== undefined) {
    try {
      await appendKnownHostsLine(policy.recordIn, formatKnownHostsLine(host, port, key, { hashed: policy.hashed }));
      policy.logger?.('info', `added ${keyType} ${fingerprint} for ${host} to ${policy.recordIn}`);
    } catch (error) {
      // As ssh does: the user trusted the key, so connect, but say it will be asked about again.
      policy.logger?.('warn', `could not record the host key of ${host} in ${policy.recordIn}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return undefined;
}
