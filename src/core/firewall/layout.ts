import { createHash } from 'node:crypto';
import type { ChainName, Family } from '../validate';
import { allowAppliesTo, normalizeAllows, type Policy } from './policy';
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
  /** The jump as iptables-save prints it, e.g. `-j PRE_DOCKER` or `-o docker0 -j PRE_DOCKER`. */
  readonly spec: string;
  /** 1-based position of the jump in `from`. */
  readonly position: number;
}

export interface FamilyLayout {
  readonly chains: readonly ChainLayout[];
  readonly hooks: readonly Hook[];
}

export const EMPTY_LAYOUT: FamilyLayout = { chains: [], hooks: [] };

export interface RenderContext {
  readonly chain: ChainName;
  /** Whether Docker made DOCKER-USER in this family (it does not for IPv6 on Docker 20.10). */
  readonly dockerUser: boolean;
  /** Docker bridges whose forwarded traffic the lockdown covers; `+` is iptables' wildcard. */
  readonly bridges: readonly string[];
  /** IPv6 only: ports docker-proxy serves on `[::]`, reached over INPUT rather than FORWARD. */
  readonly proxiedPorts: readonly PortSpec[];
}

export const DEFAULT_BRIDGES: readonly string[] = ['docker0', 'br-+'];

export function proxyChainName(chain: ChainName): ChainName {
  return `${chain}_PROXY` as ChainName;
}

export function guardChainName(chain: ChainName): ChainName {
  return `${chain}_GUARD` as ChainName;
}

export const tableOf = (item: { readonly table?: Table | undefined }): Table => item.table ?? 'filter';

/** Where a hook sits, as a person would name it: `DOCKER-USER`, `INPUT`, `security FORWARD`. */
export function hookLocation(hook: Hook): string {
  return hook.table === undefined || hook.table === 'filter' ? hook.from : `${hook.table} ${hook.from}`;
}

const comment = (role: RuleRole) => `-m comment --comment "${formatComment(role)}"`;

/** Renders the lockdown for one family. An open policy owns nothing. */
export function renderLayout(family: Family, policy: Policy, context: RenderContext): FamilyLayout {
  if (!policy.locked) return EMPTY_LAYOUT;
  const allows = normalizeAllows(policy.allows).filter((allow) => allowAppliesTo(allow, family));
  const allowRules = allows.map((allow) => {
    const source = allow.from ? `-s ${allow.from.text} ` : '';
    return `${source}-p ${allow.proto} -m conntrack --ctorigdstport ${allow.port} --ctdir ORIGINAL ${comment({ kind: 'allow', allow })} -j RETURN`;
  });
  const established = `-m conntrack --ctstate RELATED,ESTABLISHED ${comment({ kind: 'established' })} -j RETURN`;

  const chains: ChainLayout[] = [];
  const hooks: Hook[] = [];
  if (context.dockerUser) {
    const lockdown = [
      // Replies and traffic that containers start themselves (egress, container to container) pass.
      established,
      ...context.bridges.map((bridge) => `-i ${bridge} ${comment({ kind: 'from-containers' })} -j RETURN`),
      ...allowRules,
      ...context.bridges.map((bridge) => `-o ${bridge} ${comment({ kind: 'block' })} -j DROP`),
    ];
    chains.push(withMarker(context.chain, lockdown));
    hooks.push({ from: 'DOCKER-USER', spec: `-j ${context.chain}`, position: 1 });
    // The same rules again in the security table's FORWARD, which Docker never writes to and which
    // runs after filter: it sees only what filter let through. Docker 20.10 deletes and re-inserts its
    // FORWARD -> DOCKER-USER jump at every `docker network create`, and in between Docker's own rules
    // accept packets that skipped DOCKER-USER (measured: 34 of 836 connections got through). The
    // guard drops them; its drop counters count exactly such escapes.
    const guard = guardChainName(context.chain);
    chains.push({ ...withMarker(guard, lockdown), table: 'security' });
    hooks.push({ table: 'security', from: 'FORWARD', spec: `-j ${guard}`, position: 1 });
  }
  if (family === 'ipv6') {
    // docker-proxy answers on [::]:PORT as a local process: that traffic goes through INPUT, where
    // DOCKER-USER never sees it. Only the published ports are dropped, so SSH and other services are untouched.
    const proxy = proxyChainName(context.chain);
    chains.push(
      withMarker(proxy, [
        established,
        `-i lo ${comment({ kind: 'loopback' })} -j RETURN`,
        ...allowRules,
        ...[...context.proxiedPorts]
          .sort(comparePortSpecs)
          .map(({ port, proto }) => `-p ${proto} -m ${proto} --dport ${port} ${comment({ kind: 'proxy-block', port, proto })} -j DROP`),
      ]),
    );
    hooks.push({ from: 'INPUT', spec: `-j ${proxy}`, position: 1 });
  }
  return { chains, hooks };
}

/** The marker closes each chain and names a digest of the rules above it: drift shows as a mismatch. */
function withMarker(name: string, rules: string[]): ChainLayout {
  return { name, rules: [...rules, `${comment({ kind: 'state', digest: digestOf(rules) })}`] };
}

export function digestOf(rules: readonly string[]): string {
  return createHash('sha256').update(rules.join('\n')).digest('hex').slice(0, 12);
}

export function sameLayout(a: FamilyLayout, b: FamilyLayout): boolean {
  const key = (layout: FamilyLayout) =>
    JSON.stringify({
      chains: [...layout.chains].map((c) => ({ name: c.name, table: tableOf(c), rules: c.rules })).sort((x, y) => x.name.localeCompare(y.name)),
      hooks: [...layout.hooks]
        .map((h) => ({ table: tableOf(h), from: h.from, spec: h.spec, position: h.position }))
        .sort((x, y) => `${x.table} ${x.from} ${x.spec}`.localeCompare(`${y.table} ${y.from} ${y.spec}`)),
    });
  return key(a) === key(b);
}
