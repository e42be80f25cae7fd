import * as l10n from '@vscode/l10n';
import { DISPLAY_LIMIT, markdownCode, markdownText } from '../../core/text/hostText';

/** Plain descriptions of tree items, turned into TreeItems by the providers (pure, unit-tested). */

/** A codicon with an optional theme colour id. */
export interface IconSpec {
  readonly id: string;
  readonly color?: string | undefined;
}

export interface ItemText {
  readonly label: string;
  readonly description?: string | undefined;
  /** Markdown. */
  readonly tooltip?: string | undefined;
  readonly icon?: IconSpec | undefined;
}

/**
 * Text for a Markdown tooltip, host text included (names, messages, versions): one line with every
 * Markdown token escaped, no link, image or icon, at most DISPLAY_LIMIT.message long (see core/text/hostText).
 */
export function escapeMarkdown(text: string): string {
  return markdownText(text, DISPLAY_LIMIT.message);
}

/** Inline code for a Markdown tooltip that nothing in the text can close (see core/text/hostText). */
export function code(text: string): string {
  return markdownCode(text, DISPLAY_LIMIT.message);
}

/** "1 container", "3 containers" (a host's tooltip, Chain Status). */
export function containerCount(count: number): string {
  return count === 1 ? l10n.t('1 container') : l10n.t('{0} containers', count);
}

/** "1 published port", "7 published ports". */
export function publishedPortCount(count: number): string {
  return count === 1 ? l10n.t('1 published port') : l10n.t('{0} published ports', count);
}

/** HH:MM:SS in local time. */
export function clockTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** 1234 → "1.2 KiB", as counters are shown by `iptables -L -v` (but in binary units spelled out). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit] ?? ''}`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** How long ago `then` was at `now`: "just now", "3 min ago", "2 h ago", "5 d ago"; a time ahead of `now` (another clock) as "just now" within a minute, else its date. */
export function timeAgo(then: Date, now: Date): string {
  const seconds = Math.floor((now.getTime() - then.getTime()) / 1000);
  if (seconds < -60) return then.toISOString().slice(0, 16).replace('T', ' ');
  if (seconds < 60) return l10n.t('just now');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return l10n.t('{0} min ago', minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return l10n.t('{0} h ago', hours);
  return l10n.t('{0} d ago', Math.floor(hours / 24));
}
