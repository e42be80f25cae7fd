import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CATEGORY, COMMANDS, COMMAND_KEYS, commandId, CONTEXT_KEYS, VIEWS, type CommandInfo } from '../../../src/vscode/ids';
import { packageJson, repoRoot } from '../../support/packageJson';

const contributed = packageJson.contributes;
const ids = new Set(COMMAND_KEYS.map(commandId));

test('command ids in code are exactly those of contributes.commands, with the same titles, category and icons', () => {
  const fromCode = COMMAND_KEYS.map((key) => {
    const info: CommandInfo = COMMANDS[key];
    return { command: commandId(key), title: info.title, category: CATEGORY, ...(info.icon ? { icon: `$(${info.icon})` } : {}) };
  });
  assert.deepEqual([...contributed.commands].sort(byCommand), fromCode.sort(byCommand));
});

test('every command id is dockerFirewall.<verb><Noun>', () => {
  for (const id of ids) assert.match(id, /^dockerFirewall\.[a-z]+[A-Z][A-Za-z]*$/, id);
});

test('every menu entry names a contributed command', () => {
  for (const [menu, entries] of Object.entries(contributed.menus)) {
    for (const entry of entries) assert.ok(ids.has(entry.command as never), `${menu}: ${entry.command} is not a contributed command`);
  }
});

test('commands meant for tree items only are hidden from the Command Palette, and no other command is', () => {
  const hidden = contributed.menus.commandPalette?.filter((e) => e.when === 'false').map((e) => e.command) ?? [];
  const treeOnly = COMMAND_KEYS.filter((key) => (COMMANDS[key] as CommandInfo).palette === false).map(commandId);
  assert.deepEqual([...hidden].sort(), [...treeOnly].sort());
});

test('every dockerFirewall command link in the welcome views is a contributed command', () => {
  for (const welcome of contributed.viewsWelcome) {
    const links = [...welcome.contents.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1] ?? '');
    assert.ok(links.length > 0, `${welcome.view} has no buttons`);
    for (const link of links.filter((l) => l.startsWith('dockerFirewall.'))) assert.ok(ids.has(link as never), `${welcome.view}: ${link}`);
  }
});

test('the Hosts welcome view offers Add Host and Import from SSH Config', () => {
  const hosts = contributed.viewsWelcome.find((w) => w.view === VIEWS.hosts);
  assert.ok(hosts);
  assert.match(hosts.contents, /\[Add Host\]\(command:dockerFirewall\.addHost\)/);
  assert.match(hosts.contents, /\[Import from SSH Config\]\(command:dockerFirewall\.importHosts\)/);
});

test('the Chain Status welcome view shows only while no host is selected, under the context key the code sets', () => {
  const status = contributed.viewsWelcome.find((w) => w.view === VIEWS.chainStatus);
  assert.equal(status?.when, `!${CONTEXT_KEYS.chainStatusHostSelected}`);
});

test('the views and their container are the ones the code registers, with icons that exist', () => {
  const container = contributed.viewsContainers.activitybar.find((c) => c.id === VIEWS.container);
  assert.ok(container, 'no activity bar container');
  assert.equal(container.title, 'Docker Firewall');
  assert.ok(existsSync(join(repoRoot, container.icon)), container.icon);
  assert.deepEqual(
    contributed.views[VIEWS.container]?.map((v) => v.id),
    [VIEWS.hosts, VIEWS.chainStatus],
  );
  assert.ok(packageJson.icon !== undefined && existsSync(join(repoRoot, packageJson.icon)), 'extension icon');
  assert.match(packageJson.icon, /\.png$/, 'the Marketplace wants a PNG icon');
});

test('activation is left to the contributed views: no activation event, so nothing runs before a view is shown', () => {
  assert.deepEqual(packageJson.activationEvents ?? [], []);
});

test('view title and item menus are scoped to one of our views', () => {
  for (const menu of ['view/title', 'view/item/context']) {
    for (const entry of contributed.menus[menu] ?? []) {
      assert.match(entry.when ?? '', /^view == dockerFirewall\.(hosts|chainStatus)\b/, `${menu}: ${entry.command}`);
    }
  }
});

function byCommand(a: { command: string }, b: { command: string }): number {
  return a.command.localeCompare(b.command);
}
