import * as l10n from '@vscode/l10n';
import type { ContainerSummary, Inventory } from '../docker/inventoryModel';
import type { Family } from '../validate';
import type { HostFacts, ListeningSocket } from './hostFacts';
import type { HostPortSpec } from './layout';
import type { ChainCheck, FamilyCheck } from './layoutCheck';
import type { Allow, Policy } from './policy';
import { describeAllow } from './policy';
import { isExpired } from './expiry';
import { allowsFor, endpointText, familyOf, isLoopback, type PortProto, type PublishedPort } from './port';
import { containerBridges, socketFamilies, socketOrigin } from './scope';

/**
 * How reachable a port is from outside the host, never more optimistic than the rules in force:
 * - `exposed`: reachable from every network (no lockdown, or not covered by it);
 * - `host-network`, `routed`: the same, for a host-network container's socket and for a container
 *   port reachable by direct routing (a `routed` or `nat-unprotected` network);
 * - `blocked`: every path to it is dropped by rules that are exactly Docker Firewall's;
 * - `allowed`: reachable, through an allow (from anywhere or from a range);
 * - `local-only`: published on loopback, or on a network no outside traffic reaches;
 * - `unverified`: the lockdown meant to block it, but a rule on its path is not the one Docker
 *   Firewall wrote (or its jump is not first): until it is applied again, or `verify` shows it
 *   closed from outside, it is not called blocked;
 * - `host-service`: a process of the host itself (sshd, a database installed without Docker); the
 *   lockdown does not cover those and never calls them blocked;
 * - `unknown`: what serves it could not be read.
 */
export type Exposure = 'exposed' | 'blocked' | 'allowed' | 'local-only' | 'unverified' | 'host-network' | 'routed' | 'host-service' | 'unknown';

/** How outside traffic reaches a port: Docker's DNAT, docker-proxy's socket, another socket of the host, routing to the container. */
export type PortPath = 'dnat' | 'proxy' | 'host-socket' | 'routed';

/** What a port belongs to. */
export type PortOrigin = 'published' | 'host-network' | 'rootless' | 'host-service';

export interface PortExposure extends PublishedPort {
  readonly exposure: Exposure;
  /** One sentence a user can read in a tooltip: why the port is in this state. */
  readonly reason: string;
  readonly origin: PortOrigin;
  /** The path that counts most for the port (the first of `paths`). */
  readonly path: PortPath;
  /** Every path that reaches it. */
  readonly paths: readonly PortPath[];
}

/** What the rules in force do, per family, as checked by layoutCheck. */
export interface Protection {
  readonly ipv4: FamilyCheck;
  readonly ipv6: FamilyCheck;
}

type PathVerdict =
  | { readonly kind: 'blocked' }
  | { readonly kind: 'allowed'; readonly allows: readonly Allow[] }
  | { readonly kind: 'not-covered'; readonly why: string }
  | { readonly kind: 'unverified'; readonly why: string };

/** The verdict of one path through the chains that may stop it (both must let a packet through for it to pass). */
function throughChains(chains: readonly (ChainCheck | undefined)[], covers: (check: Extract<ChainCheck, { ok: true }>) => boolean, port: AllowSubject, uncovered: string): PathVerdict {
  let allowed: readonly Allow[] | undefined;
  const problems: string[] = [];
  let anyOk = false;
  for (const check of chains) {
    if (check === undefined) continue;
    if (!check.ok) {
      problems.push(check.problem);
      continue;
    }
    anyOk = true;
    if (!covers(check)) continue;
    const allows = allowsFor(check.allows, port);
    if (allows.length === 0) return { kind: 'blocked' };
    allowed ??= allows;
  }
  if (allowed !== undefined) return { kind: 'allowed', allows: allowed };
  if (problems.length > 0) return { kind: 'unverified', why: problems.join('; ') };
  return { kind: 'not-covered', why: anyOk ? uncovered : l10n.t('no rule of the lockdown is on this path') };
}

interface AllowSubject {
  readonly hostPort: number;
  readonly proto: PortProto;
  readonly hostIp: string;
}

const hostSocketCovers = (port: { hostPort: number; proto: PortProto; hostIp: string }) => (check: Extract<ChainCheck, { ok: true }>) =>
  check.ports.some((p: HostPortSpec) => p.port === port.hostPort && p.proto === port.proto && (p.address === undefined || p.address === port.hostIp));

/** A family's checks with the allows that have ended left out: their time match lets nothing through. */
function liveFamily(family: FamilyCheck, now: number): FamilyCheck {
  const live = (check: ChainCheck | undefined): ChainCheck | undefined => (check?.ok === true ? { ...check, allows: check.allows.filter((a) => !isExpired(a, now)) } : check);
  return { ...family, forward: live(family.forward), guard: live(family.guard), input: live(family.input)! };
}

