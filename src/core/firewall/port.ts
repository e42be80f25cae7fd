import * as l10n from '@vscode/l10n';
import { InvalidInput } from '../errors';
import { parsePort, parseProto, printable, type Family, type Proto } from '../validate';
import type { Allow } from './policy';

/**
 * A port and its protocol, in one shape and one spelling. Wherever a person reads one it is written
 * as Docker writes it, port first: `8080/tcp`. (The rule comments we store on hosts keep their own
 * `tcp/8080` form: see ruleComment.ts; changing it would orphan the rules already written.)
 */

/** What Docker can publish; rules are written for tcp and udp only. */
export type PortProto = Proto | 'sctp';

/** A host port and protocol that a rule can name: what an allow opens, what a proxy rule drops. */
export interface PortSpec {
  readonly port: number;
  readonly proto: Proto;
}

/** What an allow opens: one port, or a range from `port` to `endPort` (inclusive), as Docker publishes `18100-18110`. */
export interface PortRangeSpec extends PortSpec {
  /** The last port of a range, above `port`; undefined: the one port. */
  readonly endPort?: number | undefined;
}

/** A container port published on the host, as Docker reports it: one entry per host address. */
export interface PublishedPort {
  /** The container's name (Docker's, without the leading "/"). */
  readonly container: string;
  /** The address Docker binds on the host: '0.0.0.0', '::', '127.0.0.1', a specific address, or ''. */
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly proto: PortProto;
}

/** `8080/tcp`: the key and the display of a port with its protocol. */
export function portText(port: { readonly port: number; readonly proto: string }): string {
  return `${port.port}/${port.proto}`;
}

/** `8080/tcp`, or `18100-18110/tcp` for a range. */
export function rangeText(spec: PortRangeSpec): string {
  return spec.endPort === undefined ? portText(spec) : `${spec.port}-${spec.endPort}/${spec.proto}`;
}

/** The host port of a published port, as a key and display (`8080/tcp`). */
export function hostPortText(port: { readonly hostPort: number; readonly proto: string }): string {
  return `${port.hostPort}/${port.proto}`;
}

/** `PORT` or `PORT/PROTO` as a user types it, protocol tcp by default. */
export function parsePortSpec(input: string): PortSpec {
  const slash = input.indexOf('/');
  if (slash === -1) return { port: parsePort(input), proto: 'tcp' };
  return { port: parsePort(input.slice(0, slash)), proto: parseProto(input.slice(slash + 1)) };
}

/**
 * `PORT[/PROTO]` or `START-END[/PROTO]` as a user gives an allow: one range at most, start not above
 * end, both 1 to 65535. A range of one port is that port.
 */
export function parseRangeSpec(input: string): PortRangeSpec {
  const slash = input.indexOf('/');
  const portPart = slash === -1 ? input : input.slice(0, slash);
  const proto = slash === -1 ? 'tcp' : parseProto(input.slice(slash + 1));
  const text = portPart.trim();
  // "-5" is a negative number, not a range: parsePort says so.
  if (!text.includes('-') || text.startsWith('-')) return { port: parsePort(portPart), proto };
  const parts = text.split('-');
  if (parts.length > 2) throw new InvalidInput(l10n.t('"{0}" is not a port range: give one range, START-END (e.g. 18100-18110).', printable(text)));
  const start = parsePort(parts[0]!);
  const end = parsePort(parts[1]!);
  if (start > end) throw new InvalidInput(l10n.t('Port range {0}-{1} runs backwards: give the lower port first ({1}-{0}).', start, end));
  return start === end ? { port: start, proto } : { port: start, endPort: end, proto };
}

/** The spec a rule would use for a published port, or undefined for a protocol we write no rules for. */
export function specOf(port: { readonly hostPort: number; readonly proto: PortProto }): PortSpec | undefined {
  return port.proto === 'sctp' ? undefined : { port: port.hostPort, proto: port.proto };
}

/** The spec of a published port; InvalidInput for sctp, which no rule of ours can name. */
export function requireSpec(port: { readonly hostPort: number; readonly proto: PortProto }): PortSpec {
  const spec = specOf(port);
  if (spec === undefined) throw new InvalidInput(l10n.t('{0}: Docker Firewall writes rules for tcp and udp ports only.', hostPortText(port)));
  return spec;
}

export function isLoopback(hostIp: string): boolean {
  return hostIp.startsWith('127.') || hostIp === '::1';
}

export function isIpv6(hostIp: string): boolean {
  return hostIp.includes(':');
}

export function familyOf(hostIp: string): Family {
  return isIpv6(hostIp) ? 'ipv6' : 'ipv4';
}

/** The host address as written before a port: `0.0.0.0`, `[::]`, `*` when Docker gave none. */
export function hostAddressText(hostIp: string): string {
  if (hostIp === '') return '*';
  return isIpv6(hostIp) ? `[${hostIp}]` : hostIp;
}

/** Where outside connections arrive: `0.0.0.0:8080/tcp`, `[::]:8080/tcp`. */
export function endpointText(port: { readonly hostIp: string; readonly hostPort: number; readonly proto: string }): string {
  return `${hostAddressText(port.hostIp)}:${port.hostPort}/${port.proto}`;
}

/** The whole binding as `docker ps` shows it, with an arrow: `0.0.0.0:8080 → 80/tcp`. */
export function bindingText(port: { readonly hostIp: string; readonly hostPort: number; readonly containerPort: number; readonly proto: string }): string {
  return `${hostAddressText(port.hostIp)}:${port.hostPort} → ${port.containerPort}/${port.proto}`;
}

/** Whether a published port is the port (or in the range) and protocol an allow names (any address family). */
export function samePort(allow: PortRangeSpec, port: { readonly hostPort: number; readonly proto: PortProto }): boolean {
  return allow.proto === port.proto && port.hostPort >= allow.port && port.hostPort <= (allow.endPort ?? allow.port);
}

/**
 * The allows that open this published port. Given the port's host address, only those that apply
 * to its address family (an allow from an IPv4 range does nothing for `[::]:8080`).
 */
export function allowsFor(allows: readonly Allow[], port: { readonly hostPort: number; readonly proto: PortProto; readonly hostIp?: string }): Allow[] {
  const family = port.hostIp === undefined ? undefined : familyOf(port.hostIp);
  return allows.filter((a) => samePort(a, port) && (family === undefined || a.from === undefined || a.from.family === family));
}

/** Ports docker-proxy serves on an IPv6 address of the host: only INPUT rules can stop those. */
export function proxiedPorts(ports: readonly PublishedPort[]): PortSpec[] {
  const seen = new Map<string, PortSpec>();
  for (const p of ports) {
    const spec = specOf(p);
    if (spec === undefined || !isIpv6(p.hostIp) || isLoopback(p.hostIp)) continue;
    seen.set(portText(spec), spec);
  }
  return [...seen.values()];
}

/** Specs in a stable order: by port, then protocol. */
export function comparePortSpecs(a: PortSpec, b: PortSpec): number {
  return a.port - b.port || a.proto.localeCompare(b.proto);
}
