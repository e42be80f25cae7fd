import * as l10n from '@vscode/l10n';
import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';

/** Host names listed as "still reading" at most; a fleet's status bar is one line. */
const NAMES_SHOWN = 3;

/**
 * Refresh All Hosts in the status bar, per host: "12 of 50 hosts read · 1 unreachable · reading
 * db-7, db-9 and 2 more". The hosts still being read are named, so one that hangs is easy to spot.
 */
export function refreshProgressText(total: number, done: number, failed: number, reading: readonly string[]): string {
  const parts = [l10n.t('{0} of {1} hosts read', done, total)];
  if (failed > 0) parts.push(l10n.t('{0} unreachable', failed));
  if (reading.length > 0) {
    const named = reading.slice(0, NAMES_SHOWN).map((name) => forDisplay(name, DISPLAY_LIMIT.name)).join(', ');
    const more = reading.length - NAMES_SHOWN;
    parts.push(more > 0 ? l10n.t('reading {0} and {1} more', named, more) : l10n.t('reading {0}', named));
  }
  return parts.join(' · ');
}
