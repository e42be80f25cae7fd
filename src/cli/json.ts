import type { FirewallStatus, StatusRule } from '../core/firewall/status';
import type { Inventory } from '../core/docker/inventory';
import type { PortExposure } from '../core/firewall/exposure';
import type { Allow } from '../core/firewall/policy';
import { isExpired, untilText } from '../core/firewall/expiry';

/**
 * The shape of `--json` output: field names are part of the CLI's contract, and `schema` says which
 * version of it a document follows (see CHANGELOG.md for what changed between versions).
 */
export const JSON_SCHEMA = 2;

export function statusJson(host: string, inventory: Inventory, status: FirewallStatus) {
  return {
    schema: JSON_SCHEMA,
    host,
    /** Docker's own firewall backend (Engine API `FirewallBackend.Driver`: iptables, nftables…). */
    docker: { version: inventory.docker.version, firewallBackend: inventory.docker.firewallBackend ?? null },
    /** Where the lockdown lives: `iptables`, or `nftables` (our own table, where Docker uses its nftables backend). */
    lockdownBackend: status.backend,
    /** Which iptables holds Docker's chains on the host (nft or legacy): not Docker's backend; null with nftables. */
    iptablesVariant: status.iptablesVariant ?? null,
    iptablesVersion: status.iptablesVersion,
    locked: status.locked,
    chain: status.chain,
    allows: status.policy.allows.map((a) => allowJsonAt(a, status.now)),
    /** The policy rules in force in twelve hex digits, as the history names them before and after a change (null: none). */
    policyDigest: status.policyDigest ?? null,
    ports: status.ports.map(portJson),
    hooks: { ipv4: status.ipv4.hooks, ipv6: status.ipv6.hooks },
    rules: {
      ipv4: status.ipv4.rules.map(ruleJson),
      ipv6: status.ipv6.rules.map(ruleJson),
    },
    drift: { ipv4: status.ipv4.drift, ipv6: status.ipv6.drift },
    persistence: status.persistence,
    /** The watcher on the host; `current`: its script is the one this version installs (null: not compared). */
    watcher: { running: status.watcher.running, via: status.watcher.via ?? null, current: status.watcher.current ?? null },
    warnings: status.warnings,
  };
}

/**
 * An allow as every `--json` shows it (status, allow and deny, prune, history): `endPort` only for a
 * range, `expires` (ISO, UTC) only for one given for a while. What depends on the host's clock is
 * added on top by allowJsonAt.
 */
export function allowJson(allow: Allow) {
  return {
    port: allow.port,
    ...(allow.endPort === undefined ? {} : { endPort: allow.endPort }),
    proto: allow.proto,
    from: allow.from?.text ?? null,
    ...(allow.until === undefined ? {} : { expires: untilText(allow.until) }),
  };
}

/** An allow as it stands at `now` (the host's clock): allowJson, with `expired` beside `expires`, true once the clock passed it. */
export function allowJsonAt(allow: Allow, now: number) {
  return { ...allowJson(allow), ...(allow.until === undefined ? {} : { expired: isExpired(allow, now) }) };
}

/** A rule of ours with its counters; `role` is the kind of rule our comment names (null: not ours). */
function ruleJson({ chain, spec, packets, bytes, role }: StatusRule) {
  return { chain, spec, packets, bytes, role: role?.kind ?? null };
}

export function portJson(p: PortExposure) {
  return {
    container: p.container,
    hostIp: p.hostIp,
    hostPort: p.hostPort,
    containerPort: p.containerPort,
    proto: p.proto,
    exposure: p.exposure,
    reason: p.reason,
    /** What the port belongs to: `published` (a container's), `host-network`, `rootless`, `host-service`. */
    origin: p.origin,
    /** How outside traffic reaches it: `dnat`, `proxy`, `host-socket` or `routed` (the first of its paths). */
    path: p.path,
  };
}

export function psJson(host: string, inventory: Inventory, status: FirewallStatus) {
  return {
    schema: JSON_SCHEMA,
    host,
    locked: status.locked,
    containers: inventory.containers.map((c) => ({
      id: c.id,
      name: c.name,
      image: c.image,
      state: c.state,
      status: c.status,
      ports: status.ports.filter((p) => p.container === c.name).map(portJson),
    })),
  };
}
