import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refreshProgressText } from '../../../../src/vscode/ui/refreshProgressText';

test('Refresh All Hosts in the status bar: how many are read, how many failed, which are still being read', () => {
  assert.equal(refreshProgressText(50, 0, 0, ['h1', 'h2', 'h3', 'h4', 'h5']), '0 of 50 hosts read · reading h1, h2, h3 and 2 more');
  assert.equal(refreshProgressText(50, 48, 1, ['db-7', 'db-9']), '48 of 50 hosts read · 1 unreachable · reading db-7, db-9');
  assert.equal(refreshProgressText(2, 2, 0, []), '2 of 2 hosts read');
});

test('a host name is shown as text, never as control characters', () => {
  const text = refreshProgressText(1, 0, 0, ['evil\u001b[2J\nname']);
  assert.ok([...text].every((c) => c.charCodeAt(0) >= 0x20), text);
});
