import type { Proto } from '../validate';

/** A container port published on the host, as the firewall needs to see it. */
export interface PublishedPort {
  readonly container: string;
  /** The address Docker binds on the host: '0.0.0.0', '::', '127.0.0.1', a specific address, or ''. */
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly proto: Proto | 'sctp';
}

export function isLoopback(hostIp: string): boolean {
  return hostIp.startsWith('127.') || hostIp === '::1';
}

export function isIpv6(hostIp: string): boolean {
  return hostIp.includes(':');
}

/** Ports docker-proxy serves on an IPv6 address of the host: only INPUT rules can stop those. */
export function proxiedPorts(ports: readonly PublishedPort[]): { port: number; proto: Proto }[] {
  const seen = new Map<string, { port: number; proto: Proto }>();
  for (const p of ports) {
    if (p.proto === 'sctp' || !isIpv6(p.hostIp) || isLoopback(p.hostIp)) continue;
    seen.set(`${p.proto}/${p.hostPort}`, { port: p.hostPort, proto: p.proto });
  }
  return [...seen.values()];
}
