import * as l10n from '@vscode/l10n';
import type { PortExposure } from '../../core/firewall/exposure';
import { PERSIST_DIR, RESTORE_SCRIPT, UNIT_PATH } from '../../core/firewall/persistence';
import { describeAllow, type Allow, type Policy } from '../../core/firewall/policy';
import { allowsFor, hostPortText, portText } from '../../core/firewall/port';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';

/** The texts of the modal confirmations: what will change, said before it changes (pure, unit-tested). */
export interface Confirmation {
  readonly message: string;
  readonly detail: string;
  /** The button, named after the verb. */
  readonly action: string;
}

/**
 * One line per host port and protocol (Docker lists 0.0.0.0 and :: separately), with its containers;
 * their names come from the host, so each goes through forDisplay (a modal shows plain text, but not
 * control characters, bidi overrides or a 100 KB name).
 */
export function distinctPorts(ports: readonly PortExposure[]): string[] {
  const byKey = new Map<string, { port: number; proto: string; containers: Set<string> }>();
  for (const p of ports) {
    // The host's own services are not the lockdown's: they are never listed as changing.
    if (p.origin === 'host-service') continue;
    const key = hostPortText(p);
    const entry = byKey.get(key) ?? { port: p.hostPort, proto: p.proto, containers: new Set<string>() };
    if (p.container !== '') entry.containers.add(p.container);
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto))
    .map((e) => (e.containers.size === 0 ? portText(e) : `${portText(e)} (${[...e.containers].sort().map((c) => forDisplay(c, DISPLAY_LIMIT.name)).join(', ')})`));
}

function bullets(lines: readonly string[]): string {
  return lines.map((l) => `  • ${l}`).join('\n');
}

/** The published ports a lockdown with `wanted` closes that are reachable from outside now. */
export function portsThatWillClose(ports: readonly PortExposure[], wanted: Policy): PortExposure[] {
  const external = ports.filter((p) => p.exposure !== 'local-only' && p.origin !== 'host-service');
  return external.filter((p) => allowsFor(wanted.allows, p).length === 0 && p.exposure !== 'blocked');
}

const keptText = (): string =>
  l10n.t(
    'Connections already open are kept. Containers keep their own outbound access, ports published on 127.0.0.1 are not affected, and the rules go in a chain of their own that Docker leaves alone when it restarts.',
  );

/** `ports`: the exposure now; `wanted`: the policy the lockdown will have (its allows stay open). */
export function blockConfirmation(hostName: string, ports: readonly PortExposure[], wanted: Policy): Confirmation {
  const willBlock = portsThatWillClose(ports, wanted);
  const parts: string[] = [];
  parts.push(
    willBlock.length > 0
      ? l10n.t('These published ports will refuse new connections from other machines (IPv4 and IPv6):\n{0}', bullets(distinctPorts(willBlock)))
      : l10n.t('No published port is reachable from outside right now; the lockdown will also cover ports published later, once applied again.'),
  );
  if (wanted.allows.length > 0) parts.push(l10n.t('These stay reachable:\n{0}', bullets(wanted.allows.map(describeAllow))));
  parts.push(keptText());
  return { message: l10n.t('Block external access to {0}?', hostName), detail: parts.join('\n\n'), action: l10n.t('Block External Access') };
}

/** A host of a group, as Block External Access on the group found it. */
export type GroupBlockHost =
  | { readonly hostName: string; readonly kind: 'change'; readonly ports: readonly PortExposure[]; readonly wanted: Policy }
  | { readonly hostName: string; readonly kind: 'unchanged' }
  | { readonly hostName: string; readonly kind: 'unreadable'; readonly reason: string };

/**
 * One confirmation for Block External Access on every host of a group: per host, the ports that
 * will close (and the allows that stay), then the hosts already blocked and those that could not
 * be read, which are left alone. Host names and reasons come from settings and hosts: forDisplay.
 */
