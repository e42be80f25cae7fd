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
import { clockTime, code, escapeMarkdown, formatBytes, formatCount, plural, type IconSpec } from '../tree/treeText';
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
    if (snapshot.loading) return [{ id: id('loading'), label: line(`Reading ${hostName}…`), icon: { id: 'loading~spin' } }];
    if (snapshot.failure !== undefined) {
      return [
        {
          id: id('error'),
          label: line(snapshot.failure.message),
          tooltip: `${escapeMarkdown(snapshot.failure.message)}\n\nUse Refresh to try again; details are in the log.`,
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
      label: 'Warnings',
      description: String(firewall.warnings.length),
      icon: { id: 'warning', color: 'list.warningForeground' },
      expanded: true,
      children: firewall.warnings.map((w, i) => ({
        id: id(`warnings/${i}/${w.code}`),
        label: line(w.message),
        tooltip: `${escapeMarkdown(w.message)}\n\n${code(w.code)}${w.code === 'allows-ended' ? '\n\nClean Up Expired removes their rules.' : ''}`,
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
      ? `nftables table ${nftTableName(firewall.chain)}`
      : firewall.iptablesVariant === undefined
        ? 'no iptables variant holds Docker’s chains'
        : `iptables-${firewall.iptablesVariant}`;
  return {
    id,
    label: 'Lockdown',
    description: firewall.locked ? line(`on · chain ${firewall.chain}`) : 'off',
    tooltip: [
      firewall.locked
        ? `External access is blocked by chain ${code(firewall.chain)}, except for the allows.`
        : 'No lockdown: every published port is reachable from every network.',
      firewall.backend === 'nftables'
        ? `Docker’s nftables backend: the lockdown is in tables ${code(`ip ${nftTableName(firewall.chain)}`)} and ${code(`ip6 ${nftTableName(firewall.chain)}`)} of our own.`
        : `${escapeMarkdown(firewall.iptablesVersion || 'iptables')} (${escapeMarkdown(backend)})`,
      `Read at ${clockTime(readAt)}.`,
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
      description: 'not readable',
      tooltip: `${label} rules could not be read on this host, so ${label} is not covered.`,
      icon: { id: 'circle-slash', color: 'list.warningForeground' },
    };
  }
  // A chain is named per table: the chain of bridges is in filter and in security (for the guard).
  const chains = [...new Map(family.rules.map((r) => [`${r.table} ${r.chain}`, { table: r.table, name: r.chain }])).values()];
  const drift = family.drift === 'none' ? '' : family.drift === 'modified' ? ' · changed by hand' : ' · outdated';
  return {
    id,
    label,
    description: line(`${hookSummary(family.hooks)} · ${plural(family.rules.length, 'rule')}${drift}`),
    tooltip: [
      `${label}: ${family.hooks.length === 0 ? `nothing jumps to ${code(chain)}` : family.hooks.map((h) => code(`${hookLocation(h)} #${h.position} ${h.spec}`)).join(', ')}.`,
      backend === 'nftables'
        ? `Docker uses its nftables backend: the lockdown is table ${code(`${family.family === 'ipv4' ? 'ip' : 'ip6'} ${nftTableName(chain)}`)}, whose base chains run before Docker’s.`
        : family.dockerUser
          ? 'Docker’s DOCKER-USER chain is present.'
          : 'Docker made no DOCKER-USER chain in this family.',
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
  if (hooks.length === 0) return 'not hooked';
  return `hooked at ${hooks.map((h) => `${hookLocation(h)} #${h.position}`).join(', ')}`;
}

function hookRow(id: string, hook: Hook): StatusRow {
  const first = hook.position === 1;
  return {
    id,
    label: line(`${hookLocation(hook)} #${hook.position}`),
    description: line(hook.spec),
    tooltip: `Rule ${hook.position} of ${code(hookLocation(hook))}: ${code(hook.spec)}.${first ? '' : ' Rules above it are not filtered by the lockdown.'}`,
    icon: first ? { id: 'arrow-right' } : { id: 'warning', color: 'list.warningForeground' },
  };
}

/** What each of our chains is for, as the tooltip of its row. */
function chainPurpose(name: string, table: string, chain: ChainName): string {
  const names = chainNames(chain);
  if (name === names.guard) {
    return (
      `The same policy as ${code(chain)}, first in the security table's FORWARD, which runs after filter and which Docker never writes to. ` +
      `It sees only what ${code('DOCKER-USER')} let through: its drops are connections that got past Docker's own rules ` +
      '(Docker 20.10 briefly removes its jump to DOCKER-USER whenever a network is created).'
    );
  }
  if (name === names.bridges) {
    return `Docker's bridges, by their exact names${table === 'security' ? ' (for the guard)' : ''}: traffic containers start passes, new connections from outside to a bridge are dropped. The watcher on the host keeps it in step with Docker's networks.`;
  }
  if (name === names.input) return `The policy for the host's own sockets, first in ${code('INPUT')}: replies, loopback, the SSH port and the allows pass; the rest goes on to ${code(names.ports)}.`;
  if (name === names.ports) return 'The ports served on the host\'s own sockets (docker-proxy, host-network containers, rootless Docker): new connections from outside are dropped. The watcher keeps it in step.';
  if (name === names.legacyProxy) return `Written by an older version of Docker Firewall: replaced by ${code(names.input)} when the lockdown is applied again.`;
  return `The policy for traffic forwarded to containers, jumped to first from ${code('DOCKER-USER')}: replies and the allows pass; the rest goes on to ${code(names.bridges)}.`;
}

/** `nft`: the family whose nftables rules these are (their tooltips say them in nft's words). */
function chainRow(id: string, chain: string, rules: readonly StatusRule[], purpose: string, nft?: Family): StatusRow {
  return {
    id,
    label: line(chain),
    description: plural(rules.length, 'rule'),
    tooltip: purpose,
    icon: { id: 'list-ordered' },
    expanded: true,
    children: rules.map((rule, i) => ruleRow(`${id}/${i}`, rule, nft)),
  };
}

const ROLE_TEXT: Record<RuleRole['kind'], string> = {
  established: 'replies',
  'to-bridges': 'on to the chain of Docker bridges',
  'to-ports': 'on to the chain of host ports',
  'from-containers': 'from containers',
  loopback: 'loopback',
  ssh: 'the SSH port',
  allow: 'allow',
  block: 'block',
  port: 'host port block',
  'proxy-block': 'IPv6 proxy block (older version)',
  state: 'state marker',
};

/** A rule of our nftables table as nft says it; one nft could not have (a foreign rule, read as found) in the model's words. */
function nftText(rule: StatusRule, family: Family): string {
  try {
    return `chain ${rule.chain}: ${nftRuleText(rule.spec, family)}`;
  } catch {
    return `chain ${rule.chain}: ${rule.spec}`;
  }
}

function ruleRow(id: string, rule: StatusRule, nft?: Family): StatusRow {
  const role = rule.role === undefined ? 'not written by Docker Firewall' : ROLE_TEXT[rule.role.kind];
  return {
    id,
    label: line(ruleLabel(rule)),
    description: `${formatCount(rule.packets)} pkts · ${formatBytes(rule.bytes)}`,
    tooltip: [
      code(nft === undefined ? `-A ${rule.chain} ${rule.spec}` : nftText(rule, nft)),
      `${escapeMarkdown(role)}: ${formatCount(rule.packets)} packets, ${formatCount(rule.bytes)} bytes matched since the rule was written.`,
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
      return 'replies (established, related)';
    case 'from-containers':
      return `from containers on ${device('-i') ?? 'a bridge'}`;
    case 'loopback':
      return 'loopback';
    case 'ssh':
      return `the SSH port (${dport() ?? '?'}/tcp) stays open`;
    case 'to-bridges':
      return 'the rest: on to Docker’s bridges';
    case 'to-ports':
      return 'the rest: on to the host ports';
    case 'port':
      return `block ${portText(role)}${destination() === undefined ? '' : ` on ${destination()!}`}`;
    case 'allow':
      return `allow ${portText(role.allow)} from ${role.allow.from?.text ?? 'anywhere'}`;
    case 'block':
      return `block new connections to ${device('-o') ?? 'containers'}`;
    case 'proxy-block':
      return `block ${portText(role)} (docker-proxy, older version)`;
    case 'state':
      return 'state marker';
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
    label: 'Allows',
    description: allows.length === 0 ? 'none' : `${allows.length}${ended === 0 ? '' : ` · ${ended} ended`}`,
    tooltip: firewall.locked
      ? 'Published ports that stay reachable from outside while the lockdown is on. One with an end is closed by the host itself when it ends.'
      : 'Allows only matter while the lockdown is on.',
    icon: { id: 'pass' },
    expanded: true,
    children: allows.map((a) => allowRow(`${id}/${portText(a)}/${a.from?.text ?? 'any'}`, a, clock)),
  };
}

/** "8080/tcp from 192.0.2.100" · "until 05:00 UTC · 47 min left" (or "ended at 05:00 UTC"). */
function allowRow(id: string, allow: Allow, clock: AllowClock): StatusRow {
  const ended = isExpired(allow, clock.now);
  const you = isForClient(allow, clock.clientAddress) ? ' (you)' : '';
  return {
    id,
    label: line(`${describeAllow({ ...allow, until: undefined })}${you}`),
    description: allow.until === undefined ? '' : allowEndText(allow.until, clock.now),
    tooltip: escapeMarkdown(`${allowLine(allow, clock)}.`),
    icon: ended ? { id: 'lock', color: 'list.warningForeground' } : { id: 'unlock' },
  };
}

function persistenceRow(id: string, firewall: FirewallStatus): StatusRow {
  const p = firewall.persistence;
  const systemd = p.state === 'none' ? '' : p.systemd === 'enabled' ? ', systemd unit enabled' : p.systemd === 'disabled' ? ', systemd unit disabled' : ', no systemd';
  const description = p.state === 'none' ? 'not persistent' : p.state === 'current' ? `saved${systemd}` : `saved rules outdated${systemd}`;
  return {
    id,
    label: 'Persistence',
    description,
    tooltip:
      p.state === 'none'
        ? 'Nothing is saved: after a reboot the host is open until the lockdown is applied again (Make Persistent).'
        : p.state === 'current'
          ? `The lockdown is saved and put back at boot${firewall.backend === 'nftables' ? '' : ' and after every dockerd start'}.`
          : 'The saved lockdown differs from the rules in force: use Make Persistent again.',
    icon: p.state === 'current' ? { id: 'save' } : { id: 'save', color: firewall.locked ? 'list.warningForeground' : undefined },
  };
}

function dockerRow(id: string, inventory: Inventory, firewall: FirewallStatus): StatusRow {
  const docker = inventory.docker;
  const backend = docker.firewallBackend !== undefined && docker.firewallBackend !== '' ? ` · ${docker.firewallBackend} backend` : '';
  return {
    id,
    label: 'Docker',
    description: line(`${docker.version} · API ${docker.apiVersion}${backend}`),
    tooltip: `${plural(inventory.containers.length, 'container')}, ${plural(firewall.ports.length, 'published port')}.`,
    icon: { id: 'vm' },
  };
}
