import { hostname } from 'node:os';
import type { PortExposure } from '../firewall/exposure';
import type { Allow } from '../firewall/policy';
import { allowsFor } from '../firewall/port';
import type { Family, Proto } from '../validate';
import { compare, expectationFor, type Expectation, type Severity } from './expectation';
import type { Observation, ProbeOutcome, Prober } from './observation';
import { NETWORK_PROBER } from './prober';
import { budgetFor, runBounded } from './scheduler';
import { probePlan, type AddressSource, type ProbeAddress, type ProbeTarget, type UnprobedBinding } from './targets';

/**
 * Verify from outside: every published port of a host probed from this machine, on the host's
 * addresses that this machine reaches, and each observation compared with the exposure the host's
 * rules give. Glossary of this folder:
 * - `Observation` (observation.ts): what one probe saw (open, closed, filtered, open|filtered);
 * - `Expectation` (expectation.ts): what the rules say a probe from here should see;
 * - `ProbeAddress`, `ProbeTarget` (targets.ts): an address of the host, and an address + port to probe;
 * - the positive control: the SSH port on the same address, probed before and after. A "no answer"
 *   counts only beside a control that answered, so a dead network never reads as "all blocked".
 */

export const DEFAULT_TIMEOUT_MS = 1500;
/** The bounds of a probe's timeout that `verify --timeout` and `dockerFirewall.checkTimeout` take. */
export const MIN_TIMEOUT_MS = 50;
export const MAX_TIMEOUT_MS = 60_000;
export const DEFAULT_PARALLEL = 32;

export interface VerifyInput {
  /** The published ports (and host services) the host's status lists, with their exposure. */
  readonly ports: readonly PortExposure[];
  /** The policy's allows, for ports allowed from a source range only. */
  readonly allows: readonly Allow[];
  /** The host's addresses this machine may probe (sshEndpoint, probeAddresses). */
  readonly addresses: readonly ProbeAddress[];
  /** The SSH port: the positive control. */
  readonly sshPort: number;
  /** Why `addresses` is empty, when it is. */
  readonly addressProblem?: string | undefined;
}

export interface VerifyOptions {
  readonly timeoutMs?: number | undefined;
  readonly parallel?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Progress of the port probes (controls not counted). */
  readonly onProgress?: ((progress: VerifyProgress) => void) | undefined;
  /** Called once the probes are planned, before any is sent. */
  readonly onPlanned?: ((plan: { readonly probes: number; readonly budgetMs: number }) => void) | undefined;
  readonly prober?: Prober | undefined;
  /** This machine's name, for the report (default os.hostname()). */
  readonly machine?: string | undefined;
}

export interface VerifyProgress {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  readonly budgetMs: number;
}

export interface ControlProbe {
  readonly port: number;
  readonly before: ProbeOutcome;
  /** Undefined when the address was not probed (the control failed before). */
  readonly after?: ProbeOutcome | undefined;
}

export interface AddressCheck {
  readonly address: string;
  readonly family: Family;
  readonly source: AddressSource;
  readonly control: ControlProbe;
  /** The control answered before and after: this address's results are evidence. */
  readonly trusted: boolean;
}

export interface PortCheck {
  readonly address: string;
  readonly family: Family;
  readonly port: number;
  readonly proto: Proto;
  /** The published bindings this probe checks (usually one; several containers never share one). */
  readonly bindings: readonly PortExposure[];
  readonly expected: Expectation;
  readonly expectedNote?: string | undefined;
  readonly observed: Observation;
  readonly detail: string;
  readonly ms: number;
  readonly match: boolean;
  readonly severity?: Severity | undefined;
}

/**
 * match: every probe saw what the rules say. mismatch: at least one did not. cannot-probe: no
 * probe from here can be trusted (the control did not answer), or the budget ran out first.
 */
export type VerifyVerdict = 'match' | 'mismatch' | 'cannot-probe';

