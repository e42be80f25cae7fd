import * as l10n from '@vscode/l10n';
import { createHash } from 'node:crypto';
import { EMPTY_LAYOUT } from '../firewall/layout';
import { ConcurrentChange, HostNotLocked, LockdownRefused } from '../firewall/errors';
import { run, type CommandRunner } from '../remote/remoteCommand';
import { applyCommand, restoreBinary, type WatcherAction, type WatcherOutcome } from '../firewall/applyCommand';
import { firewallTables, type FirewallTables } from '../firewall/firewallTables';
import { layoutsDigest, parsePersistence, persistCommand, policyDigest, type PersistOutcome } from '../firewall/persistence';
import { historyLineTail, type ChangeNote, type HistoryAction, type HistoryLog, type HistoryOutcome, type ToolId } from '../history/historyLine';
import { historyReadCommand } from '../history/historyScript';
import { parseHistory } from '../history/parseHistory';
import { planFor, type Plan } from '../firewall/plan';
import { OPEN_POLICY, withAllow, withoutAllow, type Allow, type Policy } from '../firewall/policy';
import { resolveAllow, type AllowRequest, type ChangeContext } from '../firewall/allowRequest';
import { endedAllows, nowSeconds, withoutExpired } from '../firewall/expiry';
import type { HostFacts } from '../firewall/hostFacts';
import type { PublishedPort } from '../firewall/port';
import { readFirewallCommand, type IptablesVariant } from '../firewall/readFirewall';
import { readPolicy } from '../firewall/readPolicy';
import { lockdownScope } from '../firewall/scope';
import { firewallStatus, type FirewallStatus } from '../firewall/status';
import { watcherScript, watcherUnit } from '../firewall/watcher';
import { parseWatcherState, watcherWanted } from '../firewall/watcherState';
import type { Inventory } from '../docker/inventoryModel';
import { DEFAULT_DOCKER_SOCKET } from '../docker/dockerSocket';
import type { ChainName } from '../validate';

/**
 * A change to a host's policy, expressed as a function so that it can be re-applied to a fresher
 * read; the read's context resolves "from me" and "for a while" (allowRequest.ts). `note` says what
 * it is for the host's history (its allows resolved with the same context); a change without one
 * leaves no history line.
 */
export type PolicyChange = ((current: Policy, context: ChangeContext) => Policy) & { readonly note?: ChangeRequestNote | undefined };

/** A change's history note: its action, and the allows it names once the read's context resolves them. */
export interface ChangeRequestNote {
  readonly action: HistoryAction;
  readonly allows: (context: ChangeContext) => readonly Allow[];
}

const noted = (action: HistoryAction, allows: readonly AllowRequest[], change: (current: Policy, context: ChangeContext) => Policy): PolicyChange =>
  Object.assign(change, { note: { action, allows: (context: ChangeContext) => allows.map((a) => resolveAllow(a, context)) } });

export const changes = {
  block: (allows: readonly AllowRequest[] = []): PolicyChange =>
    noted('block', allows, (current, context) => allows.map((a) => resolveAllow(a, context)).reduce(withAllow, { locked: true, allows: current.locked ? current.allows : [] })),
  unblock: (): PolicyChange => noted('unblock', [], () => OPEN_POLICY),
  allow: (allow: AllowRequest): PolicyChange => noted('allow', [allow], (current, context) => withAllow(current, resolveAllow(allow, context))),
  /** Takes back the allow of that port, protocol and source, whatever its expiry. */
  deny: (allow: AllowRequest): PolicyChange => {
    const request = { ...allow, forSeconds: undefined };
    return noted('deny', [request], (current, context) => withoutAllow(current, resolveAllow(request, context)));
  },
  /** The policy in force again, which leaves ended allows out (planChange); the history names those. */
  prune: (ended: readonly Allow[]): PolicyChange => Object.assign((current: Policy) => current, { note: { action: 'prune' as const, allows: () => ended } }),
  /** Re-render the policy in force (repairs drift, covers ports published since): the history calls it a block. */
  reapply: (): PolicyChange => noted('block', [], (current) => current),
};

