import type { ErrorCode } from '../../core/errors';
import type { ContainerSummary } from '../../core/docker/inventoryModel';
import type { PortExposure } from '../../core/firewall/exposure';
import type { Allow } from '../../core/firewall/policy';
import { hostPortText } from '../../core/firewall/port';
import type { PortCheckView } from '../hosts/checkResults';

/**
 * The elements of the Hosts tree. Plain data (no VS Code types) so that a test, or a command run
 * through `vscode.commands.executeCommand(id, node)`, can build or pass one. A host node carries
 * only its name: its state is looked up when it is drawn, so the node itself never goes stale.
 */
export type HostTreeNode = HostNode | ContainerNode | ServicesNode | PortNode | ErrorNode | InfoNode;

export interface HostNode {
  readonly kind: 'host';
  readonly hostName: string;
}

export interface ContainerNode {
  readonly kind: 'container';
  readonly hostName: string;
  readonly container: ContainerSummary;
  /** The container's published ports with their exposure, in the order Docker lists them. */
  readonly ports: readonly PortExposure[];
  readonly locked: boolean;
  readonly allows: readonly Allow[];
}

export interface PortNode {
  readonly kind: 'port';
  readonly hostName: string;
  readonly port: PortExposure;
  readonly locked: boolean;
  /** The host's allows for this port and protocol. */
  readonly allows: readonly Allow[];
  /** What the last Check From Here saw of this port, when it still applies. */
  readonly check?: PortCheckView | undefined;
}

/**
 * What else listens on the host's own addresses: processes of the host (sshd, a database installed
 * without Docker) and a rootless Docker's ports. Shown apart, collapsed: the lockdown covers rootless
 * ports but never host services, and never calls them blocked.
 */
export interface ServicesNode {
  readonly kind: 'services';
  readonly hostName: string;
  readonly ports: readonly PortExposure[];
  readonly locked: boolean;
  readonly allows: readonly Allow[];
}

/** A host that could not be read: shown as a child with a retry action, never as a pop-up. */
export interface ErrorNode {
  readonly kind: 'error';
  readonly hostName: string;
  readonly message: string;
  readonly code: ErrorCode | undefined;
}

/** A line of information, such as "No containers". */
export interface InfoNode {
  readonly kind: 'info';
  readonly hostName: string;
  readonly id: string;
  readonly message: string;
}

/**
 * A folder of hosts that share a `group` in the settings. Not a HostTreeNode: it belongs to no one
 * host (every command on a host node reads its hostName), only the Hosts view shows it.
 */
export interface GroupNode {
  readonly kind: 'group';
  readonly group: string;
}

/** What the Hosts view shows: groups, and hosts with what is below them. */
export type HostsViewNode = GroupNode | HostTreeNode;

export function groupNodeId(group: string): string {
  return `group:${group}`;
}

export function hostNode(hostName: string): HostNode {
  return { kind: 'host', hostName };
}

/** The TreeItem id: stable across reads (expansion state is kept) and unique in the tree. */
export function nodeId(node: HostTreeNode): string {
  const host = `host:${node.hostName}`;
  switch (node.kind) {
    case 'host':
      return host;
    case 'container':
      return `${host}/container:${node.container.id}`;
    case 'services':
      return `${host}/services`;
    case 'port':
      return `${host}/${node.port.origin === 'host-service' || node.port.origin === 'rootless' ? 'services' : `container:${node.port.container}`}/port:${node.port.hostIp}:${hostPortText(node.port)}`;
    case 'error':
      return `${host}/error`;
    case 'info':
      return `${host}/${node.id}`;
  }
}
