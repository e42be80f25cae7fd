import * as l10n from '@vscode/l10n';
import type { Inventory } from '../../core/docker/inventoryModel';
import { chainNames, hookLocation, type FirewallBackend, type Hook } from '../../core/firewall/layout';
import { nftRuleText, nftTableName } from '../../core/firewall/nftRule';
import { describeAllow, type Allow } from '../../core/firewall/policy';
import { isExpired } from '../../core/firewall/expiry';
import { allowClock, allowEndText, allowLine, isForClient, type AllowClock } from '../tree/allowTimeText';
import { endedAllows } from '../../core/firewall/expiry';
import type { ChainName, Family } from '../../core/validate';
import { portText } from '../../core/firewall/port';
import type { RuleRole } from '../../core/firewall/ruleComment';
import type { FamilyStatus, FirewallStatus, StatusRule } from '../../core/firewall/status';
import type { HostSnapshot } from '../hosts/hostSnapshot';
import { contextValue } from '../tree/contextValue';
import { clockTime, code, containerCount, escapeMarkdown, formatBytes, formatCount, publishedPortCount, type IconSpec } from '../tree/treeText';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';
import { historyRow } from './historyRows';

/** Host text (messages, rule text, versions) as a row's label or description: see forDisplay. */
const line = (text: string) => forDisplay(text, DISPLAY_LIMIT.line);

/**
 * One row of the Chain Status view, as plain data (pure, unit-tested; the provider makes TreeItems of it).
 * Labels and descriptions are plain text made with `line`, tooltips Markdown made with escapeMarkdown and code.
 */
export interface StatusRow {
  readonly id: string;
  readonly label: string;
  readonly description?: string | undefined;
  /** Markdown. */
  readonly tooltip?: string | undefined;
  readonly icon?: IconSpec | undefined;
  readonly contextValue?: string | undefined;
  readonly children?: readonly StatusRow[] | undefined;
  /** Shown expanded the first time (VS Code remembers the user's choice afterwards). */
  readonly expanded?: boolean | undefined;
  /** The host a row's command acts on (Clean Up Expired on the allows-ended warning). */
  readonly hostName?: string | undefined;
}

/** `clientNowMs`: this machine's clock now, which with the read's time says how much of each allow is left. */
export function chainStatusRows(hostName: string, snapshot: HostSnapshot, clientNowMs = Date.now()): StatusRow[] {
  const id = (suffix: string) => `${hostName}/${suffix}`;
  const status = snapshot.status;
  if (status === undefined) {
    if (snapshot.loading) return [{ id: id('loading'), label: line(l10n.t('Reading {0}…', hostName)), icon: { id: 'loading~spin' } }];
    if (snapshot.failure !== undefined) {
      return [
        {
          id: id('error'),
          label: line(snapshot.failure.message),
          tooltip: `${escapeMarkdown(snapshot.failure.message)}\n\n${l10n.t('Use Refresh to try again; details are in the log.')}`,
          icon: { id: 'error', color: 'list.errorForeground' },
          contextValue: contextValue({ kind: 'statusError' }),
        },
      ];
    }
    return [];
  }
  const { firewall, inventory } = status;
  const rows: StatusRow[] = [];
  if (firewall.warnings.length > 0) {
    rows.push({
      id: id('warnings'),
      label: l10n.t('Warnings'),
      description: String(firewall.warnings.length),
      icon: { id: 'warning', color: 'list.warningForeground' },
      expanded: true,
      children: firewall.warnings.map((w, i) => ({
        id: id(`warnings/${i}/${w.code}`),
        label: line(w.message),
        tooltip: [escapeMarkdown(w.message), code(w.code), ...(w.code === 'allows-ended' ? [l10n.t('Clean Up Expired removes their rules.')] : [])].join('\n\n'),
        icon: { id: 'warning', color: 'list.warningForeground' },
        contextValue: contextValue({ kind: 'statusWarning', code: w.code }),
        hostName,
      })),
    });
  }
  rows.push(lockdownRow(id('lockdown'), firewall, status.readAt));
  rows.push(familyRow(id('ipv4'), firewall.ipv4, firewall.chain, firewall.backend));
  rows.push(familyRow(id('ipv6'), firewall.ipv6, firewall.chain, firewall.backend));
  rows.push(allowsRow(id('allows'), firewall, allowClock(status, clientNowMs)));
  rows.push(persistenceRow(id('persistence'), firewall));
  rows.push(dockerRow(id('docker'), inventory, firewall));
  if (status.history !== undefined) rows.push(historyRow(id('history'), status.history, status.readAt));
  return rows;
}

