import type { Exposure } from '../../core/firewall/exposure';
import { hostDisplayState, type HostSnapshot, type HostDisplayState } from '../hosts/hostSnapshot';
import type { WarningCode } from '../../core/firewall/status';
import { allowClock } from './allowTimeText';
import { endedAllows } from '../../core/firewall/expiry';
import type { HostTreeNode, PortNode } from './nodes';

/**
 * `contextValue`s are a kind followed by `+tag`s in a fixed order: first what the item is
 * (`host+locked+persistent`, `port+blocked+locked`), then what can be done with it
 * (`+blockable`, `+allowable`…). package.json's menus match only the positive "can be done" tags
 * (`viewItem =~ /^host\b.*\+blockable\b/`), so a new state tag can never make a command appear
 * or disappear by accident. Keeping the tags in one pure function lets a unit test check every menu
 * regex against what this function produces.
 */
export type ContextSubject =
  | {
      readonly kind: 'host';
      readonly state: HostDisplayState;
      readonly persistent: boolean;
      /** Some allow has ended and its rule is still there (Clean Up Expired has something to do). */
      readonly allowsEnded?: boolean | undefined;
      /** The Remote-SSH window's host, shown for this window only (Keep in My Hosts writes it to the settings). */
      readonly windowOnly?: boolean | undefined;
    }
  | { readonly kind: 'container'; readonly state: string }
  /** A folder of hosts (a `group` of the settings); its menu acts on every host in it. */
  | { readonly kind: 'group' }
  | { readonly kind: 'services' }
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
  | { readonly kind: 'statusError' }
  /** A warning row of Chain Status, by its code. */
  | { readonly kind: 'statusWarning'; readonly code: WarningCode };

export function contextValue(subject: ContextSubject): string {
  const tags: string[] = [subject.kind];
  const ruleProtocol = subject.kind === 'port' && (subject.proto === 'tcp' || subject.proto === 'udp');
  switch (subject.kind) {
    case 'host': {
      const locked = subject.state === 'locked';
      const read = locked || subject.state === 'open';
      tags.push(subject.state);
      if (subject.persistent && locked) tags.push('persistent');
      if (subject.state === 'open') tags.push('blockable');
      if (locked) tags.push('unblockable');
      // Allow Port and Preview Rules need the host's ports and rules: a host that has been read.
      if (read) tags.push('readable');
      if (locked && !subject.persistent) tags.push('persistable');
      if (locked && subject.allowsEnded === true) tags.push('prunable');
      if (subject.windowOnly === true) tags.push('keepable');
      break;
    }
    case 'container':
      tags.push(tag(subject.state));
      break;
    case 'port':
      tags.push(subject.exposure);
      if (subject.locked) tags.push('locked');
      if (subject.allowedFromAnywhere) tags.push('anywhere');
      // Allows exist for tcp and udp only.
      if (!ruleProtocol) tags.push(tag(subject.proto));
      // Opening a port is an exception to a lockdown; one open to anywhere has nothing left to open.
      if (subject.locked && ruleProtocol && subject.exposure !== 'local-only' && !subject.allowedFromAnywhere) tags.push('allowable');
      if (subject.exposure === 'allowed') tags.push('deniable');
      break;
    case 'group':
    case 'services':
    case 'error':
    case 'info':
    case 'statusError':
      break;
    case 'statusWarning':
      tags.push(subject.code);
      if (subject.code === 'allows-ended') tags.push('prunable');
      break;
  }
  return tags.join('+');
}

/** Docker's strings as a tag: lower-case letters, digits and '-' only, so they cannot break a regex match. */
function tag(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]/g, '-') || 'unknown';
}

/** The subject of a host item: its state, and whether its lockdown is saved as it is in force. */
export function hostSubject(snapshot: HostSnapshot, clientNowMs: number, windowOnly = false): ContextSubject {
  const status = snapshot.status;
  const allowsEnded = status !== undefined && endedAllows(status.firewall.policy.allows, allowClock(status, clientNowMs).now).length > 0;
  return { kind: 'host', state: hostDisplayState(snapshot), persistent: status?.firewall.persistence.state === 'current', allowsEnded, windowOnly };
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

/**
 * The contextValue of any Hosts tree node; a host's comes from its snapshot (and the time, for allows
 * that ended), and whether it is the Remote-SSH window's host that the settings do not hold yet.
 */
export function nodeContextValue(node: HostTreeNode, snapshotOf: (hostName: string) => HostSnapshot, clientNowMs: number, windowOnlyHost?: string): string {
  switch (node.kind) {
    case 'host':
      return contextValue(hostSubject(snapshotOf(node.hostName), clientNowMs, node.hostName === windowOnlyHost));
    case 'container':
      return contextValue({ kind: 'container', state: node.container.state });
    case 'services':
      return contextValue({ kind: 'services' });
    case 'port':
      return contextValue(portSubject(node));
    case 'error':
      return contextValue({ kind: 'error' });
    case 'info':
      return contextValue({ kind: 'info' });
  }
}
