import type { WindowHost } from '../settings/windowHost';
import type { ItemText } from './treeText';

/**
 * The mark of the Remote-SSH window's host (pure, unit-tested): `this window` before what the item
 * says, and in the tooltip where it comes from and, when the settings do not hold it, how to keep it.
 */
export function withWindowMark(text: ItemText, windowHost: WindowHost): ItemText {
  const description = text.description === undefined || text.description === '' ? 'this window' : `this window · ${text.description}`;
  const line = windowHost.saved
    ? 'The host of this Remote-SSH window.'
    : 'The host of this Remote-SSH window, shown for this window only: **Keep in My Hosts** adds it to `dockerFirewall.hosts`.';
  return { ...text, description, tooltip: text.tooltip === undefined || text.tooltip === '' ? line : `${line}\n\n${text.tooltip}` };
}
