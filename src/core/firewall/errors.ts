import * as l10n from '@vscode/l10n';
import { DockerFirewallError } from '../errors';

/** The firewall's own failures; their codes are in ErrorCode (../errors.ts) with the rest. */

/** Our read command did not finish, or printed what we cannot read: nothing is assumed about the host. */
export class FirewallReadFailed extends DockerFirewallError {
  constructor(message: string) {
    super('FirewallReadFailed', message);
  }
}

/** A lockdown this host cannot have as things are (no DOCKER-USER, a firewall backend we cannot write to…). */
export class LockdownRefused extends DockerFirewallError {
  constructor(message: string) {
    super('LockdownRefused', message);
  }
}

/** iptables-restore refused a payload for a reason other than a concurrent change. */
export class ApplyFailed extends DockerFirewallError {
  constructor(message: string) {
    super('ApplyFailed', message);
  }
}

/** Other clients kept changing the firewall between our reads and our transactions. */
export class ConcurrentChange extends DockerFirewallError {
  constructor(detail: string) {
    super('ConcurrentChange', l10n.t("the host's firewall kept changing while this change was applied (another client?): {0}", detail));
  }
}

/**
 * A command that acts on a lockdown (allow, deny, persist) on a host that has none. Without a
 * lockdown every published port is already reachable: there is nothing to allow, take back or
 * save, and doing nothing would read as success. Nothing was changed.
 */
export class HostNotLocked extends DockerFirewallError {
  constructor(
    message: string,
    /** Commands that would lock the host as was meant, as a user would type them (the CLI fills these in). */
    readonly remedy: readonly string[] = [],
  ) {
    super('HostNotLocked', message);
  }
}

/** The persistence files could not be written or removed on the host. */
export class PersistFailed extends DockerFirewallError {
  constructor(message: string) {
    super('PersistFailed', message);
  }
}