export interface ApplyReport {
  readonly plan: Plan;
  /** The exact remote command that applies the plan (or would, on a dry run); undefined when nothing changes. */
  readonly argv: readonly string[] | undefined;
  readonly applied: boolean;
  /** How many times a concurrent change made us read again. */
  readonly retries: number;
  /** What became of the host's watcher (undefined when nothing was run). */
  readonly watcher?: WatcherOutcome | undefined;
  /** What became of the change's history line (undefined when none was asked for, or nothing was run). */
  readonly history?: HistoryOutcome | undefined;
}

export interface PersistReport {
  readonly plan: Plan;
  /** The exact remote commands, in order: the re-apply when the rules in force need it, then the save. */
  readonly argvs: readonly (readonly string[])[];
  /** What the save did; undefined on a dry run. */
  readonly outcome: PersistOutcome | undefined;
  readonly retries: number;
}

/** How a read of the tables names the policy in force: the digest the history and status show. */
export function policyDigestOf(tables: FirewallTables): string | undefined {
  return policyDigest(tables.ipv4.layout, tables.ipv6.layout, tables.chain);
}

export interface HostReading {
  readonly inventory: Inventory;
  readonly tables: FirewallTables;
  /** The host's sockets, the SSH connection we came in on, its addresses (same read as the tables). */
  readonly facts: HostFacts;
  /** The newest entries of the host's history of changes (same read); undefined where a reading was made without it. */
  readonly history?: HistoryLog | undefined;
}

const MAX_ATTEMPTS = 4;

/**
 * The firewall engine for one Docker host, over one connection. Every read is a single round trip
 * for iptables plus Docker API calls on the same connection; every apply is one more round trip.
 */
export class FirewallEngine {
  constructor(
    private readonly runner: CommandRunner,
    private readonly inventorySource: (signal?: AbortSignal) => Promise<Inventory>,
    readonly chain: ChainName,
    /** The Docker socket on the host: the watcher talks to the Docker the engine reads. */
    private readonly dockerSocket: string = DEFAULT_DOCKER_SOCKET,
    /** Who makes the changes, for the host's history; without it no history line is written. */
    private readonly tool?: ToolId,
  ) {}

  async read(signal?: AbortSignal): Promise<HostReading> {
    const [inventory, raw] = await Promise.all([this.inventorySource(signal), run(this.runner, readFirewallCommand(undefined, this.dockerSocket, this.chain), signal)]);
    return { inventory, tables: firewallTables(raw, this.chain, inventory.docker.firewallBackend), facts: raw.facts, history: parseHistory(raw.history) };
  }

  async status(signal?: AbortSignal): Promise<{ inventory: Inventory; firewall: FirewallStatus; raw: HostReading }> {
    const reading = await this.read(signal);
    return { inventory: reading.inventory, firewall: this.statusOf(reading), raw: reading };
  }

  /** The newest `limit` entries of the host's history of changes, newest first. */
  history(limit: number, signal?: AbortSignal): Promise<HistoryLog> {
    return run(this.runner, historyReadCommand(limit), signal);
  }

  statusOf(reading: HostReading): FirewallStatus {
    return statusOfReading(reading, this.watcherDigest(reading));
  }

  plan(reading: HostReading, change: PolicyChange): Plan {
    return planChange(reading, change);
  }

