import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandId, type CommandKey } from '../../../src/vscode/ids';
import { contextValue, type ContextSubject } from '../../../src/vscode/tree/contextValue';
import { packageJson } from '../../support/packageJson';

/** One subject per kind of item the views show, named for the test's intent table. */
const SUBJECTS = {
  hostOpen: { kind: 'host', state: 'open', persistent: false },
  hostLocked: { kind: 'host', state: 'locked', persistent: false },
  hostLockedPersistent: { kind: 'host', state: 'locked', persistent: true },
  hostLockedAllowsEnded: { kind: 'host', state: 'locked', persistent: true, allowsEnded: true },
  hostUnreachable: { kind: 'host', state: 'unreachable', persistent: false },
  hostConnecting: { kind: 'host', state: 'connecting', persistent: false },
  hostUnknown: { kind: 'host', state: 'unknown', persistent: false },
  hostWindowOnly: { kind: 'host', state: 'open', persistent: false, windowOnly: true },
  group: { kind: 'group' },
  containerRunning: { kind: 'container', state: 'running' },
  containerExited: { kind: 'container', state: 'exited' },
  portExposedOnOpenHost: { kind: 'port', exposure: 'exposed', locked: false, allowedFromAnywhere: false, proto: 'tcp' },
  portExposedOnLockedHost: { kind: 'port', exposure: 'exposed', locked: true, allowedFromAnywhere: false, proto: 'tcp' },
  portBlocked: { kind: 'port', exposure: 'blocked', locked: true, allowedFromAnywhere: false, proto: 'udp' },
  portBlockedSctp: { kind: 'port', exposure: 'blocked', locked: true, allowedFromAnywhere: false, proto: 'sctp' },
  portAllowedFromRange: { kind: 'port', exposure: 'allowed', locked: true, allowedFromAnywhere: false, proto: 'tcp' },
  portAllowedFromAnywhere: { kind: 'port', exposure: 'allowed', locked: true, allowedFromAnywhere: true, proto: 'tcp' },
  portLocalOnly: { kind: 'port', exposure: 'local-only', locked: false, allowedFromAnywhere: false, proto: 'tcp' },
  portLocalOnlyOnLockedHost: { kind: 'port', exposure: 'local-only', locked: true, allowedFromAnywhere: false, proto: 'tcp' },
  error: { kind: 'error' },
  info: { kind: 'info' },
  statusError: { kind: 'statusError' },
  statusWarningAllowsEnded: { kind: 'statusWarning', code: 'allows-ended' },
  statusWarningNotPersistent: { kind: 'statusWarning', code: 'not-persistent' },
} as const satisfies Record<string, ContextSubject>;

type SubjectName = keyof typeof SUBJECTS;
const ALL_HOSTS: SubjectName[] = ['hostOpen', 'hostLocked', 'hostLockedPersistent', 'hostLockedAllowsEnded', 'hostUnreachable', 'hostConnecting', 'hostUnknown', 'hostWindowOnly'];
const READ_HOSTS: SubjectName[] = ['hostOpen', 'hostLocked', 'hostLockedPersistent', 'hostLockedAllowsEnded', 'hostWindowOnly'];
const OPENABLE_PORTS: SubjectName[] = ['portExposedOnLockedHost', 'portBlocked', 'portAllowedFromRange'];

/** Where each item command should appear: the intent the `when` regexes must implement exactly. */
const INTENT: Partial<Record<CommandKey, SubjectName[]>> = {
  blockHost: ['hostOpen', 'hostWindowOnly'],
  keepHost: ['hostWindowOnly'],
  blockGroup: ['group'],
  checkGroup: ['group'],
  unblockHost: ['hostLocked', 'hostLockedPersistent', 'hostLockedAllowsEnded'],
  allowPort: READ_HOSTS,
  persistHost: ['hostLocked'],
  showChainStatus: ALL_HOSTS,
  previewRules: READ_HOSTS,
  checkFromHere: READ_HOSTS,
  refreshHost: ALL_HOSTS,
  removeHost: ALL_HOSTS,
  allowPortAccess: OPENABLE_PORTS,
  allowPortFrom: OPENABLE_PORTS,
  allowFromMe: [...READ_HOSTS, ...OPENABLE_PORTS],
  pruneHost: ['hostLockedAllowsEnded', 'statusWarningAllowsEnded'],
  denyPort: ['portAllowedFromRange', 'portAllowedFromAnywhere'],
  retryHost: ['error'],
  refreshChainStatus: ['statusError'],
};

