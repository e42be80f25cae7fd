import * as l10n from '@vscode/l10n';
import * as ipaddr from 'ipaddr.js';
import { InvalidInput } from './errors';

/**
 * Everything a user types that ends up in a rule goes through here first. Each parser either
 * returns a value in canonical form or throws InvalidInput with a message that says what to do;
 * nothing has been sent to any host at that point.
 */

export type Proto = 'tcp' | 'udp';
export type Family = 'ipv4' | 'ipv6';

export interface Cidr {
  readonly family: Family;
  /** Canonical network form, as iptables prints it back (host bits cleared, `/32` and `/128` kept). */
  readonly text: string;
}

export function parsePort(input: string): number {
  const text = input.trim();
  if (!/^[0-9]{1,5}$/.test(text)) {
    throw new InvalidInput(l10n.t('"{0}" is not a port: give a number from 1 to 65535.', printable(input)));
  }
  const port = Number(text);
  if (port < 1 || port > 65535) throw new InvalidInput(l10n.t('Port {0} is out of range: give a number from 1 to 65535.', port));
  return port;
}

export function parseProto(input: string): Proto {
  const text = input.trim().toLowerCase();
  if (text === 'tcp' || text === 'udp') return text;
  throw new InvalidInput(l10n.t('"{0}" is not a protocol: use tcp or udp.', printable(input)));
}

export function parseCidr(input: string): Cidr {
  const text = input.trim();
  const [address, prefixText, ...rest] = text.split('/');
  const bad = () =>
    new InvalidInput(l10n.t('"{0}" is not an address or CIDR: write e.g. 203.0.113.0/24, 198.51.100.7 or 2001:db8::/32.', printable(input)));
  if (address === undefined || rest.length > 0) throw bad();
  let family: Family;
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) family = 'ipv4';
  else if (/^[0-9a-fA-F:.]+$/.test(address) && ipaddr.IPv6.isValid(address)) family = 'ipv6';
  else throw bad();
  const max = family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > max) throw bad();
    prefix = Number(prefixText);
  }
  const network =
    family === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${prefix}`);
  return { family, text: `${network.toString()}/${prefix}` };
}

/**
 * The name of our chain, checked: only parseChainName makes one, so a plain string (from a setting,
 * a flag, a host) cannot reach a rule or the shell text of the persistence script unchecked.
 */
export type ChainName = string & { readonly __brand: 'ChainName' };

/** iptables chain names: 28 characters at most; ours leave room for the `_PROXY` and `_GUARD` suffixes. */
export function parseChainName(input: string): ChainName {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,20}$/.test(input)) {
    throw new InvalidInput(
      l10n.t('"{0}" cannot be a chain name: use 1 to 21 letters, digits, "_" or "-", starting with a letter (default PRE_DOCKER).', printable(input)),
    );
  }
  const reserved = ['INPUT', 'OUTPUT', 'FORWARD', 'PREROUTING', 'POSTROUTING', 'ACCEPT', 'DROP', 'RETURN', 'REJECT'];
  if (reserved.includes(input.toUpperCase()) || input.startsWith('DOCKER')) {
    throw new InvalidInput(l10n.t('"{0}" is a built-in or Docker chain: choose a name of your own such as PRE_DOCKER.', input));
  }
  return input as ChainName;
}

export const DEFAULT_CHAIN: ChainName = parseChainName('PRE_DOCKER');

/** A JSON object (not null, not an array): the first check on JSON that comes from a host, before its members are read one by one. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Shows control characters and the like visibly in error messages instead of echoing them raw. */
export function printable(input: string): string {
  const shown = JSON.stringify(input).slice(1, -1);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

/** Shortest and longest time an allow may be given with `--for`: less could close before it is read, more is not "for a while". */
export const MIN_DURATION_SECONDS = 10;
export const MAX_DURATION_SECONDS = 90 * 24 * 3600;
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `30s`, `10m`, `2h`, `7d` as seconds, from 10 seconds to 90 days. */
export function parseDuration(input: string): number {
  const text = input.trim();
  const m = /^([0-9]{1,7})([smhd])$/.exec(text);
  if (m === null) {
    throw new InvalidInput(l10n.t('"{0}" is not a duration: write a number and a unit, s, m, h or d (e.g. 30s, 10m, 2h, 7d).', printable(input)));
  }
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  if (seconds < MIN_DURATION_SECONDS) throw new InvalidInput(l10n.t('{0} is too short: an allow lasts at least 10s.', text));
  if (seconds > MAX_DURATION_SECONDS) throw new InvalidInput(l10n.t('{0} is too long: an allow lasts at most 90d (leave out --for for one that lasts until you deny it).', text));
  return seconds;
}
