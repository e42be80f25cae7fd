import * as ipaddr from 'ipaddr.js';
import type { PortExposure } from '../firewall/exposure';
import { endpointText, isIpv6, isLoopback, type PortProto } from '../firewall/port';
import type { Family, Proto } from '../validate';
import { notProbedReason } from './expectation';

/** Where a probe address came from: what SSH connects to, or what the host itself reported. */
export type AddressSource = 'ssh' | 'host';

/** An address of the host that this machine may probe. */
export interface ProbeAddress {
  readonly address: string;
  readonly family: Family;
  readonly source: AddressSource;
}

/** One probe: an address of the host, a port and protocol, and the published bindings it checks. */
export interface ProbeTarget {
  readonly address: string;
  readonly family: Family;
  readonly port: number;
  readonly proto: Proto;
  readonly bindings: readonly PortExposure[];
}

/** A published binding that no probe checks, and why. */
export interface UnprobedBinding {
  readonly port: PortExposure;
  readonly reason: string;
}

export interface ProbePlan {
  readonly targets: readonly ProbeTarget[];
  readonly unprobed: readonly UnprobedBinding[];
}

/** A stable spelling of an address, so that `2001:db8::1` and `2001:DB8:0::1` are one. */
export function normalizeAddress(address: string): string {
  try {
    return ipaddr.process(address).toNormalizedString();
  } catch {
    return address;
  }
}

export function targetKey(target: { readonly address: string; readonly port: number; readonly proto: string }): string {
  return `${normalizeAddress(target.address)}|${target.port}/${target.proto}`;
}

/**
 * Which (address, port) pairs check which published bindings, from the host's addresses that this
 * machine can probe (pure):
 * - `0.0.0.0` on every IPv4 address, `::` on every IPv6 address, no address (Docker gave none) on both;
 * - a binding on one address only on that address (and not at all when it is not one of them);
 * - a loopback binding (local only) on the addresses of its family, where it must not answer,
 *   unless another binding serves that address and port (that one decides what answers).
 * Nothing else is ever probed: only the host's own addresses and the ports its status lists.
 */
export function probePlan(ports: readonly PortExposure[], addresses: readonly ProbeAddress[]): ProbePlan {
  const targets = new Map<string, { target: Omit<ProbeTarget, 'bindings'>; bindings: PortExposure[] }>();
  const unprobed: UnprobedBinding[] = [];
  const byFamily = (family: Family) => addresses.filter((a) => a.family === family);
  const add = (address: ProbeAddress, port: PortExposure & { proto: Proto }, onlyIfFree: boolean): boolean => {
    const key = targetKey({ address: address.address, port: port.hostPort, proto: port.proto });
    const existing = targets.get(key);
    if (existing !== undefined) {
      if (!onlyIfFree) existing.bindings.push(port);
      return !onlyIfFree;
    }
    targets.set(key, { target: { address: address.address, family: address.family, port: port.hostPort, proto: port.proto }, bindings: [port] });
    return true;
  };

  const sorted = [...ports].sort((a, b) => Number(isLoopback(a.hostIp)) - Number(isLoopback(b.hostIp)));
  for (const port of sorted) {
    if (!isRuleProto(port.proto)) {
      unprobed.push({ port, reason: `${port.proto} ports are not probed (tcp and udp only)` });
      continue;
    }
    // The host's own services are listed by status for the user, but they are no claim of ours to check.
    if (port.exposure === 'host-service') continue;
    const skip = notProbedReason(port.exposure);
    if (skip !== undefined) {
      unprobed.push({ port, reason: skip });
      continue;
    }
    const spec = { ...port, proto: port.proto };
    const loopback = isLoopback(port.hostIp);
    let candidates: ProbeAddress[];
    let missing: string;
    if (port.hostIp === '') {
      candidates = [...addresses];
      missing = 'no address of the host is known here';
    } else if (port.hostIp === '0.0.0.0' || (loopback && !isIpv6(port.hostIp))) {
      candidates = byFamily('ipv4');
      missing = 'no IPv4 address of the host is known here';
    } else if (port.hostIp === '::' || (loopback && isIpv6(port.hostIp))) {
      candidates = byFamily('ipv6');
      missing = 'no IPv6 address of the host is known here';
    } else {
      const wanted = normalizeAddress(port.hostIp);
      candidates = addresses.filter((a) => normalizeAddress(a.address) === wanted);
      missing = `${port.hostIp} is not an address this machine probes (only the ones SSH reaches the host by)`;
    }
    if (candidates.length === 0) {
      unprobed.push({ port, reason: missing });
      continue;
    }
    const added = candidates.filter((address) => add(address, spec, loopback));
    if (added.length === 0) unprobed.push({ port, reason: `${endpointText(port)} is local only, and another binding serves ${port.hostPort}/${port.proto} on the host's other addresses` });
  }
  return { targets: [...targets.values()].map(({ target, bindings }) => ({ ...target, bindings })), unprobed };
}

function isRuleProto(proto: PortProto): proto is Proto {
  return proto === 'tcp' || proto === 'udp';
}
