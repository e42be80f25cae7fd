import * as l10n from '@vscode/l10n';
import type { Inventory } from '../docker/inventoryModel';
import type { ChainName, Family } from '../validate';
import { portExposures, type PortExposure } from './exposure';
import type { FamilyTables, FirewallTables } from './firewallTables';
import type { HostFacts } from './hostFacts';
import { hookLocation, NFT_BASE_CHAINS, sameLayout, tableOf, type FirewallBackend, type Hook, type Table } from './layout';
import { checkFamily, type FamilyCheck } from './layoutCheck';
import { lockdownObstacle, wantedLayout, type PlanInput } from './plan';
import { PERSIST_DIR, RESTORE_SCRIPT, policyDigest, type Persistence } from './persistence';
import { FOLLOW_SCRIPT } from './firewalldFollower';
import type { Policy } from './policy';
import { readPolicy } from './readPolicy';
import type { RuleRole } from './ruleComment';
import type { LockdownScope } from './scope';
import { watcherWanted, type WatcherState } from './watcherState';
import { isExpired, nowSeconds } from './expiry';
import { endpointText, portText } from './port';

export interface StatusRule {
  readonly table: Table;
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
  /** none: as we wrote it; modified: not what Docker Firewall wrote; outdated: networks or ports changed since it was applied. */
  readonly drift: 'none' | 'modified' | 'outdated';
  /** What the rules in force were found to do (layoutCheck.ts). */
  readonly check: FamilyCheck;
}

export type WarningCode =
  | 'allows-ended'
  | 'lockdown-missing'
  | 'legacy-hook'
  | 'hook-not-first'
  | 'drift-modified'
  | 'drift-outdated'
  | 'legacy-layout'
  | 'ports-not-covered'
  | 'ports-unverified'
  | 'ipv6-unreadable'
  | 'no-docker-user'
  | 'nftables-backend'
  | 'iptables-leftover'
  | 'two-variants'
  | 'sockets-unknown'
  | 'unusable-bridge'
  | 'watcher-not-running'
  | 'watcher-outdated'
  | 'not-persistent'
  | 'persistence-outdated'
  | 'ufw-active'
  | 'firewalld-reload';

export interface Warning {
  readonly code: WarningCode;
  readonly message: string;
}

export interface FirewallStatus {
  readonly chain: ChainName;
  /** Where the lockdown lives: iptables chains, or our own nftables table (Docker's nftables backend). */
  readonly backend: FirewallBackend;
  readonly iptablesVariant: string | undefined;
  readonly iptablesVersion: string;
  readonly locked: boolean;
  readonly policy: Policy;
  /** The host's clock at the read (Unix seconds; the client's if the host printed none): what "ended" and "N min left" count from. */
  readonly now: number;
  /** The policy rules in force in twelve hex digits (policyDigest); undefined when there are none. The history names the same digest. */
  readonly policyDigest: string | undefined;
  readonly ipv4: FamilyStatus;
  readonly ipv6: FamilyStatus;
  /** Published ports, host-network and rootless sockets, and host services, each with its exposure. */
  readonly ports: readonly PortExposure[];
  readonly persistence: Persistence;
  readonly watcher: WatcherState;
  readonly warnings: readonly Warning[];
}

export interface StatusInput {
  readonly tables: FirewallTables;
  readonly inventory: Inventory;
  readonly facts: HostFacts;
  readonly scope: LockdownScope;
  readonly persistence: Persistence;
  readonly watcher: WatcherState;
}

const LABEL: Record<Family, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

