import { isIPv6 } from 'node:net';
import { parseDestination } from '../../core/ssh/destination';

/**
 * The host of a Remote-SSH window, from its workspace folders' URI authority (pure, unit-tested).
 * Remote-SSH writes `vscode-remote://ssh-remote+<host>/path`, where `<host>` is what the user picked:
 * an ssh config alias, `user@host`, `host:port`, or, for hosts whose text a URI authority cannot
 * carry as typed (upper case, IPv6, odd characters), hex-encoded JSON such as
 * `{"hostName":"Prod","user":"deploy","port":2222}`. What comes out is a destination as
 * `dockerFirewall.hosts` takes it, so it is resolved through the same ssh config; anything that does
 * not parse is ignored (a window that is not Remote-SSH, or an authority from a newer Remote-SSH).
 */

const PREFIX = 'ssh-remote+';

/** The destination the authority names, or undefined when it names none. */
export function sshRemoteDestination(authority: string): string | undefined {
  const decoded = percentDecoded(authority);
  if (decoded === undefined || !decoded.toLowerCase().startsWith(PREFIX)) return undefined;
  const host = decoded.slice(PREFIX.length);
  const json = hexJson(host);
  if (json === undefined) return usable(host);
  return json === INVALID ? undefined : usable(json);
}

/** The first Remote-SSH host among the workspace folders (all of a window's share one authority). */
export function windowSshDestination(folders: readonly { readonly scheme: string; readonly authority: string }[]): string | undefined {
  for (const folder of folders) {
    if (folder.scheme !== 'vscode-remote') continue;
    const destination = sshRemoteDestination(folder.authority);
    if (destination !== undefined) return destination;
  }
  return undefined;
}

function percentDecoded(text: string): string | undefined {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Hex that decodes to JSON, but not to a host: a form this parser does not know, ignored. */
const INVALID = Symbol('invalid');

/**
 * `{"hostName", "user"?, "port"?}` hex-encoded, as `[user@]host[:port]`; undefined when the text is
 * not hex-encoded JSON at all (then it is an alias, such as "cafe").
 */
function hexJson(text: string): string | typeof INVALID | undefined {
  if (text.length < 4 || text.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'hex').toString('utf8'));
  } catch {
    // An alias that happens to be hex ("cafe"): taken as written.
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return INVALID;
  const record = value as Record<string, unknown>;
  const hostName = typeof record.hostName === 'string' ? record.hostName.trim() : '';
  if (hostName === '') return INVALID;
  const user = typeof record.user === 'string' && record.user.trim() !== '' ? record.user.trim() : undefined;
  const port = typeof record.port === 'number' ? record.port : typeof record.port === 'string' && /^\d+$/.test(record.port) ? Number(record.port) : undefined;
  const bare = hostName.startsWith('[') && hostName.endsWith(']') ? hostName.slice(1, -1) : hostName;
  const host = isIPv6(bare) && port !== undefined ? `[${bare}]` : bare;
  return `${user === undefined ? '' : `${user}@`}${host}${port === undefined ? '' : `:${port}`}`;
}

/** The destination when the extension can use it as it would a typed one. */
function usable(destination: string): string | undefined {
  try {
    parseDestination(destination);
    return destination;
  } catch {
    return undefined;
  }
}
