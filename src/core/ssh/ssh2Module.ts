import type * as Ssh2 from 'ssh2';

/**
 * ssh2, required where it is first used rather than imported at the top: in the CLI's bundle its
 * code is then evaluated once connectSsh has started the TCP connection, while the connection opens
 * and sshd starts, rather than before the connection is even asked for. (The extension too loads it
 * with its first connection, after the host engine: src/vscode/hosts/hostEngine.ts.)
 */
export function ssh2(): typeof Ssh2 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  return require('ssh2') as typeof Ssh2;
}
