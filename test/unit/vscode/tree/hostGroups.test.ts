import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupItemText, groupNames, hostsOfGroup, rootLayout } from '../../../../src/vscode/tree/hostGroups';

const hosts = [
  { name: 'solo', destination: 'solo' },
  { name: 'web-1', destination: 'web-1', group: 'prod' },
  { name: 'h1', destination: 'h1', group: 'lab' },
  { name: 'web-2', destination: 'web-2', group: 'prod' },
  { name: 'other', destination: 'other' },
];

test('groups are folders in the order they first appear, before the hosts of no group', () => {
  assert.deepEqual(rootLayout(hosts), [
    { kind: 'group', group: 'prod', hostNames: ['web-1', 'web-2'] },
    { kind: 'group', group: 'lab', hostNames: ['h1'] },
    { kind: 'host', hostName: 'solo' },
    { kind: 'host', hostName: 'other' },
  ]);
});

test('the Remote-SSH window host is first, out of its group; a folder it leaves empty is not shown', () => {
  assert.deepEqual(rootLayout(hosts, 'web-2')[0], { kind: 'host', hostName: 'web-2' });
  assert.deepEqual(rootLayout(hosts, 'web-2')[1], { kind: 'group', group: 'prod', hostNames: ['web-1'] });
  assert.deepEqual(rootLayout(hosts, 'h1').map((e) => (e.kind === 'host' ? e.hostName : e.group)), ['h1', 'prod', 'solo', 'other']);
  assert.deepEqual(rootLayout(hosts, 'not-there'), rootLayout(hosts));
});

test('without groups the tree is flat, in the settings order (as before groups existed)', () => {
  const flat = [{ name: 'b', destination: 'b' }, { name: 'a', destination: 'a' }];
  assert.deepEqual(rootLayout(flat), [{ kind: 'host', hostName: 'b' }, { kind: 'host', hostName: 'a' }]);
  assert.deepEqual(groupNames(flat), []);
});

test('a group command acts on every host of the group, the window host too; group names are case-sensitive', () => {
  assert.deepEqual(hostsOfGroup(hosts, 'prod').map((h) => h.name), ['web-1', 'web-2']);
  assert.deepEqual(hostsOfGroup(hosts, 'Prod'), []);
  assert.deepEqual(groupNames(hosts), ['prod', 'lab']);
});

test('a group folder counts its hosts and their states', () => {
  const text = groupItemText('lab', [
    { name: 'h1', state: 'locked' },
    { name: 'h2', state: 'locked' },
    { name: 'dead', state: 'unreachable' },
    { name: 'new', state: 'unknown' },
  ]);
  assert.equal(text.label, 'lab');
  assert.equal(text.description, '4 hosts · 2 locked · 1 unreachable');
  assert.match(text.tooltip ?? '', /^Group \*\*lab\*\*: h1, h2, dead, new\./);
  assert.equal(groupItemText('g', [{ name: 'a', state: 'connecting' }]).description, '1 host · 1 connecting…');
});