/** Combines the paths of one port: something definitely reachable wins, then doubt, then an allow. */
function combine(verdicts: readonly PathVerdict[]): PathVerdict {
  return (
    verdicts.find((v) => v.kind === 'not-covered') ??
    verdicts.find((v) => v.kind === 'unverified') ??
    verdicts.find((v) => v.kind === 'allowed') ?? { kind: 'blocked' }
  );
}

export interface ExposureInput {
  readonly inventory: Inventory;
  readonly facts: HostFacts;
  readonly policy: Policy;
  readonly protection: Protection;
  /** Whether Docker writes DNAT rules in each family (its chains are in that family's tables). */
  readonly dockerNat: { readonly ipv4: boolean; readonly ipv6: boolean };
  /** The host's clock (Unix seconds): an allow that has ended opens nothing. */
  readonly now: number;
}

/** Every published port of every container, and every host-network or rootless socket, with its exposure. */
export function portExposures(given: ExposureInput): PortExposure[] {
  const input = { ...given, protection: { ipv4: liveFamily(given.protection.ipv4, given.now), ipv6: liveFamily(given.protection.ipv6, given.now) } };
  const published = input.inventory.containers.flatMap((container) => container.ports.map((port) => publishedExposure(container, port, input)));
  const sockets = (input.facts.sockets ?? []).flatMap((socket) => socketExposures(socket, input));
  return [...published, ...sockets];
}

function publishedExposure(container: ContainerSummary, port: PublishedPort, input: ExposureInput): PortExposure {
  const where = endpointText(port);
  const family: Family = port.hostIp === '' ? 'ipv4' : familyOf(port.hostIp);
  const networks = containerBridges(container, input.inventory.networks);
  const modes = networks.map((n) => n.network?.gatewayMode[family]);
  const routed = modes.includes('routed');
  const unprotected = modes.includes('nat-unprotected');
  const paths: PortPath[] = routed ? ['routed'] : [...(natReaches(container, family, input) ? (['dnat'] as const) : []), 'proxy', ...(unprotected ? (['routed'] as const) : [])];
  const is = (exposure: Exposure, reason: string): PortExposure => ({ ...port, exposure, reason, origin: 'published', path: paths[0] ?? 'proxy', paths });

  if (isLoopback(port.hostIp)) return is('local-only', l10n.t("{0} is published on the host's loopback only.", where));
  const closed = networks.find((n) => n.network?.internal === true || n.network?.gatewayMode[family] === 'isolated');
  if (closed !== undefined && networks.length === 1) {
    return is(
      'local-only',
      closed.network?.internal === true
        ? l10n.t('{0}: network {1} takes no traffic from outside the host (internal).', where, closed.name)
        : l10n.t('{0}: network {1} takes no traffic from outside the host (isolated).', where, closed.name),
    );
  }
  const uncovered: Exposure = routed ? 'routed' : 'exposed';
  if (!input.policy.locked) {
    return is(
      uncovered,
      routed
        ? l10n.t(
            '{0}: network {1} is routed (no NAT): container port {2} is reachable by direct routing; this host has no lockdown.',
            where,
            networks.map((n) => n.name).join(', '),
            `${port.containerPort}/${port.proto}`,
          )
        : l10n.t('{0} is published to every network: this host has no lockdown.', where),
    );
  }
  const check = input.protection[family];
  const verdicts: PathVerdict[] = paths.map((path) => {
    if (path === 'proxy') {
      return throughChains([check.input], hostSocketCovers(port), port, l10n.t("{0} is served by docker-proxy and is not among the lockdown's ports yet (published after the lockdown: apply it again)", where));
    }
    const missing = networks.filter((n) => n.bridge === undefined);
    if (missing.length > 0) {
      const unusable = missing.map((n) =>
        n.network?.bridge?.unusable !== undefined ? l10n.t('{0} (bridge name {1} cannot be written into a rule)', n.name, JSON.stringify(n.network.bridge.unusable)) : n.name,
      );
      return { kind: 'not-covered', why: l10n.t('{0}: the lockdown cannot cover network {1}', where, unusable.join(', ')) };
    }
    const bridges = networks.map((n) => n.bridge!);
    const newer = (check: Extract<ChainCheck, { ok: true }>) => bridges.filter((b) => !check.bridges.has(b));
    const firstOk = [check.forward, check.guard].find((c): c is Extract<ChainCheck, { ok: true }> => c?.ok === true);
    // Used only when a chain of the path was read (firstOk): then it names the bridges that chain lacks.
    const because =
      firstOk === undefined
        ? ''
        : l10n.t(
            '{0}: network {1} was created after the lockdown and the watcher has not added it: apply the lockdown again',
            where,
            networks
              .filter((n) => newer(firstOk).includes(n.bridge!))
              .map((n) => l10n.t('{0} (bridge {1})', n.name, n.bridge!))
              .join(', '),
          );
    return throughChains([check.forward, check.guard], (c) => bridges.every((b) => c.bridges.has(b)), routedSubject(port, path), because);
  });
  return fromVerdict(combine(verdicts), where, is, uncovered);
}