function lockdownRow(id: string, firewall: FirewallStatus, readAt: Date): StatusRow {
  const backend =
    firewall.backend === 'nftables'
      ? l10n.t('nftables table {0}', nftTableName(firewall.chain))
      : firewall.iptablesVariant === undefined
        ? l10n.t('no iptables variant holds Docker’s chains')
        : `iptables-${firewall.iptablesVariant}`;
  return {
    id,
    label: l10n.t('Lockdown'),
    description: firewall.locked ? line(l10n.t('on · chain {0}', firewall.chain)) : l10n.t({ message: 'off', comment: ['The lockdown of a host is off'] }),
    tooltip: [
      firewall.locked
        ? l10n.t('External access is blocked by chain {0}, except for the allows.', code(firewall.chain))
        : l10n.t('No lockdown: every published port is reachable from every network.'),
      firewall.backend === 'nftables'
        ? l10n.t('Docker’s nftables backend: the lockdown is in tables {0} and {1} of our own.', code(`ip ${nftTableName(firewall.chain)}`), code(`ip6 ${nftTableName(firewall.chain)}`))
        : `${escapeMarkdown(firewall.iptablesVersion || 'iptables')} (${escapeMarkdown(backend)})`,
      l10n.t('Read at {0}.', clockTime(readAt)),
    ].join('\n\n'),
    icon: firewall.locked ? { id: 'lock', color: 'charts.green' } : { id: 'unlock', color: 'list.warningForeground' },
  };
}

const FAMILY_LABEL = { ipv4: 'IPv4', ipv6: 'IPv6' } as const;

function familyRow(id: string, family: FamilyStatus, chain: ChainName, backend: FirewallBackend): StatusRow {
  const label = FAMILY_LABEL[family.family];
  if (!family.readable) {
    return {
      id,
      label,
      description: l10n.t('not readable'),
      tooltip: l10n.t('{0} rules could not be read on this host, so {0} is not covered.', label),
      icon: { id: 'circle-slash', color: 'list.warningForeground' },
    };
  }
  // A chain is named per table: the chain of bridges is in filter and in security (for the guard).
  const chains = [...new Map(family.rules.map((r) => [`${r.table} ${r.chain}`, { table: r.table, name: r.chain }])).values()];
  const drift = family.drift === 'none' ? [] : [family.drift === 'modified' ? l10n.t('changed by hand') : l10n.t({ message: 'outdated', comment: ['Our rules in a family differ from those the lockdown writes'] })];
  return {
    id,
    label,
    description: line([hookSummary(family.hooks), ruleCount(family.rules.length), ...drift].join(' · ')),
    tooltip: [
      family.hooks.length === 0
        ? l10n.t('{0}: nothing jumps to {1}.', label, code(chain))
        : `${label}: ${family.hooks.map((h) => code(`${hookLocation(h)} #${h.position} ${h.spec}`)).join(', ')}.`,
      backend === 'nftables'
        ? l10n.t('Docker uses its nftables backend: the lockdown is table {0}, whose base chains run before Docker’s.', code(`${family.family === 'ipv4' ? 'ip' : 'ip6'} ${nftTableName(chain)}`))
        : family.dockerUser
          ? l10n.t('Docker’s DOCKER-USER chain is present.')
          : l10n.t('Docker made no DOCKER-USER chain in this family.'),
    ].join('\n\n'),
    icon: { id: family.drift === 'none' ? 'list-tree' : 'warning', ...(family.drift === 'none' ? {} : { color: 'list.warningForeground' }) },
    expanded: true,
    children: [
      ...family.hooks.map((hook, i) => hookRow(`${id}/hook/${i}`, hook)),
      ...chains.map(({ table, name }) =>
        chainRow(
          `${id}/chain/${table}/${name}`,
          table === 'filter' ? name : `${name} (${table})`,
          family.rules.filter((r) => r.chain === name && r.table === table),
          chainPurpose(name, table, chain),
          backend === 'nftables' ? family.family : undefined,
        ),
      ),
    ],
  };
}

