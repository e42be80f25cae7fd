import * as assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as vscode from 'vscode';
import type { DockerFirewallApi } from '../../../src/vscode/api';
import type { GroupBlockReport } from '../../../src/vscode/commands/group/blockGroup';
import type { GroupCheckReport } from '../../../src/vscode/commands/group/checkGroup';
import { activateApi, child, extensionRoot, labelsOf } from '../../support/vscode/extension';
import { withSuiteLab } from '../../support/vscode/labSuite';
import { tcpConnectAll, unblockWithCli } from '../../support/vscode/outside';

// Host groups: the lab's hosts in one group of dockerFirewall.hosts, shown as a folder, blocked from
// the group's menu (one command for every host in it), then checked from here with a host that has
// no sshd (h1's address, port 2222: refused at once) in the group too. Verdicts are a real
// connection from this machine (the lab's outside namespace), each beside a control on port 22.
// Last, a host that hangs beside them does not hold them up.

const DEAD = { name: 'no-sshd', destination: 'root@192.0.2.1:2222' };

async function setHosts(hosts: readonly object[], api: DockerFirewallApi, names: readonly string[]): Promise<void> {
  await vscode.workspace.getConfiguration('dockerFirewall').update('hosts', hosts, vscode.ConfigurationTarget.Global);
  for (let i = 0; i < 50 && JSON.stringify(api.hosts.list().map((h) => h.name)) !== JSON.stringify(names); i++) await sleep(100);
  assert.deepEqual(api.hosts.list().map((h) => h.name), names);
}

withSuiteLab('Host groups', (lab) => {
  suite('Host groups on the lab hosts', function () {
    this.timeout(90_000);
    let api: DockerFirewallApi;
    let saved: unknown;
    const names = lab.hosts.map((h) => h.name);
    const grouped = lab.hosts.map((h) => ({ name: h.name, destination: h.name, group: 'lab' }));
    const published = lab.hosts.map((h) => ({ address: h.ipv4, port: 8080 }));

    suiteSetup(async () => {
      api = await activateApi();
      saved = vscode.workspace.getConfiguration('dockerFirewall').inspect('hosts')?.globalValue;
      await unblockWithCli(lab, extensionRoot());
      await setHosts(grouped, api, names);
      await api.refresh();
    });

    suiteTeardown(async () => {
      await unblockWithCli(lab, extensionRoot());
      await vscode.workspace.getConfiguration('dockerFirewall').update('hosts', saved, vscode.ConfigurationTarget.Global);
      await api.refresh();
    });

    test('a group is a folder holding its hosts, with their states counted', async () => {
      const tree = await api.treeSnapshot();
      assert.deepEqual(labelsOf(tree), ['lab']);
      const folder = tree[0]!;
      assert.equal(folder.contextValue, 'group');
      assert.equal(folder.description, `${names.length} hosts · ${names.length} open`);
      assert.deepEqual(labelsOf(folder.children), names);
      assert.deepEqual(labelsOf(child(folder.children, names[0]!).children).slice(0, 2), ['admin', 'app']);
    });

    test('Block External Access on Every Host blocks each host of the group: port 8080 of each no longer answers from outside', async () => {
      const before = await tcpConnectAll(published);
      assert.ok(Object.values(before).every((v) => v === 'open'), JSON.stringify(before));
      const report = await vscode.commands.executeCommand<GroupBlockReport | undefined>('dockerFirewall.blockGroup', (await api.treeSnapshot())[0]!.node);
      assert.deepEqual(report?.hosts.map((h) => [h.hostName, h.outcome]), names.map((n) => [n, 'blocked']));
      for (const name of names) assert.equal(api.hosts.state(name), 'locked');
      const after = await tcpConnectAll(published);
      assert.ok(Object.values(after).every((v) => v === 'timeout'), JSON.stringify(after));
      assert.equal((await api.treeSnapshot())[0]!.description, `${names.length} hosts · ${names.length} locked`);
    });

    test('with a host that has no sshd in the group, Check Every Host From Here still checks the others (and Block leaves them as they are)', async () => {
      await setHosts([...grouped, { ...DEAD, group: 'lab' }], api, [...names, DEAD.name]);
      const check = await vscode.commands.executeCommand<GroupCheckReport | undefined>('dockerFirewall.checkGroup', 'lab');
      assert.deepEqual(check?.hosts.map((h) => [h.hostName, h.report?.verdict]), [...names.map((n) => [n, 'match']), [DEAD.name, undefined]]);
      const block = await vscode.commands.executeCommand<GroupBlockReport | undefined>('dockerFirewall.blockGroup', 'lab');
      assert.deepEqual(block?.hosts.map((h) => [h.hostName, h.outcome]), [...names.map((n) => [n, 'unchanged']), [DEAD.name, 'failed']]);
      assert.match(block?.hosts.at(-1)?.reason ?? '', /refused|ECONNREFUSED/i);
      assert.equal(api.hosts.state(DEAD.name), 'unreachable');
    });

    test('a host that hangs (its port accepts, no SSH ever answers) holds up no other host, and removing it ends its read', async () => {
      // The hanging host: a listener in this namespace that takes connections and says nothing.
      const held: Socket[] = [];
      const silent = createServer((socket) => held.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const address = silent.address();
      assert.ok(address !== null && typeof address === 'object');
      const hangs = { name: 'hangs', destination: `root@127.0.0.1:${address.port}`, group: 'lab' };
      // The lab hosts again under new names: nothing read yet, so each shows "connecting" until its own read ends.
      const fresh = lab.hosts.map((h) => ({ name: `fresh-${h.name}`, destination: h.name, group: 'lab' }));
      try {
        await setHosts([hangs, ...fresh], api, [hangs.name, ...fresh.map((h) => h.name)]);
        const refreshing = api.refresh().catch(() => undefined);
        let states: string[] = [];
        for (let i = 0; i < 100; i++) {
          states = fresh.map((h) => api.hosts.state(h.name));
          if (states.every((state) => state === 'locked')) break;
          await sleep(100);
        }
        assert.deepEqual(states, fresh.map(() => 'locked'), 'the lab hosts read while the hanging one waits');
        assert.equal(api.hosts.state(hangs.name), 'connecting', 'the hanging host is still connecting (its connect timeout is 15 s)');
        assert.ok(held.length > 0, 'its port was reached: the hang is real, not a refusal');
        await setHosts(grouped, api, names);
        await refreshing;
      } finally {
        for (const socket of held) socket.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });
  });
});