/** A routed path reaches the container port itself: that is what an allow names there. */
function routedSubject(port: PublishedPort, path: PortPath): AllowSubject {
  return path === 'routed' ? { hostPort: port.containerPort, proto: port.proto, hostIp: port.hostIp } : port;
}

function natReaches(container: ContainerSummary, family: Family, input: ExposureInput): boolean {
  if (!input.dockerNat[family]) return false;
  if (family === 'ipv4') return true;
  // Docker DNATs IPv6 only to containers that have an IPv6 address (IPv6-enabled networks).
  return container.networks.some((n) => n.ipv6 !== undefined);
}

function fromVerdict(verdict: PathVerdict, where: string, is: (exposure: Exposure, reason: string) => PortExposure, uncovered: Exposure): PortExposure {
  switch (verdict.kind) {
    case 'blocked':
      return is('blocked', l10n.t('{0} is blocked for new connections from outside the host.', where));
    case 'allowed':
      return is('allowed', l10n.t('{0} is open: {1}.', where, verdict.allows.map(describeAllow).join('; ')));
    case 'not-covered':
      return is(uncovered, `${verdict.why}.`);
    case 'unverified':
      return is('unverified', l10n.t('{0} is meant to be blocked, but {1}: not called blocked until the lockdown is applied again or a check from outside shows it closed.', where, verdict.why));
  }
}

/** Sockets that are not Docker's published ports: host-network containers, rootless Docker, host services. */
function socketExposures(socket: ListeningSocket, input: ExposureInput): PortExposure[] {
  if (isLoopback(socket.address) || socket.device === 'lo') return [];
  const origin = socketOrigin(socket, input.inventory, input.facts.processes);
  if (origin.kind === 'docker-proxy' || origin.kind === 'container') return [];
  return socketFamilies(socket.address).map((family) => {
    const hostIp = socket.address === '*' ? (family === 'ipv4' ? '0.0.0.0' : '::') : socket.address;
    const container = origin.kind === 'host-network' ? origin.container.name : '';
    const base = { container, hostIp, hostPort: socket.port, containerPort: socket.port, proto: socket.proto, path: 'host-socket' as const, paths: ['host-socket' as const] };
    const where = endpointText(base);
    const kind: PortOrigin = origin.kind === 'host-network' ? 'host-network' : origin.kind === 'rootless' ? 'rootless' : 'host-service';
    const is = (exposure: Exposure, reason: string): PortExposure => ({ ...base, exposure, reason, origin: kind });
    if (origin.kind === 'host-service') {
      return is(
        'host-service',
        origin.process === undefined
          ? l10n.t('{0} is served by a process of the host itself: Docker Firewall does not cover host services.', where)
          : l10n.t('{0} is served by {1} of the host itself: Docker Firewall does not cover host services.', where, origin.process),
      );
    }
    const hostNetwork = origin.kind === 'host-network';
    const uncovered: Exposure = hostNetwork ? 'host-network' : 'exposed';
    if (!input.policy.locked) {
      return is(
        uncovered,
        hostNetwork
          ? l10n.t("{0}: container {1} is on the host network: not behind Docker's NAT; this host has no lockdown.", where, origin.container.name)
          : l10n.t("{0}: {1} serves a rootless Docker's published port on the host's own socket (INPUT path); this host has no lockdown.", where, String(origin.process)),
      );
    }
    const notYet = hostNetwork
      ? l10n.t("{0}: container {1} is on the host network: not behind Docker's NAT, and it is not among the lockdown's ports yet (started after the lockdown: apply it again)", where, origin.container.name)
      : l10n.t(
          "{0}: {1} serves a rootless Docker's published port on the host's own socket (INPUT path), and it is not among the lockdown's ports yet (started after the lockdown: apply it again)",
          where,
          String(origin.process),
        );
    const verdict = throughChains([input.protection[family].input], hostSocketCovers(base), base, notYet);
    return fromVerdict(verdict, where, is, uncovered);
  });
}
