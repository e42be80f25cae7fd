import * as l10n from '@vscode/l10n';
import type { ChainName, Family } from '../validate';
import type { FamilyTables, OwnRule } from './firewallTables';
import type { SavedTable } from './iptablesSave';
import { rulesOf } from './iptablesSave';
import { allowRules, bridgeRules, chainNames, NFT_BASE_CHAINS, portRules, withMarker, type HostPortSpec, type Table } from './layout';
import { normalizeAllows, type Allow } from './policy';
import type { PortSpec } from './port';

/**
 * What the rules in force actually do, checked rule by rule: never what their comments claim.
 *
 * Each chain of ours is decoded (its allows, bridges, ports, SSH port are read from its rules),
 * rendered again from what was decoded, and compared with the rules in force text for text, state
 * marker included. A chain that is not exactly what Docker Firewall would write — a RETURN inserted
 * on top, a rule edited, a comment that claims more than its rule does — does not pass, and neither
 * does one whose hook is not the first rule of the chain that jumps to it, or is not a plain jump.
 * What passes is trusted for exactly what it was decoded to cover.
 *
 * The state marker is a digest of the rules above it: it shows a hand edit that does not bother to
 * imitate our rules. It is not a signature, and anyone with root on the host can rewrite our rules
 * and recompute it; that gains nothing here, because the check above needs no marker to catch a
 * rule that differs from ours. The one change it cannot tell from ours is one that is ours in form:
 * a forged allow, which then shows as an allow (and its port as reachable, which is true). Checking
 * from outside (`docker-firewall verify`) trusts nothing on the host at all.
 */

/** One path's chain as found: trusted (with what it covers), or why not. */
export type ChainCheck =
  | { readonly ok: true; readonly allows: readonly Allow[]; readonly bridges: ReadonlySet<string>; readonly ports: readonly HostPortSpec[]; readonly sshPort: number | undefined }
  | { readonly ok: false; readonly present: boolean; readonly problem: string };

export interface FamilyCheck {
  readonly family: Family;
  /** DOCKER-USER path (filter); undefined where Docker made no DOCKER-USER (no forwarded path to cover). */
  readonly forward: ChainCheck | undefined;
  /** security FORWARD path; undefined as for forward. */
  readonly guard: ChainCheck | undefined;
  /** INPUT path: the host's own sockets. */
  readonly input: ChainCheck;
  /** Our chains in the layout of Docker Firewall 0.1 (PRE_DOCKER with the bridges inline, PRE_DOCKER_PROXY). */
  readonly legacyLayout: boolean;
}

const LABEL: Record<Family, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

