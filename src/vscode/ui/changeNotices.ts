import * as l10n from '@vscode/l10n';
import { describeAllow, type Allow } from '../../core/firewall/policy';
import type { HistoryOutcome } from '../../core/history/historyLine';

/**
 * Notifications whose sentences core words too, for the CLI and the log (pruneSummary,
 * historyFailureText): here in the display language (pure, unit-tested: in English they are core's).
 */

/** As pruneSummary: "h1: removed 2 ended allows: 8080/tcp from 192.0.2.100/32; 8081/tcp from anywhere." */
export function pruneNotice(hostName: string, ended: readonly Allow[], applied: boolean): string {
  if (ended.length === 0) return l10n.t('{0}: no allow has ended; nothing changed.', hostName);
  const what = ended.map((a) => describeAllow({ ...a, until: undefined })).join('; ');
  if (applied) {
    return ended.length === 1 ? l10n.t('{0}: removed 1 ended allow: {1}.', hostName, what) : l10n.t('{0}: removed {1} ended allows: {2}.', hostName, ended.length, what);
  }
  return ended.length === 1
    ? l10n.t('{0}: 1 ended allow ({1}) had already been removed.', hostName, what)
    : l10n.t('{0}: {1} ended allows ({2}) had already been removed.', hostName, ended.length, what);
}

/** As `${hostName}: ${historyFailureText(outcome)}`; undefined when the history line was written. */
export function historyFailureNotice(hostName: string, outcome: HistoryOutcome | undefined): string | undefined {
  return outcome?.kind === 'failed' ? l10n.t('{0}: the change is applied, but its history line could not be written: {1}', hostName, outcome.reason) : undefined;
}
