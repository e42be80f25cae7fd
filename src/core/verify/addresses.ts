import type { Inventory } from '../docker/inventoryModel';
import type { HostAddress } from '../firewall/hostFacts';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';
import { loadSshConfig, resolveSshHost } from '../ssh/sshConfig';
import { normalizeAddress, type ProbeAddress } from './targets';

/** Where SSH reaches a host from this machine, and the addresses this machine may probe there. */
export interface SshEndpoint {
  /** HostName after the ssh config (an address or a DNS name). */
  readonly hostName: string;
  /** The SSH port: the positive control of every probe. */
  readonly port: number;
  /** The (last) ProxyJump hop as the ssh config names it, when SSH goes through one: the host itself may not be reachable from here. */
  readonly proxyJump?: string | undefined;
  /** HostName's addresses as this machine resolves them (what a direct connection would use). */
  readonly addresses: readonly ProbeAddress[];
  /** Why there is no address to probe, when there is none. */
  readonly problem?: string | undefined;
}

export type Lookup = (hostName: string) => Promise<readonly { address: string; family: number }[]>;

const systemLookup: Lookup = (hostName) => dnsLookup(hostName, { all: true, verbatim: true });

/**
 * Resolves a destination the way the SSH session does (the ssh config's HostName and Port, see
 * hosts/openHost.ts), then HostName's addresses as this machine sees them. Addresses of this
 * machine itself (loopback, unspecified) are refused: a host reached through a local tunnel has no
 * address here whose ports are its own.
 */
export async function sshEndpoint(
  target: { readonly destination: string; readonly sshConfigPath?: string | undefined },
  lookup: Lookup = systemLookup,
): Promise<SshEndpoint> {
  const loaded = await loadSshConfig({ userConfig: target.sshConfigPath });
  const resolved = resolveSshHost(loaded.config, target.destination, { configFile: loaded.files[0] });
  const base = { hostName: resolved.hostName, port: resolved.port, proxyJump: resolved.proxyJump?.alias };
  let found: readonly { address: string; family: number }[];
  if (isIP(resolved.hostName) !== 0) {
    found = [{ address: resolved.hostName, family: isIP(resolved.hostName) }];
  } else {
    try {
      found = await lookup(resolved.hostName);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { ...base, addresses: [], problem: `${resolved.hostName} does not resolve on this machine${code ? ` (${code})` : ''}` };
    }
  }
  const addresses: ProbeAddress[] = [];
  const local: string[] = [];
  for (const { address } of found) {
    if (isThisMachine(address)) local.push(address);
    else if (!addresses.some((a) => normalizeAddress(a.address) === normalizeAddress(address))) {
      addresses.push({ address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4', source: 'ssh' });
    }
  }
  if (addresses.length === 0) {
    return {
      ...base,
      addresses,
      problem:
        local.length > 0
          ? `${resolved.hostName} is this machine (${local.join(', ')}): SSH reaches the host through a local tunnel, whose ports are not the host's`
          : `${resolved.hostName} has no address on this machine`,
    };
  }
  return { ...base, addresses };
}

/**
 * The host's own global addresses worth probing from outside: not those on Docker's bridges (only
 * the host and its containers reach those) nor on any interface the host reads as a Docker bridge.
 */
export function externalHostAddresses(addresses: readonly HostAddress[], inventory: Inventory): string[] {
  const bridges = new Set(inventory.networks.flatMap((n) => (n.bridge?.name === undefined ? [] : [n.bridge.name])));
  return addresses.filter((a) => !bridges.has(a.device) && !a.device.startsWith('veth')).map((a) => a.address);
}

/**
 * The addresses to probe: those SSH connects to, then the host's own global addresses (read on the
 * host, in the same exec as its firewall), each once. The host's list is where a host with several
 * addresses, or one SSH reaches over IPv4 only, gets its other addresses checked.
 */
export function probeAddresses(ssh: readonly ProbeAddress[], hostAddresses: readonly string[] = []): ProbeAddress[] {
  const all: ProbeAddress[] = [...ssh];
  for (const address of hostAddresses) {
    if (isIP(address) === 0 || isThisMachine(address)) continue;
    if (all.some((a) => normalizeAddress(a.address) === normalizeAddress(address))) continue;
    all.push({ address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4', source: 'host' });
  }
  return all;
}

function isThisMachine(address: string): boolean {
  try {
    const range = ipaddr.process(address).range();
    return range === 'loopback' || range === 'unspecified';
  } catch {
    return false;
  }
}