export function checkFamily(family: FamilyTables, chain: ChainName): FamilyCheck {
  const names = chainNames(chain);
  const label = LABEL[family.family];
  const ours = (table: Table, name: string) => family.rules.filter((r) => r.table === table && r.chain === name);
  const exists = (table: Table, name: string) => family.layout.chains.some((c) => (c.table ?? 'filter') === table && c.name === name);
  const legacyLayout =
    exists('filter', names.legacyProxy) || ours('filter', names.forward).some((r) => r.role?.kind === 'block' || r.role?.kind === 'from-containers');

  const missing = (name: string) => l10n.t('{0}: chain {1} is missing', label, name);
  const notOurs = (name: string) => l10n.t('{0}: the rules of {1} are not the ones Docker Firewall wrote', label, name);
  const olderVersion = () => l10n.t('{0}: the lockdown was written by an older version of Docker Firewall', label);
  const firstRule = (table: SavedTable | undefined, chain: string) => rulesOf(table, chain)[0]?.spec;
  const hooked = (table: SavedTable | undefined, from: string, to: string, where: string): string | undefined => {
    const first = firstRule(table, from);
    if (first === `-j ${to}`) return undefined;
    const elsewhere = rulesOf(table, from).some((r) => r.target === to);
    return elsewhere ? l10n.t('{0}: the jump to {1} is not the first rule of {2}', label, to, where) : l10n.t('{0}: nothing in {1} jumps to {2}', label, where, to);
  };

  const forwardPath = (table: Table, policyChain: string, hook: string | undefined): ChainCheck => {
    if (!exists(table, policyChain)) return { ok: false, present: false, problem: missing(policyChain) };
    if (legacyLayout) return { ok: false, present: true, problem: olderVersion() };
    if (hook !== undefined) return { ok: false, present: true, problem: hook };
    const policy = decodePolicy(ours(table, policyChain));
    const expected = withMarker(policyChain, [
      ...policyHead(),
      ...allowRules(family.family, policy.allows),
      `-m comment --comment "docker-firewall:v1 to-bridges" -g ${names.bridges}`,
    ]).rules;
    const actual = ours(table, policyChain).map((r) => r.spec);
    if (!same(expected, actual)) return { ok: false, present: true, problem: notOurs(policyChain) };
    if (!exists(table, names.bridges)) return { ok: false, present: true, problem: missing(names.bridges) };
    const bridges = decodeBridges(ours(table, names.bridges));
    const bridgeExpected = withMarker(names.bridges, bridgeRules(bridges)).rules;
    if (!same(bridgeExpected, ours(table, names.bridges).map((r) => r.spec))) {
      return { ok: false, present: true, problem: notOurs(table === 'security' ? l10n.t('{0} (security)', names.bridges) : names.bridges) };
    }
    return { ok: true, allows: policy.allows, bridges: new Set(bridges), ports: [], sshPort: undefined };
  };

  let forward: ChainCheck | undefined;
  let guard: ChainCheck | undefined;
  const inputHook = family.backend === 'nftables' ? NFT_BASE_CHAINS.input : 'INPUT';
  if (family.backend === 'nftables') {
    // Our own base chain hooks forward before Docker's chains: no DOCKER-USER, no guard to check.
    forward = forwardPath('filter', names.forward, hooked(family.filter, NFT_BASE_CHAINS.forward, names.forward, l10n.t('our nftables {0} chain', NFT_BASE_CHAINS.forward)));
  } else if (family.dockerUser) {
    const intoDockerUser = firstRule(family.filter, 'FORWARD') === '-j DOCKER-USER' ? undefined : l10n.t('{0}: FORWARD does not jump to DOCKER-USER first', label);
    forward = forwardPath('filter', names.forward, intoDockerUser ?? hooked(family.filter, 'DOCKER-USER', names.forward, 'DOCKER-USER'));
    guard = forwardPath('security', names.guard, hooked(family.security, 'FORWARD', names.guard, 'security FORWARD'));
  }

  const inputPath = (): ChainCheck => {
    if (!exists('filter', names.input)) {
      const legacy = exists('filter', names.legacyProxy);
      return { ok: false, present: legacy, problem: legacy ? olderVersion() : missing(names.input) };
    }
    const hook = hooked(family.filter, inputHook, names.input, family.backend === 'nftables' ? l10n.t('our nftables {0} chain', inputHook) : 'INPUT');
    if (hook !== undefined) return { ok: false, present: true, problem: hook };
    const rules = ours('filter', names.input);
    const policy = decodePolicy(rules);
    const sshPort = decodeSshPort(rules);
    const expected = withMarker(names.input, [
      ...policyHead(),
      '-i lo -m comment --comment "docker-firewall:v1 loopback" -j RETURN',
      ...(sshPort === undefined ? [] : [`-p tcp -m tcp --dport ${sshPort} -m comment --comment "docker-firewall:v1 ssh" -j RETURN`]),
      ...allowRules(family.family, policy.allows),
      `-m comment --comment "docker-firewall:v1 to-ports" -g ${names.ports}`,
    ]).rules;
    if (!same(expected, rules.map((r) => r.spec))) return { ok: false, present: true, problem: notOurs(names.input) };
    if (!exists('filter', names.ports)) return { ok: false, present: true, problem: missing(names.ports) };
    const portChain = ours('filter', names.ports);
    const bridges = decodeBridges(portChain);
    const ports = decodePorts(portChain);
    if (!same(withMarker(names.ports, portRules(bridges, ports, sshPort)).rules, portChain.map((r) => r.spec))) {
      return { ok: false, present: true, problem: notOurs(names.ports) };
    }
    return { ok: true, allows: policy.allows, bridges: new Set(bridges), ports, sshPort };
  };

  return { family: family.family, forward, guard, input: inputPath(), legacyLayout };
}

function policyHead(): string[] {
  return ['-m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "docker-firewall:v1 established" -j RETURN'];
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/** The allows a policy chain's comments claim (the re-render then proves the rules match them). */
function decodePolicy(rules: readonly OwnRule[]): { allows: Allow[] } {
  return { allows: normalizeAllows(rules.flatMap((r) => (r.role?.kind === 'allow' ? [r.role.allow] : []))) };
}

function decodeBridges(rules: readonly OwnRule[]): string[] {
  return rules.flatMap((r) => {
    if (r.role?.kind !== 'from-containers') return [];
    const index = r.args.indexOf('-i');
    const name = index === -1 ? undefined : r.args[index + 1];
    return name === undefined ? [] : [name];
  });
}

function decodeSshPort(rules: readonly OwnRule[]): number | undefined {
  const rule = rules.find((r) => r.role?.kind === 'ssh');
  if (rule === undefined) return undefined;
  const index = rule.args.indexOf('--dport');
  const port = Number(index === -1 ? NaN : rule.args[index + 1]);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

function decodePorts(rules: readonly OwnRule[]): HostPortSpec[] {
  return rules.flatMap((r) => {
    if (r.role?.kind !== 'port') return [];
    const spec: PortSpec = { port: r.role.port, proto: r.role.proto };
    const index = r.args.indexOf('-d');
    const address = index === -1 ? undefined : r.args[index + 1]?.replace(/\/(32|128)$/, '');
    return [{ ...spec, address }];
  });
}
