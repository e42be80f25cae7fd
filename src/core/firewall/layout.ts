import { createHash } from 'node:crypto';
import type { ChainName, Family } from '../validate';
import { datestopText } from './expiry';
import { allowAppliesTo, normalizeAllows, type Allow, type Policy } from './policy';
import { comparePortSpecs, type PortSpec } from './port';
import { formatComment, type RuleRole } from './ruleComment';

/** The iptables tables we write to. Absent on a chain or hook means `filter`. */
export type Table = 'filter' | 'security';
export const TABLES: readonly Table[] = ['filter', 'security'];

/**
 * The rules we own in one address family, written exactly as iptables-save prints them back, so
 * that what we render and what we read can be compared text for text (drift, idempotence).
 */
export interface ChainLayout {
  readonly name: string;
  readonly table?: Table | undefined;
  /** Rule specs in order (the text after `-A NAME `), the state marker last. */
  readonly rules: readonly string[];
}

export interface Hook {
  readonly table?: Table | undefined;
  /** The built-in or Docker chain that jumps to ours. */
  readonly from: string;
  /** The jump as iptables-save prints it, e.g. `-j PRE_DOCKER`. */
  readonly spec: string;
  /** 1-based position of the jump in `from`. */
  readonly position: number;
}

export interface FamilyLayout {
  readonly chains: readonly ChainLayout[];
  readonly hooks: readonly Hook[];
}

export const EMPTY_LAYOUT: FamilyLayout = { chains: [], hooks: [] };

/** A port served on the host's own sockets, to be dropped on INPUT: on one local address, or all. */
export interface HostPortSpec extends PortSpec {
  /** A specific local address (`192.0.2.1`, `2001:db8::1`); undefined for the wildcard. */
  readonly address?: string | undefined;
}

/** Whose firewall Docker writes to, and so where our lockdown goes (nftRule.ts says it in nft's words). */
export type FirewallBackend = 'iptables' | 'nftables';

/**
 * What the host holds that the lockdown is written for, in one family. Everything here comes from
 * the host (the Docker API and the host's sockets) and has been validated before it gets here.
 */
export interface RenderContext {
  readonly chain: ChainName;
  /**
   * iptables (the default): hooked from Docker's DOCKER-USER and INPUT, with the guard in security.
   * nftables: Docker writes no DOCKER-USER; our own table's base chains `forward` and `input` hook
   * in before Docker's (a drop in any base chain is final), so no guard is needed.
   */
  readonly backend?: FirewallBackend | undefined;
  /** Whether Docker made DOCKER-USER in this family (it does not for IPv6 on Docker 20.10). */
  readonly dockerUser: boolean;
  /** The exact names of Docker's bridges; nothing else (no wildcard: `br-+` also matches br-lan). */
  readonly bridges: readonly string[];
  /** Ports served on the host's own sockets in this family: docker-proxy, host-network containers, rootless Docker. */
  readonly hostPorts: readonly HostPortSpec[];
  /** The SSH port the tool is connected through, never dropped; undefined when the host did not say. */
  readonly sshPort: number | undefined;
}

/** The base chains of our own nftables table (nftables backend): each holds one jump, as DOCKER-USER and INPUT do for iptables. */
export const NFT_BASE_CHAINS = { forward: 'forward', input: 'input' } as const;

/** The names of our chains, from the one the user chose. */
export interface ChainNames {
  /** filter, jumped to first from DOCKER-USER: the policy for traffic forwarded to containers. */
  readonly forward: ChainName;
  /** security, jumped to first from FORWARD: the same policy again, after filter (see renderLayout). */
  readonly guard: ChainName;
  /** filter and security: Docker's bridges, kept in step by the host's watcher. */
  readonly bridges: ChainName;
  /** filter, jumped to first from INPUT: the policy for the host's own sockets. */
  readonly input: ChainName;
  /** filter: the ports served on the host's own sockets, kept in step by the host's watcher. */
  readonly ports: ChainName;
  /** Docker Firewall 0.1's IPv6 INPUT chain, recognised so that it can be replaced. */
  readonly legacyProxy: ChainName;
}

export function chainNames(chain: ChainName): ChainNames {
  const named = (suffix: string) => `${chain}${suffix}` as ChainName;
  return { forward: chain, guard: named('_GUARD'), bridges: named('_NET'), input: named('_INPUT'), ports: named('_PORTS'), legacyProxy: named('_PROXY') };
}

