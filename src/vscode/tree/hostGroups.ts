import * as l10n from '@vscode/l10n';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';
import type { HostDisplayState } from '../hosts/hostSnapshot';
import type { ConfiguredHost } from '../settings/configuredHosts';
import { escapeMarkdown, type ItemText } from './treeText';

/**
 * The top level of the Hosts tree (pure, unit-tested): the Remote-SSH window's host first, then one
 * folder per group in the order the groups first appear in `dockerFirewall.hosts`, then the hosts of
 * no group in their order. The window's host stays at the top even when it has a group.
 */
export type RootEntry = { readonly kind: 'host'; readonly hostName: string } | { readonly kind: 'group'; readonly group: string; readonly hostNames: readonly string[] };

export function rootLayout(hosts: readonly ConfiguredHost[], windowHostName?: string): RootEntry[] {
  const first: RootEntry[] = hosts.some((h) => h.name === windowHostName) && windowHostName !== undefined ? [{ kind: 'host', hostName: windowHostName }] : [];
  const rest = hosts.filter((h) => h.name !== windowHostName);
  const groups = new Map<string, string[]>();
  for (const host of rest) if (host.group !== undefined) groups.set(host.group, [...(groups.get(host.group) ?? []), host.name]);
  return [
    ...first,
    ...[...groups].map(([group, hostNames]): RootEntry => ({ kind: 'group', group, hostNames })),
    ...rest.filter((h) => h.group === undefined).map((h): RootEntry => ({ kind: 'host', hostName: h.name })),
  ];
}

/** The hosts a group's commands act on: every host of the settings in it, the window's too. */
export function hostsOfGroup(hosts: readonly ConfiguredHost[], group: string): ConfiguredHost[] {
  return hosts.filter((h) => h.group === group);
}

/** The groups, in the order they first appear. */
export function groupNames(hosts: readonly ConfiguredHost[]): string[] {
  return [...new Set(hosts.flatMap((h) => (h.group === undefined ? [] : [h.group])))];
}

/** The states a group's folder counts, in this order (hosts not read yet are not counted). */
const STATE_ORDER = ['locked', 'open', 'unreachable', 'connecting'] as const satisfies readonly HostDisplayState[];

function stateCount(state: (typeof STATE_ORDER)[number], count: number): string {
  switch (state) {
    case 'locked':
      return l10n.t('{0} locked', count);
    case 'open':
      return l10n.t('{0} open', count);
    case 'unreachable':
      return l10n.t('{0} unreachable', count);
    case 'connecting':
      return l10n.t('{0} connecting…', count);
  }
}

/** A group's folder: its name, how many hosts and in what state ("2 locked · 1 unreachable"). */
export function groupItemText(group: string, members: readonly { readonly name: string; readonly state: HostDisplayState }[]): ItemText {
  const states = STATE_ORDER.map((state) => [state, members.filter((m) => m.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => stateCount(state, n));
  return {
    label: forDisplay(group, DISPLAY_LIMIT.name),
    description: [members.length === 1 ? l10n.t('1 host') : l10n.t('{0} hosts', members.length), ...states].join(' · '),
    tooltip: [
      l10n.t('Group **{0}**: {1}.', escapeMarkdown(group), members.map((m) => escapeMarkdown(m.name)).join(', ')),
      l10n.t('Its menu runs **Block External Access** or **Check From Here** on every host in it, each on its own: one that fails or does not answer holds up no other.'),
    ].join('\n\n'),
    icon: { id: 'folder-library' },
  };
}
