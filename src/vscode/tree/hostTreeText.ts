import * as l10n from '@vscode/l10n';
import type { ContainerSummary } from '../../core/docker/inventoryModel';
import type { Exposure, PortExposure } from '../../core/firewall/exposure';
import { describeAllow, type Allow } from '../../core/firewall/policy';
import { bindingText } from '../../core/firewall/port';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';
import type { ConfiguredHost } from '../settings/configuredHosts';
import { hostDisplayState, type HostSnapshot } from '../hosts/hostSnapshot';
import { clockTime, code, containerCount, escapeMarkdown, type IconSpec, type ItemText } from './treeText';
import { allowLine, isForClient, type AllowClock } from './allowTimeText';
import { endedAllows } from '../../core/firewall/expiry';
import { isExpired, remainingText } from '../../core/firewall/expiry';

/**
 * Labels, descriptions, tooltips and icons of the Hosts tree (pure, unit-tested). Text from hosts
 * goes into labels and descriptions through forDisplay, into tooltips through escapeMarkdown and code.
 */

/** A name as a label or description: plain text, one line, no icon syntax. */
const nameLabel = (text: string) => forDisplay(text, DISPLAY_LIMIT.name);

/** How a port is reachable, in a word or two (a port item's description, a container's tooltip). */
function exposureText(exposure: Exposure): string {
  switch (exposure) {
    case 'exposed':
      return l10n.t({ message: 'exposed', comment: ['A published port reachable from every network'] });
    case 'blocked':
      return l10n.t({ message: 'blocked', comment: ['A published port the lockdown closes to other machines'] });
    case 'allowed':
      return l10n.t({ message: 'allowed', comment: ['A published port an allow keeps open while the lockdown is on'] });
    case 'local-only':
      return l10n.t('local only');
    case 'unverified':
      return l10n.t('unverified');
    case 'host-network':
      return l10n.t('exposed (host network)');
    case 'routed':
      return l10n.t('exposed (routed)');
    case 'host-service':
      return l10n.t('host service');
    case 'unknown':
      return l10n.t({ message: 'unknown', comment: ['How a published port is reachable: not known'] });
  }
}

/** "3 blocked": how many published ports have the exposure (a host's port summary). */
function exposureCount(exposure: Exposure, count: number): string {
  switch (exposure) {
    case 'exposed':
      return l10n.t('{0} exposed', count);
    case 'blocked':
      return l10n.t('{0} blocked', count);
    case 'allowed':
      return l10n.t('{0} allowed', count);
    case 'local-only':
      return l10n.t('{0} local only', count);
    case 'unverified':
      return l10n.t('{0} unverified', count);
    case 'host-network':
      return l10n.t('{0} exposed (host network)', count);
    case 'routed':
      return l10n.t('{0} exposed (routed)', count);
    case 'host-service':
      return l10n.t('{0} host service', count);
    case 'unknown':
      return l10n.t('{0} unknown', count);
  }
}

/** The order in which a summary counts the exposures. */
const EXPOSURE_ORDER: readonly Exposure[] = ['exposed', 'blocked', 'allowed', 'local-only', 'unverified', 'host-network', 'routed', 'host-service', 'unknown'];

/** A host's state as its item, the host pick and its group's folder say it. */
export const hostStateLabel = {
  locked: (): string => l10n.t({ message: 'locked', comment: ['A host whose lockdown is on'] }),
  open: (): string => l10n.t({ message: 'open', comment: ['A host without lockdown: its published ports are reachable from every network'] }),
  unreachable: (): string => l10n.t({ message: 'unreachable', comment: ['A host that could not be read'] }),
  connecting: (): string => l10n.t('connecting…'),
};

const hostServiceCount = (count: number): string => (count === 1 ? l10n.t('1 host service') : l10n.t('{0} host services', count));

const EXPOSURE_ICON: Record<Exposure, IconSpec> = {
  exposed: { id: 'globe', color: 'list.warningForeground' },
  blocked: { id: 'lock' },
  allowed: { id: 'unlock' },
  'local-only': { id: 'home' },
  unverified: { id: 'question', color: 'list.warningForeground' },
  'host-network': { id: 'globe', color: 'list.warningForeground' },
  routed: { id: 'globe', color: 'list.warningForeground' },
  'host-service': { id: 'server-process' },
  unknown: { id: 'question' },
};