/** Every chain name of ours in each table (the legacy one too), for reading and replacing. */
export function ownedChains(chain: ChainName): Record<Table, readonly string[]> {
  const n = chainNames(chain);
  return { filter: [n.forward, n.bridges, n.input, n.ports, n.legacyProxy], security: [n.guard, n.bridges] };
}

export const tableOf = (item: { readonly table?: Table | undefined }): Table => item.table ?? 'filter';

/** Where a hook sits, as a person would name it: `DOCKER-USER`, `INPUT`, `security FORWARD`. */
export function hookLocation(hook: Hook): string {
  if (hook.from === NFT_BASE_CHAINS.forward || hook.from === NFT_BASE_CHAINS.input) return `nftables ${hook.from}`;
  return hook.table === undefined || hook.table === 'filter' ? hook.from : `${hook.table} ${hook.from}`;
}

const comment = (role: RuleRole) => `-m comment --comment "${formatComment(role)}"`;

/** `-d 192.0.2.1/32`, as iptables-save prints a single address. */
function destination(address: string | undefined): string {
  if (address === undefined) return '';
  return `-d ${address}/${address.includes(':') ? 128 : 32} `;
}

/**
 * Renders the lockdown for one family. An open policy owns nothing.
 *
 * Two paths lead from outside to a container's port, and each gets a policy chain:
 * - forwarded (Docker's DNAT, or direct routing to a container): `forward`, first in DOCKER-USER,
 *   and `guard`, first in security FORWARD. Docker never writes to the security table, which runs
 *   after filter and so sees only what filter let through: Docker 20.10 deletes and re-inserts its
 *   FORWARD -> DOCKER-USER jump at every `docker network create`, and in between its own rules
 *   accepted packets that skipped DOCKER-USER (measured: 34 of 836 connections got through). The
 *   guard drops them; its drop counters count exactly such escapes.
 * - local delivery to a socket on the host (docker-proxy, a host-network container, rootless Docker):
 *   `input`, first in INPUT. Only the ports of those sockets are dropped, never the SSH port we came
 *   in on, loopback or any other service of the host.
 *
 * Each policy chain lets replies and the allows through, then jumps with `-g` (goto) to a chain
 * that only lists what the host holds: Docker's bridges, or the host ports. A RETURN there returns
 * past the policy chain, as if the policy chain had returned. Those two chains are a function of
 * the host's state alone, so the watcher on the host rewrites them when a network or container
 * appears (watcher.ts) and nothing else has to change.
 */
export function renderLayout(family: Family, policy: Policy, context: RenderContext): FamilyLayout {
  if (!policy.locked) return EMPTY_LAYOUT;
  const names = chainNames(context.chain);
  const allows = allowRules(family, policy.allows);
  const established = `-m conntrack --ctstate RELATED,ESTABLISHED ${comment({ kind: 'established' })} -j RETURN`;
  const chains: ChainLayout[] = [];
  const hooks: Hook[] = [];
  const nftables = context.backend === 'nftables';
  if (context.dockerUser || nftables) {
    const forward = [established, ...allows, `${comment({ kind: 'to-bridges' })} -g ${names.bridges}`];
    const bridges = bridgeRules(context.bridges);
    chains.push(withMarker(names.forward, forward), withMarker(names.bridges, bridges));
    if (nftables) {
      hooks.push({ from: NFT_BASE_CHAINS.forward, spec: `-j ${names.forward}`, position: 1 });
    } else {
      chains.push({ ...withMarker(names.guard, forward), table: 'security' }, { ...withMarker(names.bridges, bridges), table: 'security' });
      hooks.push({ from: 'DOCKER-USER', spec: `-j ${names.forward}`, position: 1 });
      hooks.push({ table: 'security', from: 'FORWARD', spec: `-j ${names.guard}`, position: 1 });
    }
  }
  const input = [
    established,
    `-i lo ${comment({ kind: 'loopback' })} -j RETURN`,
    ...(context.sshPort === undefined ? [] : [`-p tcp -m tcp --dport ${context.sshPort} ${comment({ kind: 'ssh' })} -j RETURN`]),
    ...allows,
    `${comment({ kind: 'to-ports' })} -g ${names.ports}`,
  ];
  chains.push(withMarker(names.input, input), withMarker(names.ports, portRules(context.bridges, context.hostPorts, context.sshPort)));
  hooks.push({ from: nftables ? NFT_BASE_CHAINS.input : 'INPUT', spec: `-j ${names.input}`, position: 1 });
  return { chains, hooks };
}

