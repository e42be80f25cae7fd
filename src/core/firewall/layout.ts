import { createHash } from 'node:crypto';
import type { Family } from '../validate';
import { allowAppliesTo, normalizeAllows, type Policy } from './policy';
import { formatComment, type RuleRole } from './ruleComment';

/**
 * The rules we own in one address family, written exactly as iptables-save prints them back, so
 * that what we render and what we read can be compared text for text (drift, idempotence).
 */
export interface ChainLayout {
  readonly name: string;
  /** Rule specs in order (the text after `-A NAME `), the state marker last. */
  readonly rules: readonly string[];
}

export interface Hook {
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

/** Published ports that docker-proxy serves on an IPv6 wildcard, reached over INPUT rather than FORWARD. */
export interface ProxiedPort {
  readonly port: number;
  readonly proto: 'tcp' | 'udp';
}

export interface RenderContext {
  readonly chain: string;
  /** Whether Docker made DOCKER-USER in this family (it does not for IPv6 on Docker 20.10). */
  readonly dockerUser: boolean;
  /** Docker bridges whose forwarded traffic the lockdown covers; `+` is iptables' wildcard. */
  readonly bridges: readonly string[];
  /** IPv6 only: ports docker-proxy serves on `[::]`. */
  readonly proxiedPorts: readonly ProxiedPort[];
}

export const DEFAULT_BRIDGES: readonly string[] = ['docker0', 'br-+'];

export function proxyChainName(chain: string): string {
  return `${chain}_PROXY`;
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
    chains.push(
      withMarker(context.chain, [
        // Replies and traffic that containers start themselves (egress, container to container) pass.
        established,
        ...context.bridges.map((bridge) => `-i ${bridge} ${comment({ kind: 'from-containers' })} -j RETURN`),
        ...allowRules,
        ...context.bridges.map((bridge) => `-o ${bridge} ${comment({ kind: 'block' })} -j DROP`),
      ]),
    );
    hooks.push({ from: 'DOCKER-USER', spec: `-j ${context.chain}`, position: 1 });
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
          .sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto))
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
      chains: [...layout.chains].sort((x, y) => x.name.localeCompare(y.name)),
      hooks: [...layout.hooks].sort((x, y) => `${x.from} ${x.spec}`.localeCompare(`${y.from} ${y.spec}`)),
    });
  return key(a) === key(b);
}