  /**
   * Plans the change and applies it; on a concurrent change, reads again and retries. Given the
   * reading a view already shows, the first attempt plans from it and costs one round trip: the
   * transaction's compare-and-swap refuses it if the host changed since, and then a fresh read follows.
   */
  async apply(change: PolicyChange, options: { dryRun?: boolean; signal?: AbortSignal; reading?: HostReading } = {}): Promise<ApplyReport> {
    let lastConflict = '';
    let cached = options.reading;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const fromCache = cached !== undefined;
      const reading = cached ?? (await this.read(options.signal));
      cached = undefined;
      const plan = this.plan(reading, change);
      // "Nothing to do" is only believed from a fresh read: the cached one may be out of date.
      if (!plan.changed && fromCache) continue;
      // A lockdown that needs no change may still have lost its watcher (a reboot without systemd, a kill).
      // Or runs a script of another version (an upgrade) or one edited by hand: it is replaced.
      const watcherMissing = plan.policy.locked && watcherWanted(parseWatcherState(reading.tables.watcher, this.watcherDigest(reading)));
      // An open host that still has saved rules (a restore that failed at boot, a hand edit) would be
      // locked again at the next boot: unblock removes them even though no rule changes.
      if (!plan.changed && !plan.policy.locked && isPersisted(reading)) {
        const unpersist = persistCommand(reading.tables.variant ?? 'default', this.chain, EMPTY_LAYOUT, EMPTY_LAYOUT, this.historyLine(change.note, reading, plan));
        if (options.dryRun) return { plan, argv: unpersist.argv, applied: false, retries: attempt };
        const removed = await run(this.runner, unpersist, options.signal);
        return { plan, argv: unpersist.argv, applied: true, retries: attempt, history: removed.history };
      }
      if (!plan.changed && !watcherMissing) return { plan, argv: undefined, applied: false, retries: attempt };
      const variant = writableVariant(reading);
      const command = applyCommand(variant, plan.payloads, this.watcherAction(reading, plan, variant), this.historyLine(change.note, reading, plan));
      if (options.dryRun) return { plan, argv: command.argv, applied: false, retries: attempt };
      const outcome = await run(this.runner, command, options.signal);
      if (outcome.kind === 'applied') {
        if (plan.changed) await this.refreshPersistence(reading, plan, variant, options.signal);
        return { plan, argv: command.argv, applied: plan.changed, retries: attempt, watcher: outcome.watcher, history: outcome.history };
      }
      lastConflict = outcome.detail;
    }
    throw new ConcurrentChange(lastConflict);
  }

  /**
   * Removes the rules of allows that have ended by the host's clock (the kernel already lets
   * nothing through them). Nothing is sent when none has; otherwise the policy in force is applied
   * again, which leaves ended allows out (planChange).
   */
  async prune(options: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<{ ended: Allow[]; now: number; report: ApplyReport | undefined }> {
    const reading = await this.read(options.signal);
    const { now } = changeContext(reading);
    const ended = endedAllows(readPolicy(reading.tables).allows, now);
    if (ended.length === 0) return { ended, now, report: undefined };
    return { ended, now, report: await this.apply(changes.prune(ended), { ...options, reading }) };
  }

  /**
   * Saves the rules in force so that they come back at boot and after dockerd restarts. The policy
   * is rendered again first (repairing drift, covering ports published since); that re-apply is a
   * transaction like any other, and when another client's change makes it conflict, the host is read
   * and planned again as apply does: saving after a refused re-apply would write rules that are not
   * the ones in force.
   */
  async persist(options: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<PersistReport> {
    let lastConflict = '';
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const reading = await this.read(options.signal);
      const plan = this.plan(reading, changes.reapply());
      // Checked on every read: the conflict may have been another client removing the lockdown.
      if (!plan.policy.locked) throw new HostNotLocked(l10n.t('the host is not locked, so there is no lockdown to make persistent: block it first. Nothing was changed.'));
      const variant = writableVariant(reading);
      const apply = plan.changed ? applyCommand(variant, plan.payloads) : undefined;
      const save = persistCommand(variant, this.chain, plan.ipv4.wanted, plan.ipv6.wanted, this.historyLine({ action: 'persist', allows: () => [] }, reading, plan));
      const argvs = [...(apply === undefined ? [] : [apply.argv]), save.argv];
      if (options.dryRun) return { plan, argvs, outcome: undefined, retries: attempt };
      if (apply !== undefined) {
        const outcome = await run(this.runner, apply, options.signal);
        if (outcome.kind === 'conflict') {
          lastConflict = outcome.detail;
          continue;
        }
      }
      const outcome = await run(this.runner, save, options.signal);
      return { plan, argvs, outcome, retries: attempt };
    }
    throw new ConcurrentChange(lastConflict);
  }

  /** Our half of the history line of a change planned from a reading; undefined when there is to be none. */
  private historyLine(request: ChangeRequestNote | undefined, reading: HostReading, plan: Plan): string | undefined {
    if (request === undefined || this.tool === undefined) return undefined;
    const context = changeContext(reading);
    const note: ChangeNote = { action: request.action, allows: request.allows(context) };
    return historyLineTail(note, this.tool, policyDigestOf(reading.tables), policyDigest(plan.ipv4.wanted, plan.ipv6.wanted, this.chain));
  }

  /** The watcher follows the lockdown: (re)installed with the chain and SSH port it must know, removed with it. */
  private watcherAction(reading: HostReading, plan: Plan, variant: IptablesVariant | undefined): WatcherAction {
    if (!plan.policy.locked) return reading.tables.watcher.length > 0 || plan.changed ? { kind: 'remove' } : { kind: 'keep' };
    return { kind: 'install', script: this.watcherScriptFor(reading, variant), unit: watcherUnit(), dockerSocket: this.dockerSocket };
  }

  /** The watcher script this version installs on the host of a reading. */
  private watcherScriptFor(reading: HostReading, variant: IptablesVariant | undefined): string {
    return watcherScript({
      chain: this.chain,
      binaries:
        variant === undefined
          ? 'nft'
          : { ipv4: restoreBinary(variant, 'ipv4').replace(/-restore$/, ''), ipv6: restoreBinary(variant, 'ipv6').replace(/-restore$/, '') },
      sshPort: reading.facts.ssh?.serverPort,
      dockerSocket: this.dockerSocket,
    });
  }

  /** The SHA-256 of that script, to tell whether the host runs it; undefined where no lockdown can be written. */
  private watcherDigest(reading: HostReading): string | undefined {
    const tables = reading.tables;
    if (tables.backend === 'iptables' ? tables.variant === undefined : !tables.nftAvailable) return undefined;
    return createHash('sha256').update(this.watcherScriptFor(reading, tables.variant)).digest('hex');
  }

  /** Once a host is persistent, every change is saved too, so a reboot brings back the latest policy. */
  private async refreshPersistence(reading: HostReading, plan: Plan, variant: IptablesVariant | undefined, signal?: AbortSignal) {
    if (!isPersisted(reading)) return;
    await run(this.runner, persistCommand(variant, this.chain, plan.ipv4.wanted, plan.ipv6.wanted), signal);
  }
}