/** "hooked at DOCKER-USER #1, security FORWARD #1", "not hooked". */
export function hookSummary(hooks: readonly Hook[]): string {
  if (hooks.length === 0) return l10n.t('not hooked');
  return l10n.t('hooked at {0}', hooks.map((h) => `${hookLocation(h)} #${h.position}`).join(', '));
}

const ruleCount = (count: number): string => (count === 1 ? l10n.t('1 rule') : l10n.t('{0} rules', count));

function hookRow(id: string, hook: Hook): StatusRow {
  const first = hook.position === 1;
  return {
    id,
    label: line(`${hookLocation(hook)} #${hook.position}`),
    description: line(hook.spec),
    tooltip: [
      l10n.t('Rule {0} of {1}: {2}.', hook.position, code(hookLocation(hook)), code(hook.spec)),
      ...(first ? [] : [l10n.t('Rules above it are not filtered by the lockdown.')]),
    ].join(' '),
    icon: first ? { id: 'arrow-right' } : { id: 'warning', color: 'list.warningForeground' },
  };
}

/** What each of our chains is for, as the tooltip of its row. */
function chainPurpose(name: string, table: string, chain: ChainName): string {
  const names = chainNames(chain);
  if (name === names.guard) {
    return l10n.t(
      "The same policy as {0}, first in the security table's FORWARD, which runs after filter and which Docker never writes to. It sees only what {1} let through: its drops are connections that got past Docker's own rules (Docker 20.10 briefly removes its jump to DOCKER-USER whenever a network is created).",
      code(chain),
      code('DOCKER-USER'),
    );
  }
  if (name === names.bridges) {
    return table === 'security'
      ? l10n.t("Docker's bridges, by their exact names (for the guard): traffic containers start passes, new connections from outside to a bridge are dropped. The watcher on the host keeps it in step with Docker's networks.")
      : l10n.t("Docker's bridges, by their exact names: traffic containers start passes, new connections from outside to a bridge are dropped. The watcher on the host keeps it in step with Docker's networks.");
  }
  if (name === names.input) {
    return l10n.t("The policy for the host's own sockets, first in {0}: replies, loopback, the SSH port and the allows pass; the rest goes on to {1}.", code('INPUT'), code(names.ports));
  }
  if (name === names.ports) {
    return l10n.t("The ports served on the host's own sockets (docker-proxy, host-network containers, rootless Docker): new connections from outside are dropped. The watcher keeps it in step.");
  }
  if (name === names.legacyProxy) return l10n.t('Written by an older version of Docker Firewall: replaced by {0} when the lockdown is applied again.', code(names.input));
  return l10n.t('The policy for traffic forwarded to containers, jumped to first from {0}: replies and the allows pass; the rest goes on to {1}.', code('DOCKER-USER'), code(names.bridges));
}

/** `nft`: the family whose nftables rules these are (their tooltips say them in nft's words). */
function chainRow(id: string, chain: string, rules: readonly StatusRule[], purpose: string, nft?: Family): StatusRow {
  return {
    id,
    label: line(chain),
    description: ruleCount(rules.length),
    tooltip: purpose,
    icon: { id: 'list-ordered' },
    expanded: true,
    children: rules.map((rule, i) => ruleRow(`${id}/${i}`, rule, nft)),
  };
}

