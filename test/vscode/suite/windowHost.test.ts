import * as assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import * as vscode from 'vscode';
import type { DockerFirewallApi } from '../../../src/vscode/api';
import { activateApi, labelsOf, runCommand } from '../../support/vscode/extension';
import { withSuiteLab } from '../../support/vscode/labSuite';

// A Remote-SSH window's host, first in the Hosts tree. code-server has no Remote-SSH, and a
// workspace folder of an `ssh-remote+…` authority never settles in it (tried: in a multi-root
// workspace, updateWorkspaceFolders is accepted but never confirmed, as the workbench waits for a
// resolver of that authority only Remote-SSH provides). So the suite hands the folder URI to the
// extension through its test seam (api.hosts.useWindowFolders), in place of
// vscode.workspace.workspaceFolders; from the URI on it is the code a Remote-SSH window runs, on a
// real lab host. The authority is in the hex-encoded JSON form Remote-SSH writes, naming an ssh
// config alias of the lab that dockerFirewall.hosts does not hold (`h1-deploy`: h1 as the user
// deploy, sudo without password).

const hexJson = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('hex');

async function until(what: string | (() => string), condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await sleep(100);
  assert.ok(condition(), `timed out waiting until ${typeof what === 'string' ? what : what()}`);
}

withSuiteLab('Remote-SSH window', (lab) => {
  suite('The host of a Remote-SSH window', function () {
    this.timeout(60_000);
    const host = lab.hosts[0]!;
    const alias = `${host.name}-deploy`;
    const folder = vscode.Uri.parse(`vscode-remote://ssh-remote+${hexJson({ hostName: alias })}/root`);
    let api: DockerFirewallApi;

    suiteSetup(async () => {
      api = await activateApi();
      api.hosts.useWindowFolders([vscode.Uri.parse('file:///work'), folder]);
      assert.equal(api.hosts.list()[0]?.name, alias);
    });

    suiteTeardown(async () => {
      api.hosts.useWindowFolders(undefined);
      await api.hosts.remove(alias);
      await until(`${alias} is gone`, () => !api.hosts.list().some((h) => h.name === alias));
    });

    test('is shown first, marked "this window", read from the host (its containers), with Keep in My Hosts offered', async () => {
      const tree = await api.treeSnapshot();
      assert.deepEqual(labelsOf(tree), [alias, ...lab.hosts.map((h) => h.name)]);
      const first = tree[0]!;
      assert.equal(first.description, 'this window · open', first.tooltip);
      assert.match(first.tooltip, /The host of this Remote-SSH window, shown for this window only/);
      assert.match(first.contextValue, /^host\+open\b.*\+keepable$/);
      assert.deepEqual(labelsOf(first.children), ['admin', 'app', 'dns', 'web', 'worker', 'Host services']);
      // Not in the settings yet.
      const saved = vscode.workspace.getConfiguration('dockerFirewall').inspect<{ name: string }[]>('hosts')?.globalValue ?? [];
      assert.ok(!saved.some((h) => h.name === alias));
    });

    test('Keep in My Hosts writes it to dockerFirewall.hosts (user settings); it stays first and marked, no longer keepable', async () => {
      await runCommand('dockerFirewall.keepHost', (await api.treeSnapshot())[0]!.node);
      const saved = vscode.workspace.getConfiguration('dockerFirewall').inspect<{ name: string; destination: string }[]>('hosts')?.globalValue ?? [];
      assert.deepEqual(saved.at(-1), { name: alias, destination: alias });
      const first = (await api.treeSnapshot())[0]!;
      assert.equal(first.label, alias);
      assert.equal(first.description, 'this window · open');
      assert.doesNotMatch(first.contextValue, /keepable/);
    });
  });
});