export function hostItemText(entry: ConfiguredHost, snapshot: HostSnapshot): ItemText {
  const state = hostDisplayState(snapshot);
  const status = snapshot.status;
  const label = nameLabel(entry.name);
  const lines = [`**${escapeMarkdown(entry.name)}** — ${code(entry.destination)}`];
  if (entry.identityFile !== undefined) lines.push(l10n.t('Identity file: {0}', code(entry.identityFile)));
  switch (state) {
    case 'unknown':
      return { label, description: '', tooltip: lines.join('\n\n'), icon: { id: 'server' } };
    case 'connecting':
      lines.push(l10n.t('Connecting…'));
      return { label, description: hostStateLabel.connecting(), tooltip: lines.join('\n\n'), icon: { id: 'loading~spin' } };
    case 'unreachable':
      lines.push(l10n.t('Could not be read: {0}', escapeMarkdown(snapshot.failure?.message ?? l10n.t('unknown error'))));
      return { label, description: hostStateLabel.unreachable(), tooltip: lines.join('\n\n'), icon: { id: 'error', color: 'list.errorForeground' } };
    case 'locked':
    case 'open':
      break;
  }
  if (status === undefined) return { label };
  const { firewall, inventory } = status;
  const warnings = firewall.warnings.length;
  lines.push(
    firewall.locked
      ? l10n.t('Lockdown **on** (chain {0}), {1}.', code(firewall.chain), persistenceText(firewall.persistence.state))
      : l10n.t('Lockdown **off**: every published port is reachable from every network.'),
  );
  lines.push([`Docker ${escapeMarkdown(inventory.docker.version)}`, containerCount(inventory.containers.length), portSummary(firewall.ports)].join(' · '));
  if (warnings > 0) lines.push(`$(warning) ${warnings === 1 ? l10n.t('1 warning: see Chain Status.') : l10n.t('{0} warnings: see Chain Status.', warnings)}`);
  lines.push(l10n.t('Read at {0}.', clockTime(status.readAt)));
  const icon: IconSpec = firewall.locked
    ? { id: 'lock', color: warnings > 0 ? 'list.warningForeground' : 'charts.green' }
    : { id: 'unlock', color: 'list.warningForeground' };
  return { label, description: firewall.locked ? hostStateLabel.locked() : hostStateLabel.open(), tooltip: lines.join('\n\n'), icon };
}

function persistenceText(state: 'none' | 'current' | 'outdated'): string {
  switch (state) {
    case 'none':
      return l10n.t('not persistent (gone after a reboot)');
    case 'current':
      return l10n.t('persistent');
    case 'outdated':
      return l10n.t('saved, but the saved rules differ from those in force');
  }
}

/** "7 published ports: 3 blocked, 2 allowed, 1 exposed, 1 local only · 2 host services". */
export function portSummary(ports: readonly PortExposure[]): string {
  const services = ports.filter((p) => p.origin === 'host-service').length;
  const published = ports.filter((p) => p.origin !== 'host-service');
  const servicesText = services === 0 ? '' : ` · ${hostServiceCount(services)}`;
  if (published.length === 0) return `${l10n.t('no published ports')}${servicesText}`;
  const counts = EXPOSURE_ORDER.map((e) => [e, published.filter((p) => p.exposure === e).length] as const)
    .filter(([, n]) => n > 0)
    .map(([e, n]) => exposureCount(e, n))
    .join(', ');
  const summary = published.length === 1 ? l10n.t('1 published port: {0}', counts) : l10n.t('{0} published ports: {1}', published.length, counts);
  return `${summary}${servicesText}`;
}

/** The node of what else listens on the host: host services (never covered) and a rootless Docker's ports. */
export function servicesItemText(ports: readonly PortExposure[]): ItemText {
  const rootless = ports.filter((p) => p.origin === 'rootless').length;
  const services = ports.length - rootless;
  const parts = [
    ...(services > 0 ? [hostServiceCount(services)] : []),
    ...(rootless > 0 ? [rootless === 1 ? l10n.t('1 rootless Docker port') : l10n.t('{0} rootless Docker ports', rootless)] : []),
  ];
  return {
    label: l10n.t('Host services'),
    description: parts.join(' · '),
    tooltip: [
      l10n.t("Sockets on the host's own addresses that belong to no container."),
      l10n.t('Host services (sshd, a database installed without Docker…) are **not covered** by the lockdown and never called blocked.'),
      ...(rootless > 0 ? [l10n.t("A rootless Docker's published ports are ordinary sockets of the host (INPUT path): the lockdown covers them by port.")] : []),
    ].join('\n\n'),
    icon: { id: 'server-process' },
  };
}