/** The iptables variant to write with, undefined for the nftables backend; LockdownRefused when neither can be written. */
function writableVariant(reading: HostReading): IptablesVariant | undefined {
  const tables = reading.tables;
  if (tables.backend === 'nftables') {
    if (!tables.nftAvailable) throw new LockdownRefused(l10n.t('Docker on this host uses its nftables firewall backend, but the host has no nft command: install nftables and try again. Nothing was changed.'));
    return undefined;
  }
  if (tables.variant === undefined) throw new LockdownRefused(l10n.t("no iptables variant holds Docker's chains on this host"));
  return tables.variant;
}

/** Whether the host holds saved rules (persist was run and not undone). */
function isPersisted(reading: HostReading): boolean {
  return reading.tables.persistence.some((l) => l.startsWith('digest '));
}

/** The plan that takes the host from a reading to the change's policy (pure; LockdownRefused when it cannot). */
export function planChange(reading: HostReading, change: PolicyChange): Plan {
  const context = changeContext(reading);
  return planFor({
    tables: reading.tables,
    // Expired allows match nothing any more: every change leaves them out.
    policy: withoutExpired(change(readPolicy(reading.tables), context), context.now),
    scope: lockdownScope(reading.inventory, reading.facts),
    firewallBackend: reading.inventory.docker.firewallBackend,
  });
}

/** What a reading says about the host's firewall: the status views and the CLI show (pure). */
export function statusOfReading(reading: HostReading, expectedWatcherDigest?: string): FirewallStatus {
  const tables = reading.tables;
  return firewallStatus({
    tables,
    inventory: reading.inventory,
    facts: reading.facts,
    scope: lockdownScope(reading.inventory, reading.facts),
    persistence: parsePersistence(tables.persistence, layoutsDigest(tables.ipv4.layout, tables.ipv6.layout, tables.chain)),
    watcher: parseWatcherState(tables.watcher, expectedWatcherDigest),
  });
}

/** The host's clock (the client's when the host printed none) and the address it sees us connect from. */
export function changeContext(reading: HostReading): ChangeContext {
  return { now: reading.facts.clock ?? nowSeconds(), clientAddress: reading.facts.ssh?.clientAddress };
}

export function publishedPorts(inventory: Inventory): PublishedPort[] {
  return inventory.containers.flatMap((c) => c.ports);
}
