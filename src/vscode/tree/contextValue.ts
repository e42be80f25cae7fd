import type { Exposure } from '../../core/firewall/exposure';
import { hostDisplayState, type HostSnapshot, type HostDisplayState } from '../hosts/hostSnapshot';
import type { HostTreeNode, PortNode } from './nodes';

/**
 * `contextValue`s are a kind followed by `+flag` tags in a fixed order (`host+locked+persistent`,
 * `port+blocked+locked`), and package.json's `when` clauses match them with regexes
 * (`viewItem =~ /^host\+locked\b/`). Keeping the tags in one pure function lets a unit test check
 * every regex against what this function produces.
 */
export type ContextSubject =
  | { readonly kind: 'host'; readonly state: HostDisplayState; readonly persistent: boolean }
  | { readonly kind: 'container'; readonly state: string }
  | {
      readonly kind: 'port';
      readonly exposure: Exposure;
      readonly locked: boolean;
      /** An allow from anywhere covers the port (nothing left to open). */
      readonly allowedFromAnywhere: boolean;
      readonly proto: string;
    }
  | { readonly kind: 'error' }
  | { readonly kind: 'info' }
  | { readonly kind: 'statusError' };

export function contextValue(subject: ContextSubject): string {
  const tags: string[] = [subject.kind];
  switch (subject.kind) {
    case 'host':
      tags.push(subject.state);
      if (subject.persistent && subject.state === 'locked') tags.push('persistent');
      break;
    case 'container':
      tags.push(tag(subject.state));
      break;
    case 'port':
      tags.push(subject.exposure);
      if (subject.locked) tags.push('locked');
      if (subject.allowedFromAnywhere) tags.push('anywhere');
      // Allows exist for tcp and udp only.
      if (subject.proto !== 'tcp' && subject.proto !== 'udp') tags.push(tag(subject.proto));
      break;
    case 'error':
    case 'info':
    case 'statusError':
      break;
  }
  return tags.join('+');
}

/** Docker's strings as a tag: lower-case letters, digits and '-' only, so they cannot break a regex match. */
function tag(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]/g, '-') || 'unknown';
}

/** The subject of a host item: its state, and whether its lockdown is saved as it is in force. */
export function hostSubject(snapshot: HostSnapshot): ContextSubject {
  return { kind: 'host', state: hostDisplayState(snapshot), persistent: snapshot.status?.firewall.persistence.state === 'current' };
}

export function portSubject(node: PortNode): ContextSubject {
  return {
    kind: 'port',
    exposure: node.port.exposure,
    locked: node.locked,
    allowedFromAnywhere: node.allows.some((a) => a.from === undefined),
    proto: node.port.proto,
  };
}

/** The contextValue of any Hosts tree node; a host's comes from its snapshot. */
export function nodeContextValue(node: HostTreeNode, snapshotOf: (hostName: string) => HostSnapshot): string {
  switch (node.kind) {
    case 'host':
      return contextValue(hostSubject(snapshotOf(node.hostName)));
    case 'container':
      return contextValue({ kind: 'container', state: node.container.state });
    case 'port':
      return contextValue(portSubject(node));
    case 'error':
      return contextValue({ kind: 'error' });
    case 'info':
      return contextValue({ kind: 'info' });
  }
}
