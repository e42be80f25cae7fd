import type { PublishedPort } from '../firewall/port';

/**
 * What we know about one Docker host: its engine and its containers with their published ports.
 * Plain data, built from the Engine API's JSON by the parsers next to this file.
 */
export interface Inventory {
  readonly docker: DockerEngine;
  readonly containers: readonly ContainerSummary[];
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
  /**
   * Published ports only (those with a host port), one entry per host address: '0.0.0.0' and '::'
   * are separate entries (the CLI shows them as ":::" and "[::]"), '127.0.0.1' for local only.
   */
  readonly ports: readonly PublishedPort[];
}

export interface ContainerNetwork {
  readonly name: string;
  readonly ipv4?: string | undefined;
  readonly ipv6?: string | undefined;
}

