import * as l10n from '@vscode/l10n';
import type { WindowHost } from '../settings/windowHost';
import type { ItemText } from './treeText';

/**
 * The mark of the Remote-SSH window's host (pure, unit-tested): `this window` before what the item
 * says, and in the tooltip where it comes from and, when the settings do not hold it, how to keep it.
 */
export function withWindowMark(text: ItemText, windowHost: WindowHost): ItemText {
  const mark = l10n.t('this window');
  const description = text.description === undefined || text.description === '' ? mark : `${mark} · ${text.description}`;
  const line = windowHost.saved
    ? l10n.t('The host of this Remote-SSH window.')
    : l10n.t('The host of this Remote-SSH window, shown for this window only: **Keep in My Hosts** adds it to `dockerFirewall.hosts`.');
  return { ...text, description, tooltip: text.tooltip === undefined || text.tooltip === '' ? line : `${line}\n\n${text.tooltip}` };
}
