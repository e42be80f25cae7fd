import * as l10n from '@vscode/l10n';
import type { PortExposure } from '../../core/firewall/exposure';
import { allowKey, type Policy } from '../../core/firewall/policy';
import type { PortCheck, VerifyReport } from '../../core/verify/verifyHost';

/** The last Check From Here of a host: what was probed from this machine, for the destination it was made to. */
export interface HostCheck {
  /** The configured destination at the time: a host reached differently since is not the one checked. */
  readonly destination: string;
  /** The policy the ports were compared against (policyKey): once the rules change, the check is of other rules. */
  readonly policy: string;
  readonly report: VerifyReport;
}

/** A policy as one string, to tell whether the rules in force are still those a check was made against. */
export function policyKey(policy: Policy): string {
  return JSON.stringify([policy.locked, policy.allows.map(allowKey).sort()]);
}

/** What one port item shows of the last check (checkText.ts words it). */
export interface PortCheckView {
  readonly at: Date;
  /** The probes of this binding (one per address of its family). */
  readonly results: readonly PortCheck[];
  /** Why this binding was not probed, when it was not. */
  readonly unprobed?: string | undefined;
  /** Why nothing from here could be trusted, when the check could not probe. */
  readonly cannotProbe?: string | undefined;
}

/**
 * The last check of each host, kept while the extension runs (never stored: it is true of one
 * moment and one network). Pure: the Hosts view listens to it, tests use it without VS Code.
 */
export class CheckResults {
  private readonly checks = new Map<string, HostCheck>();
  private readonly listeners = new Set<(hostName: string) => void>();

  get(hostName: string): HostCheck | undefined {
    return this.checks.get(hostName);
  }

  set(hostName: string, check: HostCheck): void {
    this.checks.set(hostName, check);
    this.fire(hostName);
  }

  /** Keeps the checks of these hosts, as configured now; drops the others (removed, or reached differently). */
  retain(hosts: readonly { readonly name: string; readonly destination: string }[]): void {
    for (const [name, check] of [...this.checks]) {
      if (!hosts.some((h) => h.name === name && h.destination === check.destination)) {
        this.checks.delete(name);
        this.fire(name);
      }
    }
  }

  /**
   * Told the rules read from a host: a check made under other rules is dropped for good, so that
   * one made before a lockdown was removed does not come back when the same lockdown is applied again.
   */
  noteRules(hostName: string, policy: Policy): void {
    const check = this.checks.get(hostName);
    if (check === undefined || check.policy === policyKey(policy)) return;
    this.checks.delete(hostName);
    this.fire(hostName);
  }

  onDidChange(listener: (hostName: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * What the last check says of this published port under the policy in force, or undefined: never
   * checked, or checked under other rules (a Block, Allow or Block Again since).
   */
  forPort(hostName: string, port: PortExposure, policy: Policy): PortCheckView | undefined {
    const check = this.checks.get(hostName);
    if (check === undefined || check.policy !== policyKey(policy)) return undefined;
    return portCheckView(check.report, port);
  }

  private fire(hostName: string): void {
    for (const listener of this.listeners) listener(hostName);
  }
}

/**
 * A port's part of a check (pure). The check compared what answered with the exposure the port had
 * then: once the exposure has changed (blocked since, allowed since), that result says nothing of
 * the port as it is, and is not shown.
 */
export function portCheckView(report: VerifyReport, port: PortExposure): PortCheckView | undefined {
  const same = (binding: PortExposure) =>
    binding.container === port.container && binding.hostIp === port.hostIp && binding.hostPort === port.hostPort && binding.proto === port.proto && binding.exposure === port.exposure;
  const results = report.results.filter((r) => r.bindings.some(same));
  if (results.length > 0) return { at: report.at, results };
  const unprobed = report.unprobed.find((u) => same(u.port));
  if (report.verdict === 'cannot-probe') return unprobed === undefined ? undefined : { at: report.at, results, cannotProbe: report.reason ?? l10n.t('no probe could be trusted') };
  if (unprobed !== undefined) return { at: report.at, results, unprobed: unprobed.reason };
  return undefined;
}
