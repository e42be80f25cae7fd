import * as l10n from '@vscode/l10n';
import { SshConfigError } from '../errors';
import { shellQuote } from '../remote/shellQuote';

/** Values that ssh_config(5) TOKENS stand for. */
export interface TokenValues {
  readonly homeDir: string;
  readonly localUser: string;
  /** %h: the remote host name after HostName. */
  readonly hostName: string;
  /** %n: the name as given on the command line (the alias). */
  readonly originalHost: string;
  readonly remoteUser: string;
  readonly port: number;
  readonly localHostName?: string | undefined;
  readonly uid?: number | undefined;
}

/**
 * Expands `~`, `~/` and the ssh_config tokens that make sense for file names (%d %u %h %n %r %p %l
 * %i %%). An unknown token is an error, as it is for ssh: guessing would read the wrong file.
 */
export function expandPath(value: string, tokens: TokenValues, source: string): string {
  let text = value;
  if (text === '~') text = tokens.homeDir;
  else if (text.startsWith('~/')) text = `${tokens.homeDir}${text.slice(1)}`;
  return text.replace(/%(.)/g, (match, letter: string) => {
    switch (letter) {
      case '%':
        return '%';
      case 'd':
        return tokens.homeDir;
      case 'u':
        return tokens.localUser;
      case 'h':
        return tokens.hostName;
      case 'n':
        return tokens.originalHost;
      case 'r':
        return tokens.remoteUser;
      case 'p':
        return String(tokens.port);
      case 'l':
        if (tokens.localHostName !== undefined) return tokens.localHostName;
        break;
      case 'i':
        if (tokens.uid !== undefined) return String(tokens.uid);
        break;
      default:
        break;
    }
    throw new SshConfigError(source, l10n.t('the token {0} in {1} is not supported here', match, JSON.stringify(value)));
  });
}

/**
 * Expands a ProxyCommand's tokens (%h %p %r %n %%), as ssh does, except that each value is
 * shell-quoted: a host name from a command line or a config must never add shell syntax to the
 * command that runs on this machine. An unknown token is an error, as for ssh.
 */
export function expandProxyCommand(value: string, tokens: TokenValues, source: string): string {
  return value.replace(/%(.)/g, (match, letter: string) => {
    switch (letter) {
      case '%':
        return '%';
      case 'h':
        return shellQuote(tokens.hostName);
      case 'n':
        return shellQuote(tokens.originalHost);
      case 'p':
        return String(tokens.port);
      case 'r':
        return shellQuote(tokens.remoteUser);
      default:
        throw new SshConfigError(source, l10n.t('the token {0} in a ProxyCommand is not supported (use %h, %p, %r, %n or %%)', match));
    }
  });
}
