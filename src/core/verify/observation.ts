/**
 * What a probe from this machine saw at one address and port. The words are nmap's, since they say
 * exactly what a probe can and cannot tell:
 * - `open`: a TCP connection was made, or a UDP datagram got a reply;
 * - `closed`: actively refused (a TCP reset, or for UDP an ICMP port-unreachable);
 * - `filtered`: no answer at all to a TCP connection within the timeout, or an ICMP error that says
 *   something on the way refused it (host unreachable, administratively prohibited);
 * - `open|filtered`: a UDP datagram without a reply and without an ICMP error: a service that
 *   ignored our datagram and a firewall that dropped it look the same.
 */
export type Observation = 'open' | 'closed' | 'filtered' | 'open|filtered';

export interface ProbeOutcome {
  readonly observed: Observation;
  /** What was seen, for a person: "connected", "refused (TCP reset)", "no answer in 1500 ms". */
  readonly detail: string;
  /** How long the probe took. */
  readonly ms: number;
  /** The local address the probe left from, as this machine chose it (undefined when no socket got one). */
  readonly localAddress?: string | undefined;
}

export interface ProbeOptions {
  readonly timeoutMs: number;
  /** Aborting rejects the probe with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

export type ProbeFunction = (address: string, port: number, options: ProbeOptions) => Promise<ProbeOutcome>;

/** How ports are probed: real sockets (prober.ts), or a stand-in in tests. */
export interface Prober {
  readonly tcp: ProbeFunction;
  readonly udp: ProbeFunction;
}

/** Whether the probe got an answer from the port itself (a connection or a reply). */
export function answered(observed: Observation): boolean {
  return observed === 'open';
}
