import * as ipaddr from 'ipaddr.js';
import type { Exposure } from '../firewall/exposure';
import type { Allow } from '../firewall/policy';
import type { Observation } from './observation';

/** What the host's rules say a probe from this machine should see. */
export type Expectation = 'reachable' | 'unreachable';

/** A port that is listed but not probed, and why. */
export interface NotProbed {
  readonly skip: string;
}

/**
 * How each exposure word is checked from outside. Exhaustive over Exposure: a new word does not
 * compile until it says what a probe from outside should see.
 * - `by-source`: allowed ports are open to the allows' sources only; whether this machine is one
 *   of them decides (expectationFor).
 */
export const EXPECTATION_OF: Record<Exposure, Expectation | 'by-source' | NotProbed> = {
  exposed: 'reachable',
  'host-network': 'reachable',
  allowed: 'by-source',
  blocked: 'unreachable',
  // The lockdown meant to block it but its rules are not intact: an answer is exactly what to find.
  unverified: 'unreachable',
  // Published on the host's loopback: its port on the host's other addresses must not answer.
  'local-only': 'unreachable',
  routed: { skip: "reachable by routing to the container's own address, which this check does not probe" },
  'host-service': { skip: 'a service of the host itself: Docker Firewall makes no claim about it' },
  unknown: { skip: 'what serves it could not be read, so there is nothing to compare with' },
};

/** Why a port is not probed, or undefined when it is. */
export function notProbedReason(exposure: Exposure): string | undefined {
  const rule = EXPECTATION_OF[exposure];
  return typeof rule === 'object' ? rule.skip : undefined;
}

export interface Expected {
  readonly expected: Expectation;
  /** Why, when it is not plain from the exposure (an allow from a range this machine is in or not in). */
  readonly note?: string | undefined;
}

/**
 * The expectation for one port probed from `source` (this machine's address, as the probe left
 * it). Behind NAT the host sees another source address; the note says which one was used.
 */
export function expectationFor(exposure: Exposure, allows: readonly Allow[], source: string | undefined): Expected {
  const rule = EXPECTATION_OF[exposure];
  // probePlan leaves such ports out; should one get here, nothing is claimed of it.
  if (typeof rule === 'object') throw new Error(`${exposure} ports are not probed: ${rule.skip}`);
  if (rule !== 'by-source') return { expected: rule };
  if (allows.length === 0 || allows.some((a) => a.from === undefined)) return { expected: 'reachable' };
  const ranges = allows.flatMap((a) => (a.from === undefined ? [] : [a.from.text]));
  if (source !== undefined && ranges.some((range) => inRange(source, range))) {
    return { expected: 'reachable', note: `allowed from ${ranges.join(', ')}, which holds this machine's ${source}` };
  }
  return {
    expected: 'unreachable',
    note: `allowed from ${ranges.join(', ')} only; this machine left from ${source ?? 'an unknown address'} (behind NAT the host sees another)`,
  };
}

export type Severity = 'error' | 'warning';

export interface Comparison {
  readonly match: boolean;
  /**
   * error: the rules say closed and the port answered: the lockdown does not hold (shown loudly).
   * warning: the rules say open and the port does not answer from here: something else filters it
   * (a cloud firewall, this network, this machine), or the service is down.
   */
  readonly severity?: Severity | undefined;
}

/** Expected against observed (pure). For a UDP port, open|filtered is no answer. */
export function compare(expected: Expectation, observed: Observation): Comparison {
  const reached = observed === 'open';
  if (expected === 'reachable') return reached ? { match: true } : { match: false, severity: 'warning' };
  return reached ? { match: false, severity: 'error' } : { match: true };
}

function inRange(address: string, range: string): boolean {
  try {
    const parsed = ipaddr.process(address);
    const [network, prefix] = ipaddr.parseCIDR(range);
    return parsed.kind() === network.kind() && parsed.match(network, prefix);
  } catch {
    return false;
  }
}
