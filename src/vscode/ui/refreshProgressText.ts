import { DISPLAY_LIMIT, forDisplay } from '../../core/text/hostText';

/** Host names listed as "still reading" at most; a fleet's status bar is one line. */
const NAMES_SHOWN = 3;

/**
 * Refresh All Hosts in the status bar, per host: "12 of 50 hosts read · 1 unreachable · reading
 * db-7, db-9 and 2 more". The hosts still being read are named, so one that hangs is easy to spot.
 */
export function refreshProgressText(total: number, done: number, failed: number, reading: readonly string[]): string {
  const parts = [`${done} of ${total} hosts read`];
  if (failed > 0) parts.push(`${failed} unreachable`);
  if (reading.length > 0) {
    const named = reading.slice(0, NAMES_SHOWN).map((name) => forDisplay(name, DISPLAY_LIMIT.name));
    const more = reading.length - named.length;
    parts.push(`reading ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  return parts.join(' · ');
}
