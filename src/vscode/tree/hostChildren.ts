import type { HostSnapshot } from '../hosts/hostSnapshot';
import { allowsFor } from '../../core/firewall/port';
import type { ContainerNode, HostTreeNode, PortNode } from './nodes';

/** The children of a host node for what was last read from it (pure, unit-tested). */
export function childrenOf(hostName: string, snapshot: HostSnapshot): HostTreeNode[] {
  if (snapshot.status === undefined) {
    if (snapshot.failure !== undefined) return [{ kind: 'error', hostName, message: snapshot.failure.message, code: snapshot.failure.code }];
    return [];
  }
  const { inventory, firewall } = snapshot.status;
  if (inventory.containers.length === 0) return [{ kind: 'info', hostName, id: 'no-containers', message: 'No containers' }];
  return [...inventory.containers]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (container): ContainerNode => ({
        kind: 'container',
        hostName,
        container,
        ports: firewall.ports
          .filter((p) => p.container === container.name)
          .sort((a, b) => a.hostPort - b.hostPort || a.proto.localeCompare(b.proto) || Number(a.hostIp.includes(':')) - Number(b.hostIp.includes(':'))),
        locked: firewall.locked,
        allows: firewall.policy.allows,
      }),
    );
}

export function portNodes(container: ContainerNode): PortNode[] {
  return container.ports.map((port) => ({
    kind: 'port',
    hostName: container.hostName,
    port,
    locked: container.locked,
    allows: allowsFor(container.allows, port),
  }));
}
