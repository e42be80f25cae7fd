import type { PublishedPort } from '../firewall/port';

/**
 * What we know about one Docker host: its engine and its containers with their published ports.
 * Plain data, built from the Engine API's JSON by the parsers next to this file.
 */
export interface Inventory {
  readonly docker: DockerEngine;
  readonly containers: readonly ContainerSummary[];
  readonly networks: readonly DockerNetwork[];
}

/** Docker's `com.docker.network.bridge.gateway_mode_ipv4|6`: how outside traffic reaches the network. */
export type GatewayMode = 'nat' | 'nat-unprotected' | 'routed' | 'isolated';

export interface DockerNetwork {
  readonly id: string;
  readonly name: string;
  /** bridge, host, null, overlay, macvlan… */
  readonly driver: string;
  /**
   * For a bridge network, the Linux bridge it uses; `name` is undefined when the host named it in a
   * way we will not write into a rule (`unusable` holds what it said).
   */
  readonly bridge?: { readonly name: string; readonly unusable?: undefined } | { readonly name: undefined; readonly unusable: string } | undefined;
  /** No route out, and no published port reaches it. */
  readonly internal: boolean;
  readonly ipv6: boolean;
  /** Undefined: Docker's default, nat. */
  readonly gatewayMode: { readonly ipv4: GatewayMode | undefined; readonly ipv6: GatewayMode | undefined };
  readonly subnets: readonly string[];
}

export interface DockerEngine {
  /** Engine version as the daemon reports it, e.g. "20.10.24+dfsg1". */
  readonly version: string;
  /** Highest Engine API version the daemon speaks, e.g. "1.41". */
  readonly apiVersion: string;
  /** Info.FirewallBackend.Driver ("iptables", "nftables", "iptables+firewalld"), reported from API 1.48 (Docker 28.2) on. */
  readonly firewallBackend?: string | undefined;
  /**
   * Whether dockerd writes ip6tables rules for published ports. The API does not report the daemon's
   * `ip6tables` setting, so this is the default of the engine's version: on from Docker 27, off before.
   */
  readonly ipv6Firewall?: boolean | undefined;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerSummary {
  readonly id: string;
  /** Without Docker's leading "/". */
  readonly name: string;
  readonly image: string;
  /** Docker's State; kept as a string because the set has grown over versions. */
  readonly state: ContainerState | (string & {});
  /** Human text, e.g. "Up 5 minutes". */
  readonly status: string;
  readonly networks: readonly ContainerNetwork[];
  /** HostConfig.NetworkMode: `host` for a container on the host's network, else a network name, `bridge`, `none`, `container:ID`. */
  readonly networkMode: string;
  /**
   * Published ports only (those with a host port), one entry per host address: '0.0.0.0' and '::'
   * are separate entries (the CLI shows them as ":::" and "[::]"), '127.0.0.1' for local only.
   */
  readonly ports: readonly PublishedPort[];
}

export interface ContainerNetwork {
  readonly name: string;
  /** The network's id (NetworkID), to find it among Inventory.networks. */
  readonly networkId?: string | undefined;
  readonly ipv4?: string | undefined;
  readonly ipv6?: string | undefined;
}

