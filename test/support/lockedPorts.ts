import type { TcpOutcome } from './lab';
import type { PortProbe, WatchedPort } from './probes';

/**
 * What the reliability tests lock a lab host to (`block HOST --allow 8080`) and how it must look
 * from outside: web's 8080 open, app's 8081 closed, over IPv4 and IPv6.
 */
export const ALLOWED_8080: readonly (PortProbe & { expect: TcpOutcome })[] = [
  { port: 8080, family: 'ipv4', expect: 'open' },
  { port: 8080, family: 'ipv6', expect: 'open' },
  { port: 8081, family: 'ipv4', expect: 'timeout' },
  { port: 8081, family: 'ipv6', expect: 'timeout' },
];

/**
 * The ports that must never answer while the host restarts or reboots, each watched beside the
 * allowed 8080 of the same family (the positive control: the forwarding path was alive).
 */
export const WATCHED_8081: readonly WatchedPort[] = [
  { blocked: { port: 8081, family: 'ipv4' }, control: { port: 8080, family: 'ipv4' } },
  { blocked: { port: 8081, family: 'ipv6' }, control: { port: 8080, family: 'ipv6' } },
];