export interface VerifyReport {
  readonly at: Date;
  readonly from: { readonly machine: string; readonly sourceAddresses: readonly string[] };
  readonly addresses: readonly AddressCheck[];
  /** Mismatches first (errors, then warnings), then by port, protocol and address. */
  readonly results: readonly PortCheck[];
  readonly unprobed: readonly UnprobedBinding[];
  readonly verdict: VerifyVerdict;
  /** Why the verdict is cannot-probe. */
  readonly reason?: string | undefined;
  readonly mismatches: { readonly errors: number; readonly warnings: number };
  readonly probes: number;
  readonly timeoutMs: number;
  readonly parallel: number;
  readonly budgetMs: number;
  readonly usedMs: number;
}

/**
 * Probes every port of the plan from this machine and compares. Never throws for what the network
 * does (that is the report); rejects only when cancelled through the signal.
 */
export async function verifyHost(input: VerifyInput, options: VerifyOptions = {}): Promise<VerifyReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const parallel = options.parallel ?? DEFAULT_PARALLEL;
  const prober = options.prober ?? NETWORK_PROBER;
  const machine = options.machine ?? hostname();
  const at = new Date();
  const started = performance.now();
  const fullPlan = probePlan(input.ports, input.addresses);
  // Controls before (one round, all at once), the probes, controls after (one round).
  const budgetMs = budgetFor(fullPlan.targets.length, parallel, timeoutMs) + 2 * timeoutMs;
  options.onPlanned?.({ probes: fullPlan.targets.length, budgetMs });
  const probeOptions = { timeoutMs, signal: options.signal };
  const base = { at, timeoutMs, parallel, budgetMs };
  const elapsed = () => Math.round(performance.now() - started);

  const before = await Promise.all(input.addresses.map((a) => prober.tcp(a.address, input.sshPort, probeOptions)));
  const reached = input.addresses.filter((_, i) => before[i]?.observed === 'open');
  const sourceAddresses = unique(before.flatMap((o) => (o.observed === 'open' && o.localAddress ? [o.localAddress] : [])));
  const from = { machine, sourceAddresses };
  const controlText = (a: ProbeAddress, outcome: ProbeOutcome | undefined) => `${a.address} port ${input.sshPort}: ${outcome?.detail ?? 'not probed'}`;

  const silent = (targets: readonly ProbeTarget[]): UnprobedBinding[] =>
    targets
      .filter((t) => !reached.some((a) => a.address === t.address))
      .flatMap((t) => t.bindings.map((port) => ({ port, reason: `${t.address} does not answer on its SSH port from here` })));

  if (!reached.some((a) => a.source === 'ssh')) {
    const addresses = input.addresses.map((a, i) => addressCheck(a, input.sshPort, before[i]!, undefined));
    const unprobed = sortUnprobed([...fullPlan.unprobed, ...silent(fullPlan.targets)]);
    const reason =
      input.addresses.length === 0
        ? `there is no address to probe: ${input.addressProblem ?? 'none is known'}`
        : `the SSH port did not answer from here (${input.addresses.filter((a) => a.source === 'ssh').map((a) => controlText(a, before[input.addresses.indexOf(a)])).join('; ')}), so a port that does not answer proves nothing`;
    return { ...base, from, addresses, results: [], unprobed, verdict: 'cannot-probe', reason, mismatches: { errors: 0, warnings: 0 }, probes: 0, usedMs: elapsed() };
  }

  const plan = probePlan(input.ports, reached);
  const unprobed = sortUnprobed([...plan.unprobed, ...silent(fullPlan.targets)]);
  const probeBudget = budgetFor(plan.targets.length, parallel, timeoutMs);
  const scheduled = await runBounded(
    plan.targets.map((t) => (signal: AbortSignal) => prober[t.proto](t.address, t.port, { timeoutMs, signal })),
    {
      parallel,
      budgetMs: probeBudget,
      signal: options.signal,
      onSettled: (done, total) => options.onProgress?.({ done, total, elapsedMs: elapsed(), budgetMs }),
    },
  );
  const after = await Promise.all(reached.map((a) => prober.tcp(a.address, input.sshPort, probeOptions)));

  const addresses = input.addresses.map((a, i) => {
    const j = reached.indexOf(a);
    return addressCheck(a, input.sshPort, before[i]!, j === -1 ? undefined : after[j]);
  });
  const trusted = new Set(addresses.filter((a) => a.trusted).map((a) => a.address));
  // The address this machine left from towards that address (the control's), for allows from a range.
  const sourceOf = (address: string) => addresses.find((a) => a.address === address)?.control.before.localAddress;

  const results: PortCheck[] = [];
  plan.targets.forEach((target, i) => {
    const outcome = scheduled.results[i];
    if (outcome === undefined) return;
    const binding = target.bindings[0]!;
    const { expected, note } = expectationFor(binding.exposure, allowsFor(input.allows, binding), sourceOf(target.address));
    const comparison = compare(expected, outcome.observed);
    // Without a control that answered after, only a port that answered is evidence.
    if (!trusted.has(target.address) && outcome.observed !== 'open') return;
    results.push({
      address: target.address,
      family: target.family,
      port: target.port,
      proto: target.proto,
      bindings: target.bindings,
      expected,
      expectedNote: note,
      observed: outcome.observed,
      detail: outcome.detail,
      ms: outcome.ms,
      match: comparison.match,
      severity: comparison.severity,
    });
  });
  results.sort(byImportance);
  const errors = results.filter((r) => r.severity === 'error').length;
  const warnings = results.filter((r) => r.severity === 'warning').length;
  const lost = reached.filter((a) => !trusted.has(a.address));
  let verdict: VerifyVerdict;
  let reason: string | undefined;
  if (errors > 0) {
    // A port that answered is evidence whatever the control did afterwards.
    verdict = 'mismatch';
  } else if (lost.length > 0) {
    verdict = 'cannot-probe';
    reason = `the SSH port stopped answering during the check (${lost.map((a) => controlText(a, after[reached.indexOf(a)])).join('; ')}): the ports that did not answer prove nothing`;
  } else if (scheduled.cut > 0) {
    verdict = 'cannot-probe';
    reason = `the budget of ${budgetMs} ms ran out with ${scheduled.cut} of ${plan.targets.length} probes not done`;
  } else {
    verdict = warnings > 0 ? 'mismatch' : 'match';
  }
  return {
    ...base,
    from,
    addresses,
    results,
    unprobed,
    verdict,
    reason,
    mismatches: { errors, warnings },
    probes: plan.targets.length,
    usedMs: elapsed(),
  };
}

function addressCheck(address: ProbeAddress, port: number, before: ProbeOutcome, after: ProbeOutcome | undefined): AddressCheck {
  return {
    ...address,
    control: { port, before, after },
    trusted: before.observed === 'open' && after?.observed === 'open',
  };
}

const SEVERITY_ORDER: Record<Severity | 'none', number> = { error: 0, warning: 1, none: 2 };

function byImportance(a: PortCheck, b: PortCheck): number {
  return (
    SEVERITY_ORDER[a.severity ?? 'none'] - SEVERITY_ORDER[b.severity ?? 'none'] ||
    a.port - b.port ||
    a.proto.localeCompare(b.proto) ||
    Number(a.family === 'ipv6') - Number(b.family === 'ipv6') ||
    a.address.localeCompare(b.address)
  );
}

function sortUnprobed(unprobed: UnprobedBinding[]): UnprobedBinding[] {
  return unprobed.sort((a, b) => a.port.hostPort - b.port.hostPort || a.port.proto.localeCompare(b.port.proto) || a.port.hostIp.localeCompare(b.port.hostIp));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
