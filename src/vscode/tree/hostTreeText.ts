import type { ContainerSummary } from '../../core/docker/inventoryModel';
import type { Exposure, PortExposure } from '../../core/firewall/exposure';
import { describeAllow, type Allow } from '../../core/firewall/policy';
import { bindingText } from '../../core/firewall/port';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';
import type { ConfiguredHost } from '../settings/configuredHosts';
import { hostDisplayState, type HostSnapshot } from '../hosts/hostSnapshot';
import { clockTime, code, escapeMarkdown, plural, type IconSpec, type ItemText } from './treeText';
import { allowLine, isForClient, type AllowClock } from './allowTimeText';
import { endedAllows } from '../../core/firewall/expiry';
import { isExpired, remainingText } from '../../core/firewall/expiry';

/**
 * Labels, descriptions, tooltips and icons of the Hosts tree (pure, unit-tested). Text from hosts
 * goes into labels and descriptions through forDisplay, into tooltips through escapeMarkdown and code.
 */

/** A name as a label or description: plain text, one line, no icon syntax. */
const nameLabel = (text: string) => forDisplay(text, DISPLAY_LIMIT.name);

const EXPOSURE_TEXT: Record<Exposure, string> = {
  exposed: 'exposed',
  blocked: 'blocked',
  allowed: 'allowed',
  'local-only': 'local only',
  unverified: 'unverified',
  'host-network': 'exposed (host network)',
  routed: 'exposed (routed)',
  'host-service': 'host service',
  unknown: 'unknown',
};

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
  if (entry.identityFile !== undefined) lines.push(`Identity file: ${code(entry.identityFile)}`);
  switch (state) {
    case 'unknown':
      return { label, description: '', tooltip: lines.join('\n\n'), icon: { id: 'server' } };
    case 'connecting':
      lines.push('Connecting…');
      return { label, description: 'connecting…', tooltip: lines.join('\n\n'), icon: { id: 'loading~spin' } };
    case 'unreachable':
      lines.push(`Could not be read: ${escapeMarkdown(snapshot.failure?.message ?? 'unknown error')}`);
      return { label, description: 'unreachable', tooltip: lines.join('\n\n'), icon: { id: 'error', color: 'list.errorForeground' } };
    case 'locked':
    case 'open':
      break;
  }
  if (status === undefined) return { label };
  const { firewall, inventory } = status;
  const warnings = firewall.warnings.length;
  lines.push(
    firewall.locked
      ? `Lockdown **on** (chain ${code(firewall.chain)}), ${persistenceText(firewall.persistence.state)}.`
      : 'Lockdown **off**: every published port is reachable from every network.',
  );
  lines.push(`Docker ${escapeMarkdown(inventory.docker.version)} · ${plural(inventory.containers.length, 'container')} · ${portSummary(firewall.ports)}`);
  if (warnings > 0) lines.push(`$(warning) ${plural(warnings, 'warning')}: see Chain Status.`);
  lines.push(`Read at ${clockTime(status.readAt)}.`);
  const icon: IconSpec = firewall.locked
    ? { id: 'lock', color: warnings > 0 ? 'list.warningForeground' : 'charts.green' }
    : { id: 'unlock', color: 'list.warningForeground' };
  return { label, description: firewall.locked ? 'locked' : 'open', tooltip: lines.join('\n\n'), icon };
}

function persistenceText(state: 'none' | 'current' | 'outdated'): string {
  switch (state) {
    case 'none':
      return 'not persistent (gone after a reboot)';
    case 'current':
      return 'persistent';
    case 'outdated':
      return 'saved, but the saved rules differ from those in force';
  }
}

/** "7 published ports: 3 blocked, 2 allowed, 1 exposed, 1 local only · 2 host services". */
export function portSummary(ports: readonly PortExposure[]): string {
  const services = ports.filter((p) => p.origin === 'host-service').length;
  const published = ports.filter((p) => p.origin !== 'host-service');
  const servicesText = services === 0 ? '' : ` · ${plural(services, 'host service')}`;
  if (published.length === 0) return `no published ports${servicesText}`;
  const counts = (Object.keys(EXPOSURE_TEXT) as Exposure[])
    .map((e) => [e, published.filter((p) => p.exposure === e).length] as const)
    .filter(([, n]) => n > 0)
    .map(([e, n]) => `${n} ${EXPOSURE_TEXT[e]}`);
  return `${plural(published.length, 'published port')}: ${counts.join(', ')}${servicesText}`;
}

/** The node of what else listens on the host: host services (never covered) and a rootless Docker's ports. */
export function servicesItemText(ports: readonly PortExposure[]): ItemText {
  const rootless = ports.filter((p) => p.origin === 'rootless').length;
  const services = ports.length - rootless;
  const parts = [...(services > 0 ? [plural(services, 'host service')] : []), ...(rootless > 0 ? [plural(rootless, 'rootless Docker port')] : [])];
  return {
    label: 'Host services',
    description: parts.join(' · '),
    tooltip: [
      'Sockets on the host\'s own addresses that belong to no container.',
      'Host services (sshd, a database installed without Docker…) are **not covered** by the lockdown and never called blocked.',
      ...(rootless > 0 ? ['A rootless Docker\'s published ports are ordinary sockets of the host (INPUT path): the lockdown covers them by port.'] : []),
    ].join('\n\n'),
    icon: { id: 'server-process' },
  };
}

export function containerItemText(container: ContainerSummary, ports: readonly PortExposure[]): ItemText {
  const lines = [
    `**${escapeMarkdown(container.name)}** ${code(container.id.slice(0, 12))}`,
    `Image ${code(container.image)} · ${escapeMarkdown(container.status || container.state)}`,
  ];
  const networks = container.networks.map((n) => [n.name, n.ipv4, n.ipv6].filter((v) => v !== undefined && v !== '').join(' '));
  if (networks.length > 0) lines.push(`Networks: ${networks.map(code).join(', ')}`);
  lines.push(ports.length === 0 ? 'No published ports.' : ports.map((p) => `- ${code(bindingText(p))} ${EXPOSURE_TEXT[p.exposure]}`).join('\n'));
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
  const text = EXPOSURE_TEXT[exposure];
  if (exposure === 'blocked' && clock !== undefined && endedAllows(allows, clock.now).length > 0) return `${text} · allow ended`;
  if (exposure !== 'allowed') return text;
  const live = clock === undefined ? allows : allows.filter((a) => !isExpired(a, clock.now));
  if (live.length === 0) return text;
  const who = live.some((a) => a.from === undefined)
    ? text
    : clock !== undefined && live.every((a) => isForClient(a, clock.clientAddress))
      ? `${text} for you`
      : `${text} from ${live.map((a) => a.from?.text ?? '').join(', ')}`;
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
  const lines = [`**${escapeMarkdown(bindingText(port))}** · container ${code(port.container)}`, escapeMarkdown(port.reason)];
  if (allows.length > 0) {
    const described = clock === undefined ? allows.map(describeAllow) : allows.map((a) => allowLine(a, clock));
    lines.push(`Allowed: ${described.map((a) => escapeMarkdown(a)).join('; ')}`);
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
    tooltip: `${escapeMarkdown(message)}\n\nSelect to try again. Details are in the log (Docker Firewall: Show Log).`,
    icon: { id: 'error', color: 'list.errorForeground' },
  };
}