export function firewallStatus(input: StatusInput): FirewallStatus {
  const { tables, inventory, facts, scope } = input;
  const policy = readPolicy(tables);
  const planInput: PlanInput = { tables, policy, scope, firewallBackend: inventory.docker.firewallBackend };
  const warnings: Warning[] = [];
  const ipv4 = familyStatus(tables.ipv4, planInput, warnings);
  const ipv6 = familyStatus(tables.ipv6, planInput, warnings);

  const obstacle = lockdownObstacle(planInput);
  if (obstacle !== undefined) {
    const backend = inventory.docker.firewallBackend;
    warnings.push({ code: backend !== undefined && backend !== '' && !backend.startsWith('iptables') ? 'nftables-backend' : 'no-docker-user', message: obstacle });
  }
  if (tables.iptablesLeftover !== undefined) {
    warnings.push({
      code: 'iptables-leftover',
      message: l10n.t(
        'Chains of an earlier lockdown, made while Docker used iptables, are still in iptables ({0}): they still filter, and the nftables lockdown neither reads nor removes them. Delete them by hand (their jumps first: iptables-save shows them), or switch Docker back to iptables and Remove Lockdown.',
        tables.iptablesLeftover.join('; '),
      ),
    });
  }
  if (tables.otherDockerVariants.length > 0) {
    warnings.push({
      code: 'two-variants',
      message: l10n.t(
        'Docker chains exist in both iptables-{0} and iptables-{1}; the rules of one are invisible to the other. Docker Firewall uses {0}.',
        tables.variant ?? '?',
        tables.otherDockerVariants.join(', '),
      ),
    });
  }
  if (!tables.ipv6.readable) {
    warnings.push({ code: 'ipv6-unreadable', message: l10n.t('IPv6 is not covered: {0}.', tables.ipv6.readError ?? l10n.t('ip6tables could not be read')) });
  }
  if (facts.sockets === undefined) {
    warnings.push({ code: 'sockets-unknown', message: l10n.t('The host could not list its listening sockets (no ss): host-network containers and host services are not shown.') });
  }
  for (const { network, name } of scope.unusableBridges) {
    warnings.push({
      code: 'unusable-bridge',
      message: l10n.t('Network {0} names its bridge {1}, which is not a plain interface name: the lockdown does not cover it.', network, JSON.stringify(name)),
    });
  }

  const now = facts.clock ?? nowSeconds();
  const ports = portExposures({
    now,
    inventory,
    facts,
    policy,
    protection: { ipv4: ipv4.check, ipv6: ipv6.check },
    dockerNat: { ipv4: tables.ipv4.dockerManaged, ipv6: tables.ipv6.dockerManaged },
  });
  if (policy.locked) {
    const uncovered = ports.filter((p) => p.exposure === 'exposed' || p.exposure === 'host-network' || p.exposure === 'routed');
    if (uncovered.length > 0) {
      warnings.push({
        code: 'ports-not-covered',
        message:
          uncovered.length === 1
            ? l10n.t('A port is reachable from outside although the host is locked (published after the lockdown, or on a network it does not cover): apply the lockdown again.')
            : l10n.t('{0} ports are reachable from outside although the host is locked (published after the lockdown, or on a network it does not cover): apply the lockdown again.', uncovered.length),
      });
    }
    const unverified = ports.filter((p) => p.exposure === 'unverified');
    if (unverified.length > 0) {
      warnings.push({
        code: 'ports-unverified',
        message:
          unverified.length === 1
            ? l10n.t('A port is not called blocked: a rule on the way to it is not the one Docker Firewall wrote. Apply the lockdown again, or check from outside.')
            : l10n.t('{0} ports are not called blocked: a rule on the way to them is not the one Docker Firewall wrote. Apply the lockdown again, or check from outside.', unverified.length),
      });
    }
    const ended = policy.allows.filter((a) => isExpired(a, now));
    if (ended.length > 0) {
      warnings.push({
        code: 'allows-ended',
        message:
          ended.length === 1
            ? l10n.t('An allow has ended ({0}): the host no longer lets it through. The next change, or Clean Up Expired (docker-firewall prune), removes the rules.', portText(ended[0]!))
            : l10n.t(
                '{0} allows have ended ({1}): the host no longer lets them through. The next change, or Clean Up Expired (docker-firewall prune), removes the rules.',
                ended.length,
                ended.map((a) => portText(a)).join(', '),
              ),
      });
    }
    if (input.persistence.state === 'none') {
      warnings.push({
        code: 'not-persistent',
        message: l10n.t('The lockdown is not persistent: after a reboot the host is open until it is applied again. Use Make Persistent.'),
      });
    }
    if (input.persistence.state === 'outdated') {
      warnings.push({ code: 'persistence-outdated', message: l10n.t('The saved lockdown differs from the rules in force: make it persistent again.') });
    }
    if (watcherWanted(input.watcher) && !input.watcher.running) {
      warnings.push({
        code: 'watcher-not-running',
        message: l10n.t(
          'The watcher that adds new Docker networks and published ports to the lockdown is not running: ports published from now on stay reachable until the lockdown is applied again.',
        ),
      });
    } else if (watcherWanted(input.watcher)) {
      warnings.push({
        code: 'watcher-outdated',
        message: l10n.t('The watcher on the host is not the one this version installs (left by another version, or edited): block again to replace it.'),
      });
    }
  }
  const inputPath = ports.filter((p) => (p.path === 'proxy' || p.path === 'host-socket') && p.origin !== 'host-service');
  if (ufwActive(tables) && inputPath.length > 0) {
    warnings.push({
      code: 'ufw-active',
      message: l10n.t(
        "ufw is active on this host. Ports reached through INPUT ({0}: docker-proxy or host sockets) pass ufw's own rules as well: an allow there answers only where ufw allows the port too (ufw allow PORT/PROTO). Ports Docker forwards are not filtered by ufw.",
        `${inputPath.map((p) => endpointText(p)).slice(0, 3).join(', ')}${inputPath.length > 3 ? ', …' : ''}`,
      ),
    });
  }
  if (policy.locked && tables.firewalld) {
    const followed = input.persistence.state !== 'none' && input.persistence.firewalldFollower;
    if (!followed) {
      warnings.push({
        code: 'firewalld-reload',
        message:
          input.persistence.state === 'none'
            ? l10n.t(
                "firewalld runs on this host: a firewall-cmd --reload or a restart of firewalld removes the lockdown's rules (Docker puts back only its own), and every published port is reachable until it is applied again. Make the lockdown persistent: it is then put back after every firewalld reload.",
              )
            : l10n.t(
                "firewalld runs on this host: a firewall-cmd --reload or a restart of firewalld removes the lockdown's rules (Docker puts back only its own), and every published port is reachable until it is applied again. The follower that puts it back after a reload ({0}) is not running: make the lockdown persistent again.",
                FOLLOW_SCRIPT,
              ),
      });
    }
  }
  if (!policy.locked && input.persistence.state !== 'none') {
    // Unblock removes the saved rules too: saved rules and none in force means something else removed them.
    warnings.push({
      code: 'lockdown-missing',
      message: tables.firewalld
        ? l10n.t(
            "Lockdown missing after a firewall reload: a lockdown is saved on this host ({0}) but none is in force, and firewalld runs here (a firewall-cmd --reload removes other rules than its own and Docker's). Every published port is reachable. Block again, or run {1} on the host.",
            PERSIST_DIR,
            RESTORE_SCRIPT,
          )
        : l10n.t(
            'A lockdown is saved on this host ({0}) but none is in force: its rules were removed by something else (a firewall reload by firewalld or ufw, iptables -F, or a restore that failed at boot), and every published port is reachable. Block again, or run {1} on the host.',
            PERSIST_DIR,
            RESTORE_SCRIPT,
          ),
    });
  }
  return {
    chain: tables.chain,
    backend: tables.backend,
    iptablesVariant: tables.variant,
    iptablesVersion: tables.iptablesVersion,
    locked: policy.locked,
    policy,
    now,
    policyDigest: policyDigest(tables.ipv4.layout, tables.ipv6.layout, tables.chain),
    ipv4,
    ipv6,
    ports,
    persistence: input.persistence,
    watcher: input.watcher,
    warnings,
  };
}