const itemMenus = packageJson.contributes.menus['view/item/context'] ?? [];

function viewItemRegex(when: string): RegExp {
  const match = /viewItem =~ \/(.+?)\/([a-z]*)(?:\s|$)/.exec(when);
  assert.ok(match, `no viewItem regex in "${when}"`);
  return new RegExp(match[1] ?? '', match[2]);
}

test('contextValues are distinct for every kind of item', () => {
  const values = Object.values(SUBJECTS).map(contextValue);
  assert.equal(new Set(values).size, values.length, values.join(', '));
});

test('contextValues are a kind followed by +flags', () => {
  for (const subject of Object.values(SUBJECTS)) assert.match(contextValue(subject), /^[a-zA-Z]+(\+[a-z0-9-]+)*$/);
});

test('every item menu entry matches viewItem with a regex', () => {
  for (const entry of itemMenus) assert.doesNotThrow(() => viewItemRegex(entry.when ?? ''), entry.command);
});

for (const [key, intended] of Object.entries(INTENT) as [CommandKey, SubjectName[]][]) {
  test(`${commandId(key)} shows on ${intended.join(', ')} and nowhere else`, () => {
    const entries = itemMenus.filter((e) => e.command === commandId(key));
    assert.ok(entries.length > 0, 'not in any item menu');
    const shownOn = new Set<SubjectName>();
    for (const entry of entries) {
      const regex = viewItemRegex(entry.when ?? '');
      const matched = (Object.keys(SUBJECTS) as SubjectName[]).filter((name) => regex.test(contextValue(SUBJECTS[name])));
      // A command offered on several kinds of item (a host and a port) has one entry per kind: each
      // entry must match every intended item of its kind, and nothing else. An inline entry is a
      // shortcut that may leave some out (an item has room for two), never add one.
      const kind = /^\^(\w+)/.exec(regex.source)?.[1];
      const intendedHere = intended.filter((name) => SUBJECTS[name].kind === kind);
      if (entry.group?.startsWith('inline') === true) {
        for (const name of matched) assert.ok(intendedHere.includes(name), `${entry.group}: ${entry.when ?? ''} matches ${name}`);
      } else {
        assert.deepEqual(matched.sort(), intendedHere.sort(), `${entry.group ?? ''}: ${entry.when ?? ''}`);
      }
      for (const name of matched) shownOn.add(name);
    }
    assert.deepEqual([...shownOn].sort(), [...intended].sort(), 'the entries together');
  });
}

test('every command in an item menu has an intent in this test', () => {
  for (const entry of itemMenus) {
    assert.ok(Object.keys(INTENT).some((key) => commandId(key as CommandKey) === entry.command), `${entry.command} has no intent`);
  }
});

test('items of the Chain Status view get only Chain Status commands, and Hosts items only Hosts commands', () => {
  // Clean Up Expired acts on a host: on its item in Hosts, and on the allows-ended warning of Chain Status.
  const both = new Set<string>([commandId('pruneHost')]);
  for (const entry of itemMenus) {
    if (both.has(entry.command)) {
      assert.match(entry.when ?? '', /^view == dockerFirewall\.(chainStatus|hosts) /, entry.command);
      continue;
    }
    const statusItem = entry.command === commandId('refreshChainStatus');
    assert.match(entry.when ?? '', statusItem ? /^view == dockerFirewall\.chainStatus / : /^view == dockerFirewall\.hosts /, entry.command);
  }
});

test('no item gets more than two inline actions', () => {
  const inline = itemMenus.filter((e) => e.group?.startsWith('inline'));
  for (const name of Object.keys(SUBJECTS) as SubjectName[]) {
    const shown = inline.filter((e) => viewItemRegex(e.when ?? '').test(contextValue(SUBJECTS[name])));
    assert.ok(shown.length <= 2, `${name}: ${shown.map((e) => e.command).join(', ')}`);
  }
});
