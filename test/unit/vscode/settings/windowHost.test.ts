import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withWindowHost } from '../../../../src/vscode/settings/windowHost';

const configured = [
  { name: 'prod', destination: 'deploy@203.0.113.7' },
  { name: 'h1', destination: 'h1' },
  { name: 'lab-2', destination: 'root@h2:22' },
];

test('no Remote-SSH window: the settings as they are', () => {
  assert.deepEqual(withWindowHost(configured, undefined), { hosts: configured, windowHost: undefined });
});

test('a window host the settings hold by destination comes first, saved, under its own name', () => {
  const merged = withWindowHost(configured, 'root@h2:22');
  assert.deepEqual(merged.hosts.map((h) => h.name), ['lab-2', 'prod', 'h1']);
  assert.deepEqual(merged.windowHost, { name: 'lab-2', saved: true });
});

test('…or by name (an alias), case-insensitively', () => {
  assert.deepEqual(withWindowHost(configured, 'PROD').windowHost, { name: 'prod', saved: true });
  assert.deepEqual(withWindowHost(configured, 'h1').hosts.map((h) => h.name), ['h1', 'prod', 'lab-2']);
});

test('a window host the settings do not hold is added first, unsaved, named after its destination', () => {
  const merged = withWindowHost(configured, 'h1-deploy');
  assert.deepEqual(merged.hosts, [{ name: 'h1-deploy', destination: 'h1-deploy' }, ...configured]);
  assert.deepEqual(merged.windowHost, { name: 'h1-deploy', saved: false });
});

test('its name never takes one of the settings', () => {
  const merged = withWindowHost([{ name: 'deploy@h9', destination: 'h9' }], 'deploy@h9:22');
  assert.deepEqual(merged.windowHost, { name: 'deploy@h9:22', saved: false });
});
