import { changeContext, changes, type FirewallEngine, type HostReading, type PolicyChange } from '../core/hosts/firewallEngine';
import { describeAllow, pruneSummary, sameAllow, type Allow } from '../core/firewall/policy';
import { resolveAllow } from '../core/firewall/allowRequest';
import { remainingText } from '../core/firewall/expiry';
import { PERSIST_DIR, RESTORE_SCRIPT } from '../core/firewall/persistence';
import { FOLLOW_SCRIPT, type FollowerOutcome } from '../core/firewall/firewalldFollower';
import type { Invocation, CommandName } from './args';
import { formatPlan, formatPorts, formatStatus } from './format';
import { allowJsonAt, JSON_SCHEMA, psJson, statusJson } from './json';
import type { HostNotLocked } from '../core/firewall/errors';
import { allowOnUnlockedHost, denyOnUnlockedHost } from './notLocked';
import { shellJoin } from '../core/remote/shellQuote';
import { terminalLines } from '../core/text/hostText';
import { historyFailureText, type HistoryOutcome } from '../core/history/historyLine';

type Command = Exclude<Invocation, { command: 'help' | 'verify' | 'history' }>;

export interface Output {
  out(text: string): void;
  /** A warning for stderr: the command did what it was asked, with something the user must know. */
  warn?(text: string): void;
}

/** What the CLI knows of the way to the host, for what it tells the user (see openHost.ts). */
export interface Route {
  throughJump(): boolean | undefined;
}

/**
 * Runs one parsed command against a host; throws typed errors for main() to map to exit codes.
 * Human output shows the host's control characters as visible escapes (terminalLines); `--json`
 * is the exact data, escaped only as JSON escapes it.
 */
export async function runCommand(inv: Command, engine: FirewallEngine, label: string, output: Output, route?: Route): Promise<void> {
  const print = (human: string, json: unknown) => output.out(inv.options.json ? JSON.stringify(json, null, 2) : terminalLines(human));
  switch (inv.command) {
    case 'ps':
    case 'status': {
      const { inventory, firewall } = await engine.status();
      if (inv.command === 'status') print(formatStatus(label, inventory.docker.version, firewall), statusJson(label, inventory, firewall));
      else print(formatPorts(firewall.ports), psJson(label, inventory, firewall));
      return;
    }
    case 'persist': {
      const report = await engine.persist({ dryRun: inv.dryRun });
      warnAboutHistory(report.outcome?.kind === 'saved' ? report.outcome.history : undefined, output);
      if (report.outcome === undefined) {
        const lines = report.argvs.map((argv) => `  ${shellJoin(argv)}`);
        print(`Would run on ${label}:\n${lines.join('\n')}`, { schema: JSON_SCHEMA, host: label, dryRun: true, argvs: report.argvs });
        return;
      }
      const boot = report.outcome.kind === 'saved' ? report.outcome.bootRestore : 'none';
      const firewalld = report.outcome.kind === 'saved' ? report.outcome.firewalld : 'absent';
      // Docker rewrites iptables at every start, never our nftables tables: those need putting back at boot only.
      const nft = report.plan.backend === 'nftables';
      const saved =
        boot === 'systemd'
          ? `${label}: lockdown saved; systemd puts it back at boot${nft ? '' : ' and after every dockerd start'}.`
          : `${label}: lockdown saved in ${PERSIST_DIR}, but this host has no systemd: nothing puts it back at boot by itself. Run ${RESTORE_SCRIPT} at boot, after the network and before dockerd${nft ? '' : ' (and after every dockerd start)'}.`;
      const follower = followerSentence(firewalld);
      print(follower === undefined ? saved : `${saved}\n${follower}`, { schema: JSON_SCHEMA, host: label, persisted: true, bootRestore: boot, firewalld });
      return;
    }
    case 'prune':
      await prune(inv, engine, label, print);
      return;
    case 'block':
    case 'unblock':
    case 'allow':
    case 'deny': {
      const reading = await lockedReading(inv, engine);
      const report = await engine.apply(changeFor(inv), { dryRun: inv.dryRun, reading });
      if (inv.dryRun) {
        print(formatPlan(label, report.plan, report.argv ? shellJoin(report.argv) : ''), {
          schema: JSON_SCHEMA,
          host: label,
          dryRun: true,
          changed: report.plan.changed,
          argv: report.argv ?? null,
          payloads: { ipv4: report.plan.ipv4.payload ?? null, ipv6: report.plan.ipv6.payload ?? null },
        });
        return;
      }
      warnAboutHistory(report.history, output);
      const { firewall, raw } = await engine.status();
      // Another client may have removed the lockdown since lockedReading: the change then changed nothing.
      if ((inv.command === 'allow' || inv.command === 'deny') && !firewall.locked) throw notLocked(inv);
      const context = changeContext(raw);
      const asked = inv.allows[0] === undefined ? undefined : resolveAllow(inv.allows[0], context);
      // What stands now, with the expiry the host gave it (not the one this client would compute).
      const given = asked === undefined ? undefined : firewall.policy.allows.find((a) => sameAllow(a, asked));
      const lines = [summary(inv.command, given ?? asked, report.applied, context.now)];
      if (inv.allows[0]?.from === 'me' && asked?.from !== undefined) lines.push(meNote(asked.from.text, label, route));
      print(`${lines.join('\n')}\n${formatPorts(firewall.ports)}`, {
        schema: JSON_SCHEMA,
        host: label,
        changed: report.applied,
        locked: firewall.locked,
        allows: firewall.policy.allows.map((a) => allowJsonAt(a, context.now)),
        ports: firewall.ports,
        warnings: firewall.warnings,
      });
      return;
    }
  }
}

