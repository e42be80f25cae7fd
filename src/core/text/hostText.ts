/**
 * Text that came from a host (container, image and network names, Docker's error `message`, the
 * stderr of remote commands, rule text and comments from iptables-save) is hostile input: these pure
 * functions make it safe for the place it is shown, at the boundary where it is shown. Core errors
 * and models keep the raw text; only what reaches a person goes through here.
 *
 * What each surface would otherwise make of host text (VS Code 1.100, read from its source):
 * - Notifications (`showErrorMessage` and friends, not modal) turn `[label](command:…)`,
 *   `[label](https://…)` and `[label](file:…)` into links, and open command links with
 *   `allowCommands` (base/common/linkedText.ts `parseLinkedText`, notificationsViewer.ts). The
 *   pattern needs `](` with nothing between: `forDisplay` puts a space there, so no link can form,
 *   whatever the scheme; the text stays readable.
 * - A modal's message and `detail`, tree labels and descriptions are plain text; QuickPick labels,
 *   descriptions and details render `$(icon)`. `forDisplay` breaks `$(` the same way (`$ (`).
 * - Markdown tooltips (MarkdownString, untrusted, theme icons on) render links and images, and turn
 *   `$(icon)` into icons over the whole rendered HTML, inside code spans too (markdownRenderer.ts
 *   "Rewrite theme icons"). `markdownText` escapes every Markdown token and breaks autolinks;
 *   `markdownCode` fences with more backticks than the text holds in a row.
 * - Terminals act on C0 and C1 controls (`ESC[2J` clears the screen, OSC 52 writes the clipboard).
 *   `forTerminal` shows them as visible escapes instead.
 * Everywhere: control characters (C0, DEL, C1) and the bidirectional overrides that reorder what is
 * shown (U+202E…) become visible escapes such as `\x1b` and `\u202e`; a backslash is left as it is,
 * so escaping twice changes nothing.
 */

/** How long host text may be where it is shown, in UTF-16 code units (an ellipsis marks a cut). */
export const DISPLAY_LIMIT = {
  /** A name in a label or description: container, image, network. */
  name: 200,
  /** One line: a stderr line in a message, a rule, a tree label made of a message. */
  line: 300,
  /** A whole notification or tooltip paragraph (VS Code cuts notifications at 1000 too). */
  message: 1000,
} as const;

// C0 (tab and line breaks included), DEL and C1; the bidirectional marks, embeddings, overrides and
// isolates; the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function visibleEscape(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Every control character (see above) as a visible escape: `\x1b`, `\n`, `\x9b`, `\u202e`. Nothing else changes. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, visibleEscape);
}

/** One line for a terminal: the CLI's human output and its error line. `--json` never goes through here. */
export function forTerminal(text: string): string {
  return escapeControls(text);
}

/** forTerminal for each line of a text whose line breaks are ours (a table, a report). */
export function terminalLines(text: string): string {
  return text.split('\n').map(escapeControls).join('\n');
}

/** At most `maxLength` code units, the last one an ellipsis when cut (never half a surrogate pair). */
export function capLength(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let cut = text.slice(0, Math.max(0, maxLength - 1));
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * One line of plain text: tabs and line breaks become spaces, the other controls visible escapes,
 * `$(` cannot name an icon; cut to maxLength. `links` also breaks `[label](target)`.
 */
function displayLine(text: string, maxLength: number, links: boolean): string {
  // Every step below only lengthens the text, so what lies past maxLength + 1 is never shown.
  const head = text.length > maxLength ? text.slice(0, maxLength + 1) : text;
  let line = escapeControls(head.replace(/[\t\n\r\u2028\u2029]/g, ' ')).replace(/\$\(/g, '$ (');
  if (links) line = line.replace(/\]\(/g, '] (');
  return capLength(line, maxLength);
}

/**
 * Host text for a notification, modal, QuickPick item or tree label: one line, no link syntax
 * (`[x](command:…)` reads `[x] (command:…)`), no icon syntax (`$ (zap)`), no control characters,
 * at most maxLength long (see DISPLAY_LIMIT).
 */
export function forDisplay(text: string, maxLength: number): string {
  return displayLine(text, maxLength, true);
}

/**
 * Host text inside Markdown (tooltips): forDisplay, then every character Markdown would read as
 * syntax escaped, and `://` broken so that no autolink forms (`www.` is broken by the escaped dot).
 */
export function markdownText(text: string, maxLength: number): string {
  return forDisplay(text, maxLength)
    .replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`)
    .replace(/:(?=\/\/)/g, '\\:');
}

/**
 * Host text as Markdown inline code: a fence one backtick longer than the longest run of backticks
 * in the text, so that nothing in it closes the span (in a code span nothing else is syntax), and
 * padded with a space where the text starts or ends with a backtick. Control characters and `$(`
 * as in forDisplay; brackets stay as they are (a rule is shown as the host has it).
 */
export function markdownCode(text: string, maxLength: number): string {
  const content = displayLine(text, maxLength, false);
  if (content === '') return '` `';
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = content.startsWith('`') || content.endsWith('`') || (content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '');
  return pad ? `${fence} ${content} ${fence}` : `${fence}${content}${fence}`;
}
