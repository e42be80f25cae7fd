import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withWindowMark } from '../../../../src/vscode/tree/windowHostText';

const text = { label: 'h1-deploy', description: 'open', tooltip: '**h1-deploy** — `h1-deploy`', icon: { id: 'unlock' } };

test('the window host is marked "this window" before its state; its tooltip says so first', () => {
  const marked = withWindowMark(text, { name: 'h1-deploy', saved: true });
  assert.equal(marked.description, 'this window · open');
  assert.equal(marked.tooltip, 'The host of this Remote-SSH window.\n\n**h1-deploy** — `h1-deploy`');
  assert.deepEqual(marked.icon, text.icon);
});

test('one the settings do not hold says how to keep it; an item with no description gets the mark alone', () => {
  const marked = withWindowMark({ label: 'x' }, { name: 'x', saved: false });
  assert.equal(marked.description, 'this window');
  assert.match(marked.tooltip ?? '', /shown for this window only: \*\*Keep in My Hosts\*\* adds it to `dockerFirewall\.hosts`/);
});
