import * as l10n from '@vscode/l10n';
import { LockdownRefused } from './errors';
import type { Family } from '../validate';
import type { FirewallTables, FamilyTables } from './firewallTables';
import { renderLayout, sameLayout, type FamilyLayout, type FirewallBackend } from './layout';
import type { Policy } from './policy';
import type { LockdownScope } from './scope';
import { transitionPayload } from './transition';
import { nftFamilyTransaction, nftTableName } from './nftRule';
import type { FamilyPayloads } from './applyCommand';

export interface FamilyPlan {
  readonly family: Family;
  readonly current: FamilyLayout;
  readonly wanted: FamilyLayout;
  /** Undefined when the family already holds exactly what is wanted. */
  readonly payload: string | undefined;
}

export interface Plan {
  /** Where the lockdown is written: iptables chains, or our own nftables tables. */
  readonly backend: FirewallBackend;
  readonly policy: Policy;
  readonly ipv4: FamilyPlan;
  readonly ipv6: FamilyPlan;
  readonly changed: boolean;
  readonly payloads: FamilyPayloads;
}

export interface PlanInput {
  readonly tables: FirewallTables;
  readonly policy: Policy;
  /** What the lockdown must cover (scope.ts): Docker's bridges, the host ports, the SSH port. */
  readonly scope: LockdownScope;
  /** Engine API's FirewallBackend.Driver, when the daemon reports one. */
  readonly firewallBackend?: string | undefined;
}

export function wantedLayout(family: FamilyTables, input: PlanInput): FamilyLayout {
  const scope = input.scope[family.family];
  return renderLayout(family.family, input.policy, {
    chain: input.tables.chain,
    backend: family.backend,
    dockerUser: family.dockerUser,
    bridges: scope.bridges,
    hostPorts: scope.hostPorts,
    sshPort: input.scope.sshPort,
  });
}

/** Refuses, with the reason, a lockdown that cannot be written on this host (iptables, or our nftables tables). */
export function lockdownObstacle(input: PlanInput): string | undefined {
  if (input.tables.backend === 'nftables') {
    const backend = input.firewallBackend ?? 'nftables';
    if (!input.tables.nftAvailable) {
      return l10n.t(
        'Docker on this host uses its {0} firewall backend, and the lockdown then goes in an nftables table of its own, but the host has no nft command: install it (Debian and Ubuntu: apt install nftables) and try again. Nothing was changed.',
        backend,
      );
    }
    // The Engine API's word alone does not decide where the lockdown goes: Docker's own tables must agree.
    if (!input.tables.ipv4.dockerManaged && !input.tables.ipv6.dockerManaged) {
      return l10n.t(
        'Docker on this host says it uses its {0} firewall backend, but its nftables tables (ip docker-bridges) are not there: is dockerd running with its firewall rules turned off, or is another daemon answering? Nothing was changed.',
        backend,
      );
    }
    return undefined;
  }
  if (input.firewallBackend !== undefined && input.firewallBackend !== '' && !input.firewallBackend.startsWith('iptables')) {
    return l10n.t(
      'Docker on this host uses its {0} firewall backend, which Docker Firewall does not know: rules written with iptables would not filter its traffic. Run dockerd with the iptables or nftables backend to use Docker Firewall.',
      input.firewallBackend,
    );
  }
  if (input.tables.variant === undefined || !input.tables.ipv4.dockerUser) {
    return l10n.t(
      "Docker's DOCKER-USER chain was not found in this host's iptables (neither nf_tables nor legacy). Is dockerd running with iptables enabled (Docker 17.06 or later)? Nothing was changed.",
    );
  }
  return undefined;
}

export function planFor(input: PlanInput): Plan {
  if (input.policy.locked) {
    const obstacle = lockdownObstacle(input);
    if (obstacle !== undefined) throw new LockdownRefused(obstacle);
  }
  if (input.tables.backend === 'nftables') return nftPlan(input);
  const familyPlan = (family: FamilyTables): FamilyPlan => {
    const wanted = family.readable ? wantedLayout(family, input) : family.layout;
    const same = sameLayout(family.layout, wanted);
    return {
      family: family.family,
      current: family.layout,
      wanted,
      payload: same ? undefined : transitionPayload(family.layout, wanted).join('\n'),
    };
  };
  const ipv4 = familyPlan(input.tables.ipv4);
  const ipv6 = familyPlan(input.tables.ipv6);
  return {
    backend: 'iptables',
    policy: input.policy,
    ipv4,
    ipv6,
    changed: ipv4.payload !== undefined || ipv6.payload !== undefined,
    payloads: {
      ipv4: ipv4.payload,
      ipv6: ipv6.payload,
      ipv4Rollback: ipv4.payload === undefined ? undefined : transitionPayload(ipv4.wanted, ipv4.current).join('\n'),
    },
  };
}

/**
 * nftables: each family's payload is its part of one `nft -f` batch (nftRule.ts), and the batch
 * holds both: nft applies all of it or nothing, so there is nothing to roll back.
 */
function nftPlan(input: PlanInput): Plan {
  const table = nftTableName(input.tables.chain);
  const familyPlan = (family: FamilyTables): FamilyPlan => {
    const wanted = family.readable ? wantedLayout(family, input) : family.layout;
    const found = family.nftTable ?? { present: false };
    // An open policy leaves no table behind, even an empty one; a lockdown needs the table there.
    const same = found.present ? wanted.chains.length > 0 && sameLayout(family.layout, wanted) : wanted.chains.length === 0;
    return { family: family.family, current: family.layout, wanted, payload: same ? undefined : nftFamilyTransaction(family.family, found, wanted, table).join('\n') };
  };
  const ipv4 = familyPlan(input.tables.ipv4);
  const ipv6 = familyPlan(input.tables.ipv6);
  const parts = [ipv4.payload, ipv6.payload].filter((p): p is string => p !== undefined);
  return {
    backend: 'nftables',
    policy: input.policy,
    ipv4,
    ipv6,
    changed: parts.length > 0,
    payloads: { nft: parts.length === 0 ? undefined : `${parts.join('\n')}\n` },
  };
}
