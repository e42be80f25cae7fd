import type { ChainName, Family } from '../validate';
import { hasChain, rulesOf, type SavedRule, type SavedTable } from './iptablesSave';
import type { ChainLayout, FamilyLayout, Hook } from './layout';
import { ownedChains, TABLES, type Table } from './layout';
import { parseComment, type RuleRole } from './ruleComment';
import type { SavedFamily, RawFirewall, IptablesVariant } from './readFirewall';
import type { FirewallBackend } from './layout';
import { NFT_FAMILY, type NftTableFound } from './nftRule';

/** What one family of the host's tables (filter, and security for the guard) holds that matters to us. */
export interface FamilyTables {
  readonly family: Family;
  /**
   * Where our lockdown lives: iptables' filter and security tables, or our own nftables table. The
   * same as FirewallTables.backend, repeated here so that a check of one family needs nothing else.
   */
  readonly backend: FirewallBackend;
  /** nftables: our table as found, with the handles its replacement names (compare-and-swap). */
  readonly nftTable?: NftTableFound | undefined;
  readonly filter: SavedTable | undefined;
  readonly security: SavedTable | undefined;
  readonly dockerUser: boolean;
  /** Docker's own chains are present (DOCKER or DOCKER-FORWARD): Docker manages this family. */
  readonly dockerManaged: boolean;
  /** Our chains and every jump to them, exactly as found. */
  readonly layout: FamilyLayout;
  /** Our rules with their counters, chain by chain, each with the role its comment gives it. */
  readonly rules: readonly OwnRule[];
  /** False when this family's tables could not be read (no ip6tables, say): nothing is planned for it. */
  readonly readable: boolean;
  readonly readError?: string | undefined;
}

/** A rule in one of our chains, with the role read from its comment (once, here). */
export interface OwnRule extends SavedRule {
  readonly table: Table;
  /** Undefined for a rule whose comment is not one of ours: someone's hand edit. */
  readonly role: RuleRole | undefined;
}

export interface FirewallTables {
  readonly chain: ChainName;
  /** iptables, or nftables where Docker uses its nftables firewall backend (our own table then). */
  readonly backend: FirewallBackend;
  /** nftables: the nft command is on the host (without it nothing can be read or written). */
  readonly nftAvailable: boolean;
  /**
   * nftables: chains of ours are still in iptables, from a lockdown made while Docker used its
   * iptables backend. They still filter (iptables-nft writes nftables too), and nothing of the
   * nftables lockdown removes them.
   */
  readonly iptablesLeftover?: readonly string[] | undefined;
  /**
   * firewalld's rules are in force: its nftables table (`table inet firewalld`; 0.6 to 0.8 also had
   * ip and ip6 ones), or, with its iptables backend, its zone chains. Its reloads remove ours.
   */
  readonly firewalld: boolean;
  /** The iptables variant whose tables hold Docker's chains; undefined if none does. */
  readonly variant: IptablesVariant | undefined;
  /** Variants other than the chosen one that also hold Docker chains (a confusing host). */
  readonly otherDockerVariants: readonly IptablesVariant[];
  readonly iptablesVersion: string;
  readonly ipv4: FamilyTables;
  readonly ipv6: FamilyTables;
  /** The persistence section of the read, as printed (see persistence.ts). */
  readonly persistence: readonly string[];
  /** The watcher section of the read, as printed (see watcher.ts). */
  readonly watcher: readonly string[];
}

const isDockerTable = (filter: SavedTable | undefined) =>
  hasChain(filter, 'DOCKER-USER') || hasChain(filter, 'DOCKER') || hasChain(filter, 'DOCKER-FORWARD');

/**
 * The tables of a read, for the backend Docker uses: `dockerBackend` is the Engine API's
 * FirewallBackend.Driver (`iptables`, `nftables`, `nftables+firewalld`…), undefined before Docker 28.2.
 */
export function firewallTables(raw: RawFirewall, chain: ChainName, dockerBackend?: string): FirewallTables {
  if (dockerBackend?.startsWith('nftables') === true) return nftFirewallTables(raw, chain);
  const withDocker = raw.ipv4.filter((t) => isDockerTable(t.filter)).map((t) => t.variant);
  // Prefer the variant Docker wrote to; with none, the nft one (Debian's default) so status still reads.
  const variant: IptablesVariant | undefined = withDocker[0];
  const pick = (tables: readonly SavedFamily[]) =>
    tables.find((t) => t.variant === (variant ?? 'nft')) ?? tables.find((t) => t.variant === 'default') ?? tables[0];
  return {
    chain,
    backend: 'iptables',
    nftAvailable: raw.nft !== undefined,
    firewalld: firewalldActive(raw),
    variant,
    otherDockerVariants: withDocker.slice(1),
    iptablesVersion: raw.iptablesVersion,
    ipv4: familyState('ipv4', pick(raw.ipv4), chain),
    ipv6: familyState('ipv6', pick(raw.ipv6), chain),
    persistence: raw.persistence,
    watcher: raw.watcher,
  };
}