export function groupBlockConfirmation(group: string, hosts: readonly GroupBlockHost[]): Confirmation {
  const name = (text: string) => forDisplay(text, DISPLAY_LIMIT.name);
  const changing = hosts.flatMap((h) => (h.kind === 'change' ? [h] : []));
  const parts = changing.map((h) => {
    const willBlock = portsThatWillClose(h.ports, h.wanted);
    const closes =
      willBlock.length > 0
        ? l10n.t('{0} closes to other machines:\n{1}', name(h.hostName), bullets(distinctPorts(willBlock)))
        : l10n.t('{0} no published port is reachable from outside now; the lockdown covers ports published later.', name(h.hostName));
    return h.wanted.allows.length > 0 ? `${closes}\n  ${l10n.t('stays reachable: {0}', h.wanted.allows.map(describeAllow).join('; '))}` : closes;
  });
  const unchanged = hosts.filter((h) => h.kind === 'unchanged').map((h) => name(h.hostName));
  if (unchanged.length > 0) parts.push(l10n.t('Already blocked, nothing to change: {0}.', unchanged.join(', ')));
  const unreadable = hosts.flatMap((h) => (h.kind === 'unreadable' ? [h] : []));
  if (unreadable.length > 0) parts.push(l10n.t('Could not be read, left alone:\n{0}', bullets(unreadable.map((h) => `${name(h.hostName)}: ${forDisplay(h.reason, DISPLAY_LIMIT.line)}`))));
  parts.push(keptText());
  return {
    message:
      changing.length === 1
        ? l10n.t('Block external access to 1 host of {0} (IPv4 and IPv6)?', name(group))
        : l10n.t('Block external access to {0} hosts of {1} (IPv4 and IPv6)?', changing.length, name(group)),
    detail: parts.join('\n\n'),
    action: l10n.t('Block External Access'),
  };
}

export function unblockConfirmation(hostName: string, ports: readonly PortExposure[], current: Policy): Confirmation {
  const willOpen = ports.filter((p) => p.exposure === 'blocked' || p.exposure === 'allowed');
  const parts: string[] = [];
  parts.push(
    willOpen.length > 0
      ? l10n.t('These published ports become reachable from every network again:\n{0}', bullets(distinctPorts(willOpen)))
      : l10n.t('Every published port becomes reachable from every network again.'),
  );
  if (current.allows.length > 0) parts.push(l10n.t('The allows are removed too:\n{0}', bullets(current.allows.map(describeAllow))));
  parts.push(l10n.t('If the lockdown was made persistent, the saved rules are cleared as well.'));
  return { message: l10n.t('Remove the lockdown from {0}?', hostName), detail: parts.join('\n\n'), action: l10n.t('Remove Lockdown') };
}

export function persistConfirmation(hostName: string): Confirmation {
  return {
    message: l10n.t('Make the lockdown of {0} persistent?', hostName),
    detail: l10n.t(
      "Saves the rules of Docker Firewall's chains (never Docker's) in {0}/ and installs {1}. On a host with systemd, the unit {2} puts them back at boot before Docker starts and after every dockerd start; without systemd you are told what to run. Later changes are saved too.",
      PERSIST_DIR,
      RESTORE_SCRIPT,
      UNIT_PATH,
    ),
    action: l10n.t('Make Persistent'),
  };
}

/** Allowing a port on a host without lockdown only makes sense as part of a lockdown. */
export function allowOnOpenHostConfirmation(hostName: string, ports: readonly PortExposure[], allow: Allow): Confirmation {
  const block = blockConfirmation(hostName, ports, { locked: true, allows: [allow] });
  return {
    message: l10n.t('{0} has no lockdown: every published port is reachable already. Block external access except {1}?', hostName, describeAllow(allow)),
    detail: block.detail,
    action: l10n.t('Block External Access'),
  };
}

export function removeHostConfirmation(hostName: string): Confirmation {
  return {
    message: l10n.t('Remove {0} from Docker Firewall?', hostName),
    detail: l10n.t('Its firewall rules stay on the host as they are; saved passwords for it are forgotten.'),
    action: l10n.t('Remove Host'),
  };
}