function familyStatus(family: FamilyTables, input: PlanInput, warnings: Warning[]): FamilyStatus {
  const chain = input.tables.chain;
  const label = LABEL[family.family];
  const check = checkFamily(family, chain);
  for (const hook of family.layout.hooks) {
    const ours = family.backend === 'nftables' ? [NFT_BASE_CHAINS.forward, NFT_BASE_CHAINS.input] : ['DOCKER-USER', 'INPUT'];
    if (tableOf(hook) === 'filter' && !ours.includes(hook.from)) {
      warnings.push({
        code: 'legacy-hook',
        message: l10n.t(
          '{0}: {1} jumps to {2} ({3}), as in the 2017 recipe. Docker puts its own rules ahead of such a jump when dockerd restarts and the lockdown is silently bypassed. Blocking replaces it with a jump from DOCKER-USER.',
          label,
          hook.from,
          hook.spec.replace(/^.*-[jg] /, ''),
          hook.spec,
        ),
      });
    } else if (hook.position !== 1) {
      warnings.push({
        code: 'hook-not-first',
        message: l10n.t('{0}: the jump to {1} is rule {2} of {3}, not the first: rules above it are not filtered.', label, hook.spec.replace(/^.*-[jg] /, ''), hook.position, hookLocation(hook)),
      });
    }
  }
  let drift: FamilyStatus['drift'] = 'none';
  if (input.policy.locked && family.readable) {
    const problems = [check.forward, check.guard, check.input].flatMap((c) => (c !== undefined && !c.ok && c.present ? [c.problem] : []));
    if (check.legacyLayout) {
      drift = 'outdated';
      warnings.push({
        code: 'legacy-layout',
        message: l10n.t('{0}: the lockdown was written by an older version of Docker Firewall; its ports are not called blocked until it is applied again (Block External Access).', label),
      });
    } else if (problems.length > 0) {
      drift = 'modified';
      warnings.push({ code: 'drift-modified', message: l10n.t('{0}. Applying the lockdown again repairs it.', problems.join('; ')) });
    } else if (!sameLayout(family.layout, wantedLayout(family, input))) {
      drift = 'outdated';
      warnings.push({
        code: 'drift-outdated',
        message: l10n.t('{0}: the rules in force differ from what Docker Firewall would write now (networks, ports or allows changed); applying again updates them.', label),
      });
    }
  }
  return {
    family: family.family,
    readable: family.readable,
    dockerUser: family.dockerUser,
    hooks: family.layout.hooks,
    rules: family.rules.map(({ table, chain: name, spec, args, packets, bytes, role }) => ({ table, chain: name, spec, args, packets, bytes, role })),
    drift,
    check,
  };
}

/**
 * ufw is on when its INPUT chain has rules: `ufw enable` fills ufw-before-input, `ufw disable`
 * empties it (and leaves the chain and the jump to it behind).
 */
function ufwActive(tables: FirewallTables): boolean {
  return [tables.ipv4, tables.ipv6].some((family) => family.filter?.rules.some((r) => r.chain === 'ufw-before-input') === true);
}