export function containerItemText(container: ContainerSummary, ports: readonly PortExposure[]): ItemText {
  const lines = [
    `**${escapeMarkdown(container.name)}** ${code(container.id.slice(0, 12))}`,
    l10n.t('Image {0} · {1}', code(container.image), escapeMarkdown(container.status || container.state)),
  ];
  const networks = container.networks.map((n) => [n.name, n.ipv4, n.ipv6].filter((v) => v !== undefined && v !== '').join(' '));
  if (networks.length > 0) lines.push(l10n.t('Networks: {0}', networks.map(code).join(', ')));
  lines.push(ports.length === 0 ? l10n.t('No published ports.') : ports.map((p) => `- ${code(bindingText(p))} ${exposureText(p.exposure)}`).join('\n'));
  return {
    label: nameLabel(container.name),
    description: `${nameLabel(container.image)} · ${nameLabel(container.state)}`,
    tooltip: lines.join('\n\n'),
    icon: containerIcon(container.state),
  };
}

function containerIcon(state: string): IconSpec {
  switch (state) {
    case 'running':
      return { id: 'vm-running', color: 'charts.green' };
    case 'paused':
      return { id: 'debug-pause' };
    case 'restarting':
      return { id: 'debug-restart' };
    default:
      return { id: 'vm-outline' };
  }
}

/**
 * `blocked`, `exposed`, `local only`, `allowed`, or `allowed from 203.0.113.0/24` when only ranges
 * are allowed. With a clock, allows that end say so: `allowed for you · 47 min left` (from the address
 * the host sees this client at), `allowed · 2 h left`, and `blocked · allow ended` once the last has.
 */
export function portDescription(port: PortExposure, allows: readonly Allow[], clock?: AllowClock): string {
  const exposure = shownExposure(port, allows, clock);
  const text = exposureText(exposure);
  if (exposure === 'blocked' && clock !== undefined && endedAllows(allows, clock.now).length > 0) return `${text} · ${l10n.t('allow ended')}`;
  if (exposure !== 'allowed') return text;
  const live = clock === undefined ? allows : allows.filter((a) => !isExpired(a, clock.now));
  if (live.length === 0) return text;
  const who = live.some((a) => a.from === undefined)
    ? text
    : clock !== undefined && live.every((a) => isForClient(a, clock.clientAddress))
      ? l10n.t('allowed for you')
      : l10n.t('allowed from {0}', live.map((a) => a.from?.text ?? '').join(', '));
  // The port stays allowed until the last of its allows ends; one without an end keeps it so.
  const ends = live.flatMap((a) => (a.until === undefined ? [] : [a.until]));
  if (clock === undefined || ends.length < live.length) return who;
  return `${who} · ${remainingText(Math.max(...ends), clock.now)}`;
}

/** The exposure the read gave, except that a port whose allows have all ended since is blocked again. */
export function shownExposure(port: PortExposure, allows: readonly Allow[], clock?: AllowClock): Exposure {
  if (clock === undefined || port.exposure !== 'allowed' || allows.length === 0) return port.exposure;
  return allows.every((a) => isExpired(a, clock.now)) ? 'blocked' : 'allowed';
}

export function portItemText(port: PortExposure, allows: readonly Allow[], clock?: AllowClock): ItemText {
  const lines = [l10n.t('**{0}** · container {1}', escapeMarkdown(bindingText(port)), code(port.container)), escapeMarkdown(port.reason)];
  if (allows.length > 0) {
    const described = clock === undefined ? allows.map(describeAllow) : allows.map((a) => allowLine(a, clock));
    lines.push(l10n.t('Allowed: {0}', described.map((a) => escapeMarkdown(a)).join('; ')));
  }
  return {
    label: nameLabel(bindingText(port)),
    description: nameLabel(portDescription(port, allows, clock)),
    tooltip: lines.join('\n\n'),
    icon: EXPOSURE_ICON[shownExposure(port, allows, clock)],
  };
}

export function errorItemText(message: string): ItemText {
  return {
    label: forDisplay(message, DISPLAY_LIMIT.line),
    tooltip: `${escapeMarkdown(message)}\n\n${l10n.t('Select to try again. Details are in the log (Docker Firewall: Show Log).')}`,
    icon: { id: 'error', color: 'list.errorForeground' },
  };
}