/** What a rule of ours is for, in a few words (its tooltip). */
function roleText(role: RuleRole['kind']): string {
  switch (role) {
    case 'established':
      return l10n.t('replies');
    case 'to-bridges':
      return l10n.t('on to the chain of Docker bridges');
    case 'to-ports':
      return l10n.t('on to the chain of host ports');
    case 'from-containers':
      return l10n.t('from containers');
    case 'loopback':
      return l10n.t('loopback');
    case 'ssh':
      return l10n.t('the SSH port');
    case 'allow':
      return l10n.t({ message: 'allow', comment: ['What a firewall rule does: lets new connections through'] });
    case 'block':
      return l10n.t({ message: 'block', comment: ['What a firewall rule does: drops new connections'] });
    case 'port':
      return l10n.t('host port block');
    case 'proxy-block':
      return l10n.t('IPv6 proxy block (older version)');
    case 'state':
      return l10n.t('state marker');
  }
}

/** A rule of our nftables table as nft says it; one nft could not have (a foreign rule, read as found) in the model's words. */
function nftText(rule: StatusRule, family: Family): string {
  try {
    return `chain ${rule.chain}: ${nftRuleText(rule.spec, family)}`;
  } catch {
    return `chain ${rule.chain}: ${rule.spec}`;
  }
}

function ruleRow(id: string, rule: StatusRule, nft?: Family): StatusRow {
  const role = rule.role === undefined ? l10n.t('not written by Docker Firewall') : roleText(rule.role.kind);
  return {
    id,
    label: line(ruleLabel(rule)),
    description: `${l10n.t('{0} pkts', formatCount(rule.packets))} · ${formatBytes(rule.bytes)}`,
    tooltip: [
      code(nft === undefined ? `-A ${rule.chain} ${rule.spec}` : nftText(rule, nft)),
      l10n.t('{0}: {1} packets, {2} bytes matched since the rule was written.', escapeMarkdown(role), formatCount(rule.packets), formatCount(rule.bytes)),
    ].join('\n\n'),
    icon: rule.role === undefined ? { id: 'question', color: 'list.warningForeground' } : { id: ruleIcon(rule.role.kind) },
  };
}

/**
 * What a rule does, short enough for a side bar: from the role its comment gave it when the host was
 * read, and the interface it matches; the full rule is in the tooltip. A rule that is not ours shows as written.
 */
export function ruleLabel(rule: Pick<StatusRule, 'spec' | 'args' | 'role'>): string {
  const value = (flag: string) => {
    const index = rule.args.indexOf(flag);
    return index === -1 ? undefined : rule.args[index + 1];
  };
  const device = (flag: '-i' | '-o') => value(flag);
  const dport = () => value('--dport');
  const destination = () => value('-d')?.replace(/\/(32|128)$/, '');
  const role = rule.role;
  if (role === undefined) return ruleSummary(rule.spec);
  switch (role.kind) {
    case 'established':
      return l10n.t('replies (established, related)');
    case 'from-containers': {
      const bridge = device('-i');
      return bridge === undefined ? l10n.t('from containers on a bridge') : l10n.t('from containers on {0}', bridge);
    }
    case 'loopback':
      return l10n.t('loopback');
    case 'ssh':
      return l10n.t('the SSH port ({0}/tcp) stays open', dport() ?? '?');
    case 'to-bridges':
      return l10n.t('the rest: on to Docker’s bridges');
    case 'to-ports':
      return l10n.t('the rest: on to the host ports');
    case 'port': {
      const address = destination();
      return address === undefined ? l10n.t('block {0}', portText(role)) : l10n.t('block {0} on {1}', portText(role), address);
    }
    case 'allow': {
      const from = role.allow.from?.text;
      return from === undefined ? l10n.t('allow {0} from anywhere', portText(role.allow)) : l10n.t('allow {0} from {1}', portText(role.allow), from);
    }
    case 'block': {
      const bridge = device('-o');
      return bridge === undefined ? l10n.t('block new connections to containers') : l10n.t('block new connections to {0}', bridge);
    }
    case 'proxy-block':
      return l10n.t('block {0} (docker-proxy, older version)', portText(role));
    case 'state':
      return l10n.t('state marker');
  }
}

