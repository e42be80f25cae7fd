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

/** Escapes what Markdown would otherwise interpret in names that come from hosts (container names, images). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

/** Inline code that survives backticks in the text. */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.includes('`') ? ` ${text} ` : text}${fence}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
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
