import { LockdownRefused } from './errors';
import type { Family } from '../validate';
import type { FirewallTables, FamilyTables } from './firewallTables';
import { renderLayout, sameLayout, type FamilyLayout } from './layout';
import type { Policy } from './policy';
import type { LockdownScope } from './scope';
import { transitionPayload } from './transition';
import type { FamilyPayloads } from './applyCommand';

export interface FamilyPlan {
  readonly family: Family;
  readonly current: FamilyLayout;
  readonly wanted: FamilyLayout;
  /** Undefined when the family already holds exactly what is wanted. */
  readonly payload: string | undefined;
}

export interface Plan {
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
    dockerUser: family.dockerUser,
    bridges: scope.bridges,
    hostPorts: scope.hostPorts,
    sshPort: input.scope.sshPort,
  });
}

/** Refuses, with the reason, a lockdown that iptables cannot express on this host. */
export function lockdownObstacle(input: PlanInput): string | undefined {
  if (input.firewallBackend !== undefined && input.firewallBackend !== '' && !input.firewallBackend.startsWith('iptables')) {
    return (
      `Docker on this host uses its ${input.firewallBackend} firewall backend, which has no DOCKER-USER chain; ` +
      `rules written with iptables would not filter its traffic. Run dockerd with the iptables backend to use Docker Firewall.`
    );
  }
  if (input.tables.variant === undefined || !input.tables.ipv4.dockerUser) {
    return (
      'Docker\'s DOCKER-USER chain was not found in this host\'s iptables (neither nf_tables nor legacy). ' +
      'Is dockerd running with iptables enabled (Docker 17.06 or later)? Nothing was changed.'
    );
  }
  return undefined;
}

export function planFor(input: PlanInput): Plan {
  if (input.policy.locked) {
    const obstacle = lockdownObstacle(input);
    if (obstacle !== undefined) throw new LockdownRefused(obstacle);
  }
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