function warnAboutHistory(outcome: HistoryOutcome | undefined, output: Output): void {
  const warning = historyFailureText(outcome);
  if (warning !== undefined) output.warn?.(warning);
}

/**
 * allow and deny are refused on a host without lockdown (HostNotLocked), before anything is planned,
 * dry run or not. The reading it took is handed to apply, which plans from it first: a change then
 * costs no second read.
 */
async function lockedReading(inv: Command, engine: FirewallEngine): Promise<HostReading | undefined> {
  if (inv.command !== 'allow' && inv.command !== 'deny') return undefined;
  const reading = await engine.read();
  if (!engine.statusOf(reading).locked) throw notLocked(inv);
  return reading;
}

function notLocked(inv: Command): HostNotLocked {
  const [allow] = inv.allows;
  if (allow === undefined) throw new Error(`${inv.command} without a port`);
  // As typed, not the label: the suggested command must name the host the same way.
  return (inv.command === 'deny' ? denyOnUnlockedHost : allowOnUnlockedHost)(inv.host, allow, inv.options);
}

function changeFor(inv: Command): PolicyChange {
  const [allow] = inv.allows;
  switch (inv.command) {
    case 'block':
      return changes.block(inv.allows);
    case 'unblock':
      return changes.unblock();
    case 'allow':
    case 'deny':
      if (allow === undefined) throw new Error(`${inv.command} without a port`);
      return inv.command === 'allow' ? changes.allow(allow) : changes.deny(allow);
    case 'ps':
    case 'status':
    case 'prune':
    case 'persist':
      return changes.reapply();
  }
}

function summary(command: CommandName, allow: Allow | undefined, applied: boolean, now: number): string {
  const unchanged = applied ? '' : ' (already so: nothing changed)';
  const left = allow?.until === undefined ? '' : ` (${remainingText(allow.until, now)}; the host closes it then by itself)`;
  switch (command) {
    case 'block':
      return `External access blocked${unchanged}.`;
    case 'unblock':
      return `Lockdown removed${unchanged}.`;
    case 'allow':
      return `Allowed ${allow ? describeAllow(allow) : ''}${left}${unchanged}.`;
    case 'deny':
      return `Blocked again ${allow ? describeAllow({ ...allow, until: undefined }) : ''}${unchanged}.`;
    case 'ps':
    case 'status':
    case 'prune':
    case 'persist':
      return '';
  }
}

/** Where "me" came from: the host's view of us, which through a jump host is the jump host. */
function meNote(address: string, label: string, route: Route | undefined): string {
  const seen = `That is ${address.replace(/\/(32|128)$/, '')}, your address as ${label} sees you`;
  return route?.throughJump() === true
    ? `${seen}: you reach it through a ProxyJump host, so that is the jump host's address, and whoever comes from there gets in too.`
    : `${seen} (behind NAT, the address of the NAT: everyone behind it gets in too).`;
}

/** Removes the rules of allows that have ended (FirewallEngine.prune): nothing is sent when none has. */
async function prune(inv: Command, engine: FirewallEngine, label: string, print: (human: string, json: unknown) => void): Promise<void> {
  const { ended, now, report } = await engine.prune({ dryRun: inv.dryRun });
  const what = ended.map((a) => describeAllow({ ...a, until: undefined })).join('; ');
  const human =
    inv.dryRun && ended.length > 0
      ? `${label}: would remove ${ended.length} ended allow${ended.length === 1 ? '' : 's'} (${what}), running:\n  ${report?.argv ? shellJoin(report.argv) : ''}`
      : pruneSummary(label, ended, report?.applied ?? false);
  print(human, {
    schema: JSON_SCHEMA,
    host: label,
    dryRun: inv.dryRun,
    changed: inv.dryRun ? false : report?.applied ?? false,
    removed: ended.map((a) => allowJsonAt(a, now)),
    argv: report?.argv ?? null,
  });
}

/** What the persist did about firewalld, for a person (nothing where firewalld is not in use). */
function followerSentence(outcome: FollowerOutcome): string | undefined {
  switch (outcome) {
    case 'systemd':
    case 'process':
      return `firewalld is in use here: after each firewalld reload or restart (which removes the lockdown's rules) ${FOLLOW_SCRIPT} puts the lockdown back${outcome === 'process' ? ' (started in its own session: it does not survive a reboot)' : ''}.`;
    case 'no-monitor':
      return `warning: firewalld is installed but dbus-monitor is not (Debian: apt install dbus-bin): after a firewalld reload the lockdown stays removed until ${RESTORE_SCRIPT} runs. Install it and persist again.`;
    case 'failed':
      return `warning: firewalld is installed but ${FOLLOW_SCRIPT}, which puts the lockdown back after a firewalld reload, did not start: persist again.`;
    case 'absent':
      return undefined;
  }
}