/** The allows that apply in a family, in a stable order, as rules that let new connections through. */
export function allowRules(family: Family, allows: readonly Allow[]): string[] {
  return normalizeAllows(allows)
    .filter((allow) => allowAppliesTo(allow, family))
    .map((allow) => {
      const source = allow.from ? `-s ${allow.from.text} ` : '';
      // The kernel ends an allow given for a while: after --datestop (UTC) the rule matches nothing.
      const expiry = allow.until === undefined ? '' : `-m time --datestop ${datestopText(allow.until)} `;
      return `${source}-p ${allow.proto} -m conntrack --ctorigdstport ${allow.port}${allow.endPort === undefined ? '' : `:${allow.endPort}`} --ctdir ORIGINAL ${expiry}${comment({ kind: 'allow', allow })} -j RETURN`;
    });
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Bridges in byte order (the watcher on the host sorts them the same way, with LC_ALL=C). */
export function sortedBridges(bridges: readonly string[]): string[] {
  return [...new Set(bridges)].sort(byteOrder);
}

/** Traffic that containers start passes; new connections from outside to a bridge are dropped. */
export function bridgeRules(bridges: readonly string[]): string[] {
  const sorted = sortedBridges(bridges);
  return [
    ...sorted.map((bridge) => `-i ${bridge} ${comment({ kind: 'from-containers' })} -j RETURN`),
    ...sorted.map((bridge) => `-o ${bridge} ${comment({ kind: 'block' })} -j DROP`),
  ];
}

/** Host ports in a stable order: by port, protocol, then address (wildcard first). */
export function sortedHostPorts(ports: readonly HostPortSpec[], sshPort: number | undefined): HostPortSpec[] {
  const seen = new Map<string, HostPortSpec>();
  for (const p of ports) {
    if (p.proto === 'tcp' && p.port === sshPort) continue;
    seen.set(`${p.port}/${p.proto}@${p.address ?? ''}`, p);
  }
  // Addresses in byte order, the wildcard first, as the watcher's `LC_ALL=C sort` puts them.
  return [...seen.values()].sort((a, b) => comparePortSpecs(a, b) || byteOrder(a.address ?? '', b.address ?? ''));
}

/**
 * Containers reach published ports through docker-proxy too (hairpin over the host's address):
 * traffic from a bridge passes; then each host port's new connections are dropped.
 */
export function portRules(bridges: readonly string[], ports: readonly HostPortSpec[], sshPort: number | undefined): string[] {
  return [
    ...sortedBridges(bridges).map((bridge) => `-i ${bridge} ${comment({ kind: 'from-containers' })} -j RETURN`),
    ...sortedHostPorts(ports, sshPort).map(
      ({ port, proto, address }) => `${destination(address)}-p ${proto} -m ${proto} --dport ${port} ${comment({ kind: 'port', port, proto })} -j DROP`,
    ),
  ];
}

/** The marker closes each chain and names a digest of the rules above it: drift shows as a mismatch. */
export function withMarker(name: string, rules: readonly string[]): ChainLayout {
  return { name, rules: [...rules, `${comment({ kind: 'state', digest: digestOf(rules) })}`] };
}

export function digestOf(rules: readonly string[]): string {
  return createHash('sha256').update(rules.join('\n')).digest('hex').slice(0, 12);
}

export function sameLayout(a: FamilyLayout, b: FamilyLayout): boolean {
  return layoutKey(a) === layoutKey(b);
}

function layoutKey(layout: FamilyLayout): string {
  return JSON.stringify({
    chains: [...layout.chains]
      .map((c) => ({ name: c.name, table: tableOf(c), rules: c.rules }))
      .sort((x, y) => `${x.table} ${x.name}`.localeCompare(`${y.table} ${y.name}`)),
    hooks: [...layout.hooks]
      .map((h) => ({ table: tableOf(h), from: h.from, spec: h.spec, position: h.position }))
      .sort((x, y) => `${x.table} ${x.from} ${x.spec}`.localeCompare(`${y.table} ${y.from} ${y.spec}`)),
  });
}
