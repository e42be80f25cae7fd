import type { ChainName, Family } from '../validate';
import type { FamilyTables } from './firewallTables';
import { exposureOf, type PortExposure, type Protection } from './exposure';
import { portText } from './port';
import { digestOf, hookLocation, sameLayout, tableOf, type Hook } from './layout';
import { lockdownObstacle, wantedLayout, type PlanInput } from './plan';
import type { Policy } from './policy';
import { readPolicy } from './readPolicy';
import type { RuleRole } from './ruleComment';
import type { Persistence } from './persistence';

export interface StatusRule {
  readonly chain: string;
  readonly spec: string;
  readonly packets: number;
  readonly bytes: number;
  /** The arguments as iptables-save printed them (the spec, split as iptables would). */
  readonly args: readonly string[];
  /** What the rule is for, from its comment; undefined for a rule that is not ours (added by hand inside our chain). */
  readonly role: RuleRole | undefined;
}

export interface FamilyStatus {
  readonly family: Family;
  readonly readable: boolean;
  readonly dockerUser: boolean;
  readonly hooks: readonly Hook[];
  readonly rules: readonly StatusRule[];
  /** none: as we wrote it; modified: edited by hand; outdated: the containers changed since it was applied. */
  readonly drift: 'none' | 'modified' | 'outdated';
}

export type WarningCode =
  | 'legacy-hook'
  | 'hook-not-first'
  | 'drift-modified'
  | 'drift-outdated'
  | 'ipv6-not-covered'
  | 'ipv6-unreadable'
  | 'no-docker-user'
  | 'nftables-backend'
  | 'two-variants'
  | 'not-persistent'
  | 'persistence-outdated';

export interface Warning {
  readonly code: WarningCode;
  readonly message: string;
}

export interface FirewallStatus {
  readonly chain: ChainName;
  readonly iptablesVariant: string | undefined;
  readonly iptablesVersion: string;
  readonly locked: boolean;
  readonly policy: Policy;
  readonly ipv4: FamilyStatus;
  readonly ipv6: FamilyStatus;
  readonly ports: readonly PortExposure[];
  readonly persistence: Persistence;
  readonly warnings: readonly Warning[];
}

export function firewallStatus(input: Omit<PlanInput, 'policy'>, persistence: Persistence): FirewallStatus {
  const { tables: state } = input;
  const policy = readPolicy(state);
  const planInput: PlanInput = { ...input, policy };
  const warnings: Warning[] = [];
  const ipv4 = familyStatus(state.ipv4, planInput, warnings);
  const ipv6 = familyStatus(state.ipv6, planInput, warnings);

  const obstacle = lockdownObstacle(planInput);
  if (obstacle !== undefined) {
    const backend = input.firewallBackend !== undefined && input.firewallBackend !== '' && !input.firewallBackend.startsWith('iptables');
    warnings.push({ code: backend ? 'nftables-backend' : 'no-docker-user', message: obstacle });
  }
  if (state.otherDockerVariants.length > 0) {
    warnings.push({
      code: 'two-variants',
      message: `Docker chains exist in both iptables-${state.variant ?? '?'} and iptables-${state.otherDockerVariants.join(', ')}; the rules of one are invisible to the other. Docker Firewall uses ${state.variant ?? '?'}.`,
    });
  }
  if (!state.ipv6.readable) {
    warnings.push({ code: 'ipv6-unreadable', message: `IPv6 is not covered: ${state.ipv6.readError ?? 'ip6tables could not be read'}.` });
  }

  // Either hook, first in its chain, holds the lockdown on its own (the guard covers Docker's gaps).
  const forwardHooked = (hooks: readonly Hook[]) =>
    hooks.some((h) => h.position === 1 && ((tableOf(h) === 'filter' && h.from === 'DOCKER-USER') || (tableOf(h) === 'security' && h.from === 'FORWARD')));
  const protection: Protection = {
    ipv4: forwardHooked(ipv4.hooks),
    ipv6Forward: forwardHooked(ipv6.hooks),
    ipv6ProxyBlocked: new Set(
      state.ipv6.rules.flatMap(({ role }) => (role?.kind === 'proxy-block' ? [portText(role)] : [])),
    ),
  };
  const ports = input.ports.map((port) => exposureOf(port, policy, protection));
  if (policy.locked && ports.some((p) => p.exposure === 'exposed' && p.hostIp.includes(':'))) {
    warnings.push({
      code: 'ipv6-not-covered',
      message: 'Some published ports are reachable over IPv6 because they were published after the lockdown: apply it again.',
    });
  }
  if (policy.locked && persistence.state === 'none') {
    warnings.push({
      code: 'not-persistent',
      message: 'The lockdown is not persistent: after a reboot the host is open until it is applied again. Use Make Persistent.',
    });
  }
  if (policy.locked && persistence.state === 'outdated') {
    warnings.push({ code: 'persistence-outdated', message: 'The saved lockdown differs from the rules in force: make it persistent again.' });
  }
  return {
    chain: state.chain,
    iptablesVariant: state.variant,
    iptablesVersion: state.iptablesVersion,
    locked: policy.locked,
    policy,
    ipv4,
    ipv6,
    ports,
    persistence,
    warnings,
  };
}

function familyStatus(family: FamilyTables, input: PlanInput, warnings: Warning[]): FamilyStatus {
  const chain = input.tables.chain;
  const label = family.family === 'ipv4' ? 'IPv4' : 'IPv6';
  for (const hook of family.layout.hooks) {
    if (tableOf(hook) === 'filter' && hook.from !== 'DOCKER-USER' && hook.from !== 'INPUT') {
      warnings.push({
        code: 'legacy-hook',
        message:
          `${label}: ${hook.from} jumps to ${chain} (${hook.spec}), as in the 2017 recipe. Docker puts its own rules ahead of ` +
          `such a jump when dockerd restarts and the lockdown is silently bypassed. Blocking replaces it with a jump from DOCKER-USER.`,
      });
    } else if (hook.position !== 1) {
      warnings.push({
        code: 'hook-not-first',
        message: `${label}: the jump to ${hook.spec.replace('-j ', '')} is rule ${hook.position} of ${hookLocation(hook)}, not the first: rules above it are not filtered.`,
      });
    }
  }
  let drift: FamilyStatus['drift'] = 'none';
  const policy = input.policy;
  if (policy.locked && family.readable) {
    const modified = family.layout.chains.filter((c) => {
      const marker = family.rules.find((rule) => rule.chain === c.name && rule.role?.kind === 'state')?.role;
      return marker?.kind !== 'state' || marker.digest !== digestOf(c.rules.slice(0, -1)) || c.rules.length === 0;
    });
    if (modified.length > 0) {
      drift = 'modified';
      const names = modified.map((c) => c.name).join(' and ');
      warnings.push({ code: 'drift-modified', message: `${label}: rules in ${names} were changed by hand; applying again repairs them.` });
    } else if (!sameLayout(family.layout, wantedLayout(family, input))) {
      drift = 'outdated';
      warnings.push({
        code: 'drift-outdated',
        message: `${label}: the rules in force differ from what Docker Firewall would write now (containers or networks changed); applying again updates them.`,
      });
    }
  }
  return {
    family: family.family,
    readable: family.readable,
    dockerUser: family.dockerUser,
    hooks: family.layout.hooks,
    rules: family.rules.map(({ chain, spec, args, packets, bytes, role }) => ({ chain, spec, args, packets, bytes, role })),
    drift,
  };
}

