import * as l10n from '@vscode/l10n';
import { isIPv4, isIPv6 } from 'node:net';
import { InvalidDestination } from '../errors';

/**
 * Where to SSH to, as a user types it: `[user@]host[:port]`, `[user@][v6addr][:port]`, a bare IPv6
 * address, or the same behind `ssh://`. Every field is checked against a strict pattern, so what
 * comes out can be put in a known_hosts line, a log line or a command line without surprises.
 */
export interface Destination {
  readonly user?: string | undefined;
  /** DNS name (or ssh_config alias), dotted-quad IPv4, or IPv6 without brackets. */
  readonly host: string;
  readonly hostKind: HostKind;
  readonly port?: number | undefined;
}

export type HostKind = 'dns' | 'ipv4' | 'ipv6';

// POSIX portable user names (and what Debian's adduser allows), not starting with '-' so they can
// never be read as an option.
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
// RFC 1123 labels, plus '_' which real internal names (and Docker service names) use.
const DNS_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const PORT = /^[1-9][0-9]{0,4}$/;
const IPV6_ZONE = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseDestination(input: string): Destination {
  const fail = (reason: string): never => {
    throw new InvalidDestination(input, reason);
  };
  if (input.length === 0) fail(l10n.t('it is empty'));
  if (input.length > 300) fail(l10n.t('it is longer than 300 characters'));
  // Reported first because these are the characters that would change a command line's meaning.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) fail(l10n.t('it contains a control character (newline, tab…)'));
  if (/\s/.test(input)) fail(l10n.t('it contains whitespace'));
  // eslint-disable-next-line no-control-regex
  if (/[^\u0000-\u007f]/.test(input)) fail(l10n.t('it contains a non-ASCII character (write international names in their xn-- form)'));

  let rest = input;
  if (rest.startsWith('ssh://')) {
    rest = rest.slice('ssh://'.length);
    if (rest.endsWith('/')) rest = rest.slice(0, -1);
  }

  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (user.length === 0) fail(l10n.t('the user name before "@" is empty'));
    if (rest.includes('@')) fail(l10n.t('it contains more than one "@"'));
    if (!USER.test(user)) fail(l10n.t('user name {0} is not valid (letters, digits, ".", "_", "-"; not starting with a digit, "." or "-"; at most 32)', JSON.stringify(user)));
  }

  let hostText: string;
  let portText: string | undefined;
  let bracketed = false;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) fail(l10n.t('"[" without a closing "]"'));
    hostText = rest.slice(1, close);
    bracketed = true;
    const after = rest.slice(close + 1);
    if (after.length > 0) {
      if (!after.startsWith(':')) fail(l10n.t('only ":port" may follow "]"'));
      portText = after.slice(1);
    }
  } else {
    const colons = rest.split(':').length - 1;
    if (colons === 1) {
      const colon = rest.indexOf(':');
      hostText = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    } else {
      // No colon, or several: the latter can only be an IPv6 address without a port.
      hostText = rest;
    }
  }

  if (hostText.length === 0) fail(l10n.t('the host name is empty'));
  const hostKind = classifyHost(hostText, fail);
  if (bracketed && hostKind !== 'ipv6') fail(l10n.t('brackets are only for IPv6 addresses, as in [2001:db8::1]:22'));
  if (!bracketed && hostKind === 'ipv6' && portText !== undefined) fail(l10n.t('write an IPv6 address with a port as [address]:port'));

  let port: number | undefined;
  if (portText !== undefined) {
    if (!PORT.test(portText) || Number(portText) > 65535) fail(l10n.t('port {0} is not a number from 1 to 65535', JSON.stringify(portText)));
    port = Number(portText);
  }
  return { user, host: hostText, hostKind, port };
}

function classifyHost(host: string, fail: (reason: string) => never): HostKind {
  if (host.includes(':')) {
    const percent = host.indexOf('%');
    const address = percent === -1 ? host : host.slice(0, percent);
    const zone = percent === -1 ? undefined : host.slice(percent + 1);
    if (!isIPv6(address)) fail(l10n.t('{0} is not a valid IPv6 address', JSON.stringify(host)));
    if (zone !== undefined && !IPV6_ZONE.test(zone)) fail(l10n.t('{0} is not a valid IPv6 zone (interface) name', JSON.stringify(zone)));
    return 'ipv6';
  }
  if (/^[0-9.]+$/.test(host)) {
    // All digits and dots: an IPv4 address or a mistake, never a name. isIPv4 rejects leading zeros.
    if (!isIPv4(host)) fail(l10n.t('{0} is not a valid IPv4 address', JSON.stringify(host)));
    return 'ipv4';
  }
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > 253) fail(l10n.t('the host name is longer than 253 characters'));
  const bad = name.split('.').find((label) => !DNS_LABEL.test(label));
  if (bad !== undefined) {
    fail(
      bad.length === 0
        ? l10n.t('host name {0} has an empty label (two dots in a row?)', JSON.stringify(host))
        : l10n.t('host name {0} is not valid: {1} may hold letters, digits, "-" and "_", not start or end with "-", and have at most 63 characters', JSON.stringify(host), JSON.stringify(bad)),
    );
  }
  return 'dns';
}

/** The inverse of parseDestination: `user@host:port`, with brackets around IPv6 when a port follows. */
export function formatDestination(destination: Destination): string {
  const user = destination.user !== undefined ? `${destination.user}@` : '';
  if (destination.port === undefined) return `${user}${destination.host}`;
  const host = destination.hostKind === 'ipv6' ? `[${destination.host}]` : destination.host;
  return `${user}${host}:${destination.port}`;
}

/** True for a string that parseDestination would accept as a host name or address alone. */
export function isValidHost(host: string): boolean {
  try {
    const d = parseDestination(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
    return d.user === undefined && d.port === undefined && d.host === host;
  } catch {
    return false;
  }
}

export function isValidUser(user: string): boolean {
  return USER.test(user);
}