/** A host whose Docker writes nftables: our table in each family, read back in iptables-save's form (nftRead.ts). */
function nftFirewallTables(raw: RawFirewall, chain: ChainName): FirewallTables {
  const nft = raw.nft;
  const family = (name: Family): FamilyTables => {
    const read = nft?.[name];
    const saved: SavedFamily | undefined = nft === undefined ? undefined : { variant: 'nft', filter: read?.table ?? { name: 'filter', chains: [], rules: [] }, security: undefined };
    const state = familyState(name, saved, chain);
    const docker = nft?.tables.includes(`table ${NFT_FAMILY[name]} docker-bridges`) ?? false;
    return {
      ...state,
      backend: 'nftables',
      nftTable: read?.found ?? { present: false },
      dockerUser: false,
      dockerManaged: docker,
      readError: nft === undefined ? 'no nft command on the host (Debian: apt install nftables)' : state.readError,
    };
  };
  const owned = ownedChains(chain);
  const saves = [...raw.ipv4.map((saved) => ['iptables', saved] as const), ...raw.ipv6.map((saved) => ['ip6tables', saved] as const)];
  // `iptables -t filter PRE_DOCKER_INPUT`: where each leftover chain is, as a person would look for it.
  const leftover = saves.flatMap(([tool, saved]) =>
    TABLES.flatMap((table) => owned[table].filter((name) => hasChain(saved[table], name)).map((name) => `${tool}${saved.variant === 'default' ? '' : `-${saved.variant}`} -t ${table} ${name}`)),
  );
  return {
    chain,
    backend: 'nftables',
    nftAvailable: nft !== undefined,
    firewalld: firewalldActive(raw),
    iptablesLeftover: leftover.length === 0 ? undefined : [...new Set(leftover)],
    variant: undefined,
    otherDockerVariants: [],
    iptablesVersion: raw.iptablesVersion,
    ipv4: family('ipv4'),
    ipv6: family('ipv6'),
    persistence: raw.persistence,
    watcher: raw.watcher,
  };
}

function familyState(family: Family, tables: SavedFamily | undefined, chain: ChainName): FamilyTables {
  const filter = tables?.filter;
  const owned = ownedChains(chain);
  const chains: ChainLayout[] = [];
  const hooks: Hook[] = [];
  const rules: OwnRule[] = [];
  for (const table of TABLES) {
    const saved = tables?.[table];
    const ours = owned[table];
    const tag = table === 'filter' ? {} : { table };
    for (const name of ours.filter((n) => hasChain(saved, n))) chains.push({ name, ...tag, rules: rulesOf(saved, name).map((r) => r.spec) });
    if (saved === undefined) continue;
    const positions = new Map<string, number>();
    for (const rule of saved.rules) {
      const position = (positions.get(rule.chain) ?? 0) + 1;
      positions.set(rule.chain, position);
      if (rule.target !== undefined && ours.includes(rule.target) && !ours.includes(rule.chain)) {
        hooks.push({ ...tag, from: rule.chain, spec: rule.spec, position });
      }
      if (ours.includes(rule.chain)) rules.push({ ...rule, table, role: rule.comment === undefined ? undefined : parseComment(rule.comment) });
    }
  }
  return {
    family,
    backend: 'iptables',
    filter,
    security: tables?.security,
    dockerUser: hasChain(filter, 'DOCKER-USER'),
    dockerManaged: hasChain(filter, 'DOCKER') || hasChain(filter, 'DOCKER-FORWARD'),
    layout: { chains, hooks },
    rules,
    readable: tables !== undefined && tables.error === undefined,
    readError: tables === undefined ? `no ${family === 'ipv4' ? 'iptables' : 'ip6tables'} on the host` : tables.error,
  };
}

/** See FirewallTables.firewalld. */
function firewalldActive(raw: RawFirewall): boolean {
  if (raw.nft?.tables.some((t) => /^table (inet|ip|ip6) firewalld$/.test(t)) === true) return true;
  return [...raw.ipv4, ...raw.ipv6].some((saved) => saved.filter?.chains.some((c) => c.name === 'FORWARD_IN_ZONES' || c.name === 'INPUT_ZONES') === true);
}
