import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manifestStrings, packageJson, rawPackageJson } from '../../support/packageJson';
import { localized, placeholderKeys } from '../../support/manifestStrings';

// The manifest is ready for translation (issue 15): what a person reads in it (commands, views, welcome
// text, settings) is a "%key%" of package.nls.json, which a package.nls.<locale>.json can translate.

test('every %key% of package.json has its text in package.nls.json, and every text there is used', () => {
  const used = new Set(placeholderKeys(rawPackageJson));
  const missing = [...used].filter((key) => !(key in manifestStrings));
  assert.deepEqual(missing, [], 'keys without a text');
  const unused = Object.keys(manifestStrings).filter((key) => !used.has(key));
  assert.deepEqual(unused, [], 'texts no key uses');
  for (const [key, text] of Object.entries(manifestStrings)) assert.ok(text.trim() !== '', `${key} is empty`);
});

test('command titles, view names and setting descriptions are placeholders, not English in package.json', () => {
  const raw = rawPackageJson as typeof packageJson;
  const strings = [
    ...raw.contributes.commands.flatMap((c) => [c.title, c.category ?? '%%']),
    ...Object.values(raw.contributes.views).flatMap((views) => views.map((v) => v.name)),
    ...raw.contributes.viewsContainers.activitybar.map((c) => c.title),
    ...raw.contributes.viewsWelcome.map((w) => w.contents),
    ...Object.values(raw.contributes.configuration.properties).map((p) => p.markdownDescription ?? (p as { description?: string }).description ?? '%%'),
  ];
  assert.deepEqual(strings.filter((s) => placeholderKeys(s).length === 0), []);
});

test('resolving: a placeholder becomes its text, other strings (a URL with %5B in it) stay, an unknown key throws', () => {
  const strings = { 'a.title': 'Block External Access' };
  assert.deepEqual(localized({ t: '%a.title%', u: 'command:x?%5B%22y%22%5D', n: [1, '%a.title%'] }, strings), { t: 'Block External Access', u: 'command:x?%5B%22y%22%5D', n: [1, 'Block External Access'] });
  assert.throws(() => localized('%b.title%', strings), /package\.nls\.json does not hold/);
  assert.equal(packageJson.contributes.commands.find((c) => c.command === 'dockerFirewall.blockHost')?.title, 'Block External Access');
});