function ruleIcon(role: RuleRole['kind']): string {
  switch (role) {
    case 'allow':
      return 'pass';
    case 'block':
    case 'port':
    case 'proxy-block':
      return 'circle-slash';
    case 'to-bridges':
    case 'to-ports':
      return 'arrow-right';
    case 'state':
      return 'bookmark';
    case 'established':
    case 'from-containers':
    case 'loopback':
    case 'ssh':
      return 'arrow-swap';
  }
}

/** The rule without our `-m comment --comment "…"` (the role is shown next to it). */
export function ruleSummary(spec: string): string {
  return spec.replace(/\s*-m comment --comment (?:"(?:[^"\\]|\\.)*"|\S+)/, '').trim();
}

function allowsRow(id: string, firewall: FirewallStatus, clock: AllowClock): StatusRow {
  const allows = firewall.policy.allows;
  const ended = endedAllows(allows, clock.now).length;
  return {
    id,
    label: l10n.t('Allows'),
    description: allows.length === 0 ? l10n.t({ message: 'none', comment: ['No allows'] }) : [String(allows.length), ...(ended === 0 ? [] : [l10n.t('{0} ended', ended)])].join(' · '),
    tooltip: firewall.locked
      ? l10n.t('Published ports that stay reachable from outside while the lockdown is on. One with an end is closed by the host itself when it ends.')
      : l10n.t('Allows only matter while the lockdown is on.'),
    icon: { id: 'pass' },
    expanded: true,
    children: allows.map((a) => allowRow(`${id}/${portText(a)}/${a.from?.text ?? 'any'}`, a, clock)),
  };
}

/** "8080/tcp from 192.0.2.100" · "until 05:00 UTC · 47 min left" (or "ended at 05:00 UTC"). */
function allowRow(id: string, allow: Allow, clock: AllowClock): StatusRow {
  const ended = isExpired(allow, clock.now);
  const what = describeAllow({ ...allow, until: undefined });
  return {
    id,
    label: line(isForClient(allow, clock.clientAddress) ? l10n.t('{0} (you)', what) : what),
    description: allow.until === undefined ? '' : allowEndText(allow.until, clock.now),
    tooltip: escapeMarkdown(`${allowLine(allow, clock)}.`),
    icon: ended ? { id: 'lock', color: 'list.warningForeground' } : { id: 'unlock' },
  };
}

function persistenceRow(id: string, firewall: FirewallStatus): StatusRow {
  const p = firewall.persistence;
  const description =
    p.state === 'none'
      ? l10n.t('not persistent')
      : [
          p.state === 'current' ? l10n.t({ message: 'saved', comment: ['The lockdown is saved on the host'] }) : l10n.t('saved rules outdated'),
          p.systemd === 'enabled' ? l10n.t('systemd unit enabled') : p.systemd === 'disabled' ? l10n.t('systemd unit disabled') : l10n.t('no systemd'),
        ].join(', ');
  return {
    id,
    label: l10n.t('Persistence'),
    description,
    tooltip:
      p.state === 'none'
        ? l10n.t('Nothing is saved: after a reboot the host is open until the lockdown is applied again (Make Persistent).')
        : p.state === 'current'
          ? firewall.backend === 'nftables'
            ? l10n.t('The lockdown is saved and put back at boot.')
            : l10n.t('The lockdown is saved and put back at boot and after every dockerd start.')
          : l10n.t('The saved lockdown differs from the rules in force: use Make Persistent again.'),
    icon: p.state === 'current' ? { id: 'save' } : { id: 'save', color: firewall.locked ? 'list.warningForeground' : undefined },
  };
}

function dockerRow(id: string, inventory: Inventory, firewall: FirewallStatus): StatusRow {
  const docker = inventory.docker;
  const backend = docker.firewallBackend !== undefined && docker.firewallBackend !== '' ? [l10n.t('{0} backend', docker.firewallBackend)] : [];
  return {
    id,
    label: 'Docker',
    description: line([docker.version, `API ${docker.apiVersion}`, ...backend].join(' · ')),
    tooltip: `${containerCount(inventory.containers.length)}, ${publishedPortCount(firewall.ports.length)}.`,
    icon: { id: 'vm' },
  };
}
