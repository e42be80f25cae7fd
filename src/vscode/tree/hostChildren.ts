import * as l10n from '@vscode/l10n';
import type { HostSnapshot } from '../hosts/hostSnapshot';
import { allowsFor } from '../../core/firewall/port';
import type { PortExposure } from '../../core/firewall/exposure';
import type { ContainerNode, HostTreeNode, PortNode, ServicesNode } from './nodes';

/** Ports that belong to no container: the host's own services and a rootless Docker's. */
export function isHostLevel(port: PortExposure): boolean {
  return port.origin === 'host-service' || port.origin === 'rootless';
}

const byPort = (a: PortExposure, b: PortExposure) =>
  a.hostPort - b.hostPort || a.proto.localeCompare(b.proto) || Number(a.hostIp.includes(':')) - Number(b.hostIp.includes(':'));

/** The children of a host node for what was last read from it (pure, unit-tested). */
export function childrenOf(hostName: string, snapshot: HostSnapshot): HostTreeNode[] {
  if (snapshot.status === undefined) {
    if (snapshot.failure !== undefined) return [{ kind: 'error', hostName, message: snapshot.failure.message, code: snapshot.failure.code }];
    return [];
  }
  const { inventory, firewall } = snapshot.status;
  const hostLevel = firewall.ports.filter(isHostLevel).sort(byPort);
  const services: ServicesNode[] =
    hostLevel.length === 0 ? [] : [{ kind: 'services', hostName, ports: hostLevel, locked: firewall.locked, allows: firewall.policy.allows }];
  if (inventory.containers.length === 0) return [{ kind: 'info', hostName, id: 'no-containers', message: l10n.t('No containers') }, ...services];
  const containers = [...inventory.containers]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (container): ContainerNode => ({
        kind: 'container',
        hostName,
        container,
        ports: firewall.ports.filter((p) => !isHostLevel(p) && p.container === container.name).sort(byPort),
        locked: firewall.locked,
        allows: firewall.policy.allows,
      }),
    );
  return [...containers, ...services];
}

export function portNodes(container: ContainerNode | ServicesNode): PortNode[] {
  return container.ports.map((port) => ({
    kind: 'port',
    hostName: container.hostName,
    port,
    locked: container.locked,
    allows: allowsFor(container.allows, port),
  }));
}
