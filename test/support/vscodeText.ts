// What VS Code 1.100 makes of the text we hand it, for the tests of host text (issue 10), written
// from its sources: notifications link `[label](https://…|command:…|file:…)`
// (base/common/linkedText.ts, notificationsViewer.ts); QuickPick labels render `$(icon)`
// (base/common/iconLabels.ts); a MarkdownString is rendered with marked (GitHub flavour), then
// `$(icon)` is turned into an icon over the whole rendered HTML, code spans included
// (base/browser/markdownRenderer.ts). The tooltips are rendered here with marked as VS Code does.

/** A link in a notification's message, as VS Code finds one. */
export const NOTIFICATION_LINK = /\[[^\]]+\]\((?:https?:\/\/|command:|file:)[^)\s]+/i;

/** A theme icon, as a QuickPick label or rendered Markdown shows one (not when escaped with a backslash). */
export const THEME_ICON = /(?<!\\)\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/;

export interface RenderedTooltip {
  readonly html: string;
  /** href of every link. */
  readonly links: readonly string[];
  /** src of every image. */
  readonly images: readonly string[];
  /** Every `$(icon)` VS Code would turn into an icon. */
  readonly icons: readonly string[];
  /** The text of every code span, as shown. */
  readonly codeSpans: readonly string[];
  /** All text as shown, tags removed. */
  readonly text: string;
}

const decode = (html: string) =>
  html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** A Markdown tooltip as VS Code renders it (marked, GitHub flavour, theme icons on, untrusted). */
export async function renderTooltip(markdown: string): Promise<RenderedTooltip> {
  // marked is ESM-only; this test code is CommonJS.
  const { marked } = await import('marked');
  // VS Code doubles the backslash of an escaped icon before rendering (markdownEscapeEscapedIcons).
  const value = markdown.replace(/\\\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/g, (m) => `\\${m}`);
  const html = marked.parse(value, { gfm: true, async: false });
  const all = (pattern: RegExp) => [...html.matchAll(pattern)].map((m) => decode(m[1] ?? ''));
  return {
    html,
    links: all(/<a [^>]*href="([^"]*)"/g),
    images: all(/<img [^>]*src="([^"]*)"/g),
    icons: [...html.matchAll(new RegExp(THEME_ICON.source, 'g'))].map((m) => m[0]),
    codeSpans: all(/<code>([\s\S]*?)<\/code>/g),
    text: decode(html.replace(/<[^>]*>/g, '')),
  };
}
