import type { ContainerSummary, DockerNetwork, Inventory } from '../docker/inventoryModel';
import type { Family } from '../validate';
import type { HostFacts, ListeningSocket, SocketProcess } from './hostFacts';
import type { HostPortSpec } from './layout';
import { familyOf, isLoopback, specOf } from './port';

/**
 * What a lockdown must cover on a host, read from Docker (its bridges and published ports) and from
 * the host's own sockets (host-network containers, rootless Docker): the same for the plan that
 * writes the rules and for the status that checks them. Pure.
 */
export interface FamilyScope {
  /** Exact names of Docker's bridges. */
  readonly bridges: readonly string[];
  /** Ports served on the host's own sockets in this family. */
  readonly hostPorts: readonly HostPortSpec[];
}

export interface LockdownScope {
  readonly ipv4: FamilyScope;
  readonly ipv6: FamilyScope;
  /** The SSH port we came in on: never dropped. */
  readonly sshPort: number | undefined;
  /** Bridge networks whose bridge name we will not write into a rule: their ports cannot be covered. */
  readonly unusableBridges: readonly { readonly network: string; readonly name: string }[];
}

/** Processes that serve a rootless Docker's (or rootless Podman's) published ports on the host. */
export const ROOTLESS_PORT_PROCESSES: readonly string[] = ['rootlesskit', 'rootlessport', 'pasta', 'pasta.avx2', 'slirp4netns'];

/** Where a listening socket comes from, as far as the lockdown is concerned. */
export type SocketOrigin =
  | { readonly kind: 'docker-proxy' }
  | { readonly kind: 'host-network'; readonly container: ContainerSummary }
  | { readonly kind: 'rootless'; readonly process: string }
  | { readonly kind: 'container'; readonly container: ContainerSummary }
  | { readonly kind: 'host-service'; readonly process: string | undefined };

export function socketOrigin(socket: ListeningSocket, inventory: Inventory, processes: ReadonlyMap<number, SocketProcess>): SocketOrigin {
  const owners = socket.pids.map((pid) => processes.get(pid)).filter((p): p is SocketProcess => p !== undefined);
  const name = socket.process ?? owners[0]?.comm;
  if (name === 'docker-proxy') return { kind: 'docker-proxy' };
  for (const owner of owners) {
    const container = owner.containerId === undefined ? undefined : inventory.containers.find((c) => c.id === owner.containerId);
    if (container !== undefined) return container.networkMode === 'host' ? { kind: 'host-network', container } : { kind: 'container', container };
  }
  if (name !== undefined && ROOTLESS_PORT_PROCESSES.includes(name)) return { kind: 'rootless', process: name };
  return { kind: 'host-service', process: name };
}

/** The families a socket's address answers in: ss's `*` is an IPv6 socket that takes IPv4 too. */
export function socketFamilies(address: string): Family[] {
  if (address === '*') return ['ipv4', 'ipv6'];
  return [familyOf(address)];
}

const isWildcard = (address: string) => address === '' || address === '0.0.0.0' || address === '::' || address === '*';

/** The bridges of a container's networks (what its published ports are forwarded to). */
export function containerBridges(container: ContainerSummary, networks: readonly DockerNetwork[]): { bridge: string | undefined; network: DockerNetwork | undefined; name: string }[] {
  return container.networks.map((n) => {
    const network = networks.find((d) => d.id === n.networkId) ?? networks.find((d) => d.name === n.name);
    return { bridge: network?.bridge?.name, network, name: n.name };
  });
}

export function lockdownScope(inventory: Inventory, facts: HostFacts): LockdownScope {
  const bridges = inventory.networks.flatMap((n) => (n.bridge?.name === undefined ? [] : [n.bridge.name]));
  const ports: Record<Family, HostPortSpec[]> = { ipv4: [], ipv6: [] };
  // Every published port, on every family it is bound in: docker-proxy serves it on the host's
  // socket (and with Docker's DNAT skipped, that socket answers from outside).
  for (const container of inventory.containers) {
    for (const binding of container.ports) {
      const spec = specOf(binding);
      if (spec === undefined || isLoopback(binding.hostIp)) continue;
      const address = isWildcard(binding.hostIp) ? undefined : binding.hostIp;
      ports[binding.hostIp === '' ? 'ipv4' : familyOf(binding.hostIp)].push({ ...spec, address });
    }
  }
  // Sockets of host-network containers and of rootless Docker: not behind Docker's NAT at all. And
  // docker-proxy's: a proxy that serves while its container is not (yet) listed as running, as
  // after a dockerd crash, keeps its port's rule (the watcher renders the same).
  for (const socket of facts.sockets ?? []) {
    if (isLoopback(socket.address) || socket.device === 'lo') continue;
    const origin = socketOrigin(socket, inventory, facts.processes);
    if (origin.kind !== 'host-network' && origin.kind !== 'rootless' && origin.kind !== 'docker-proxy') continue;
    for (const family of socketFamilies(socket.address)) {
      ports[family].push({ port: socket.port, proto: socket.proto, address: isWildcard(socket.address) ? undefined : socket.address });
    }
  }
  // A published port and its docker-proxy's socket are one port.
  const unique = (list: readonly HostPortSpec[]) => [...new Map(list.map((p) => [`${p.port}/${p.proto}@${p.address ?? ''}`, p])).values()];
  return {
    ipv4: { bridges, hostPorts: unique(ports.ipv4) },
    ipv6: { bridges, hostPorts: unique(ports.ipv6) },
    sshPort: facts.ssh?.serverPort,
    unusableBridges: inventory.networks.flatMap((n) => (n.bridge?.unusable === undefined ? [] : [{ network: n.name, name: n.bridge.unusable }])),
  };
}
