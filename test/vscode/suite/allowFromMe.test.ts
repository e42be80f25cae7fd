import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as vscode from 'vscode';
import type { DockerFirewallApi, TreeSnapshotItem } from '../../../src/vscode/api';
import { activateApi, child, extensionRoot, hostItem, labelsOf, portItem } from '../../support/vscode/extension';
import type { SuiteLab, SuiteLabHost } from '../../support/vscode/labState';
import { withSuiteLab } from '../../support/vscode/labSuite';
import { firewallRules, tcpConnectAll, unblockWithCli, type ProbeVerdict } from '../../support/vscode/outside';
import { runAnswering } from '../../support/vscode/prompts';

// Allow from My Address with a duration, as a click on a port item runs it, on the lab's first
// host, judged by real connections: from here (the lab's outside namespace, the address the host
// sees this extension host at) and from the lab's second client, which must stay out. Then an allow
// short enough to end during the test: the host's kernel closes the port on time, the tree says so
// without a read, and Clean Up Expired on Chain Status's warning removes its rule.

const WEB_V4 = '0.0.0.0:8080 → 80/tcp';
const WEB_V6 = '[::]:8080 → 80/tcp';
const APP_V4 = '0.0.0.0:8081 → 80/tcp';
/** Long enough to be read back before it ends, on a busy machine; the minimum is 10 s. */
const SHORT = 15;

/**
 * A TCP connection from another of the lab's namespaces (the second client, a host): 'open',
 * 'refused' or 'timeout', a timeout only while the target's sshd answers the same namespace.
 */
async function connectFrom(ns: string, address: string, port: number): Promise<ProbeVerdict> {
  const attempt = (p: number) =>
    new Promise<'open' | 'timeout' | 'refused'>((resolve) => {
      execFile('ip', ['netns', 'exec', ns, 'timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${address}/${p}`], (error) => {
        if (error === null) resolve('open');
        else resolve(error.code === 124 ? 'timeout' : 'refused');
      });
    });
  const [target, control] = await Promise.all([attempt(port), attempt(22)]);
  return target !== 'timeout' || control === 'open' ? target : `void (control ${address}:22 ${control})`;
}

withSuiteLab('Allow from My Address', (lab) => {
  allowFromMeSuite(lab, lab.hosts[0]!);
  if (lab.hosts.length > 1) throughJumpSuite(lab, lab.hosts[0]!, lab.hosts[1]!);
});

function allowFromMeSuite(lab: SuiteLab, host: SuiteLabHost): void {
  suite(`Allow from My Address on ${host.name} (Docker ${host.dockerMajor}), for a while, checked from here and from a second client`, function () {
    this.timeout(90_000);
    let api: DockerFirewallApi;
    const item = (): Promise<TreeSnapshotItem> => hostItem(api, host.name);
    const probe = () =>
      tcpConnectAll([
        { address: host.ipv4, port: 8080 },
        { address: host.ipv6, port: 8080 },
        { address: host.ipv4, port: 8081 },
      ]);

    suiteSetup(async function () {
      this.timeout(90_000);
      api = await activateApi();
      await unblockWithCli(lab, extensionRoot());
      await api.refresh();
    });

    suiteTeardown(async function () {
      this.timeout(90_000);
      await unblockWithCli(lab, extensionRoot());
      await api?.refresh();
    });

    test('on a host without lockdown: the pick shows the address the host sees, 15 minutes locks the host with that one allow, open from here only, and the tree says "allowed for you · 15 min left"', async () => {
      assert.equal(api.hosts.state(host.name), 'open');
      const asked = await runAnswering('dockerFirewall.allowFromMe', portItem(await item(), 'web', WEB_V4).node, [{ pick: '15 minutes' }]);
      assert.equal(asked.length, 1, JSON.stringify(asked));
      assert.equal(asked[0]?.title, `Allow 8080/tcp on ${host.name} from ${lab.outside.ipv4}, as ${host.name} sees you`);
      assert.deepEqual(asked[0]?.items, ['Until I take it back', '15 minutes', '1 hour', '8 hours', '1 day', '$(edit) Another duration…']);

      assert.equal(api.hosts.state(host.name), 'locked', 'the allow came with the lockdown (confirmations are off in the suite)');
      const shown = await item();
      assert.equal(portItem(shown, 'web', WEB_V4).description, 'allowed for you · 15 min left');
      // The tooltip is Markdown: its escapes taken out to read it.
      assert.match(portItem(shown, 'web', WEB_V4).tooltip.replace(/\\/g, ''), /\(your address\), until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d\d:\d\d:\d\d local time\), 15 min left/);
      // The allow is this client's /32: IPv4 only.
      assert.equal(portItem(shown, 'web', WEB_V6).description, 'blocked');
      assert.equal(portItem(shown, 'app', APP_V4).description, 'blocked');
      assert.deepEqual(await probe(), {
        [`${host.ipv4}:8080`]: 'open',
        [`[${host.ipv6}]:8080`]: 'timeout',
        [`${host.ipv4}:8081`]: 'timeout',
      });
      assert.equal(await connectFrom(lab.outside2.ns, host.ipv4, 8080), 'timeout', `${lab.outside2.ipv4} got in through an allow from ${lab.outside.ipv4}`);

      api.selectChainStatusHost(host.name);
      await api.refresh();
      const allows = child(await api.chainStatusSnapshot(), 'Allows');
      assert.deepEqual(labelsOf(allows.children), [`8080/tcp from ${lab.outside.ipv4}/32 (you)`]);
      assert.match(allows.children[0]?.description ?? '', /^until (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC · 1[45] min left$/);
    });

    test(`another duration of ${SHORT}s (5s is refused, as --for refuses it): the port opens, the host closes it on time by itself, the tree says "blocked · allow ended", and Clean Up Expired removes the rule`, async function () {
      this.timeout(SHORT * 1000 + 60_000);
      const asked = await runAnswering('dockerFirewall.allowFromMe', portItem(await item(), 'app', APP_V4).node, [
        { pick: '$(edit) Another duration…' },
        { input: `${SHORT}s`, refused: ['5s', '0s', '1y', '91d'] },
      ]);
      assert.match(asked[1]?.refusals[0] ?? '', /too short: an allow lasts at least 10s/);
      const opened = Date.now();
      const shown = await item();
      assert.match(portItem(shown, 'app', APP_V4).description, /^allowed for you · \d+ s left$/);
      assert.equal((await probe())[`${host.ipv4}:8081`], 'open');

      // No read and no client action from here on: the host's kernel ends the allow.
      await sleep(Math.max(0, opened + (SHORT + 2) * 1000 - Date.now()));
      assert.equal((await probe())[`${host.ipv4}:8081`], 'timeout', `8081 still answers ${SHORT + 2} s after a ${SHORT} s allow`);
      assert.equal(portItem(await item(), 'app', APP_V4).description, 'blocked · allow ended', 'the tree counts the time since its read');
      assert.match(portItem(await item(), 'web', WEB_V4).description, /^allowed for you · 1[45] min left$/, 'the other allow is untouched');

      api.selectChainStatusHost(host.name);
      await api.refresh();
      const rows = await api.chainStatusSnapshot();
      const warning = child(rows, 'Warnings').children.find((row) => row.contextValue.startsWith('statusWarning+allows-ended'));
      assert.ok(warning, `no allows-ended warning: ${JSON.stringify(labelsOf(child(rows, 'Warnings').children))}`);
      assert.equal(warning.contextValue, 'statusWarning+allows-ended+prunable');
      assert.match(child(child(rows, 'Allows').children, `8081/tcp from ${lab.outside.ipv4}/32 (you)`).description, /^ended at (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC$/);
      assert.match((await item()).contextValue, /\+prunable\b/);
      assert.match(await firewallRules(lab, host.name), /allow tcp\/8081 from=/, 'the ended allow’s rule is still there before Clean Up Expired');

      await runAnswering('dockerFirewall.pruneHost', warning.node, []);
      assert.doesNotMatch(await firewallRules(lab, host.name), /allow tcp\/8081 /, 'Clean Up Expired left the rule of the ended allow');
      const after = await api.chainStatusSnapshot();
      assert.deepEqual(labelsOf(child(after, 'Allows').children), [`8080/tcp from ${lab.outside.ipv4}/32 (you)`]);
      assert.ok(!labelsOf(after).includes('Warnings') || !child(after, 'Warnings').children.some((r) => r.contextValue.startsWith('statusWarning+allows-ended')));
      assert.equal(portItem(await item(), 'app', APP_V4).description, 'blocked');
      assert.doesNotMatch((await item()).contextValue, /\+prunable\b/);
      assert.deepEqual(await probe(), {
        [`${host.ipv4}:8080`]: 'open',
        [`[${host.ipv6}]:8080`]: 'timeout',
        [`${host.ipv4}:8081`]: 'timeout',
      });

      // Nothing ended any more: Clean Up Expired (the host's, and Chain Status's title action on the host it shows) sends nothing.
      const before = await firewallRules(lab, host.name);
      await runAnswering('dockerFirewall.pruneHost', (await item()).node, []);
      await runAnswering('dockerFirewall.pruneChainStatusHost', undefined, []);
      assert.equal(await firewallRules(lab, host.name), before);
    });

    test('Block Again takes back the allow from my address', async () => {
      await runAnswering('dockerFirewall.denyPort', portItem(await item(), 'web', WEB_V4).node, []);
      assert.equal(portItem(await item(), 'web', WEB_V4).description, 'blocked');
      assert.equal((await probe())[`${host.ipv4}:8080`], 'timeout');
    });
  });
}

/**
 * The same host reached through another lab host as a ProxyJump: "me" is then the jump host's
 * address, which the pick says. An entry of its own (`<host>-via-<jump>`) in an ssh config of the
 * suite's (the lab's, plus that alias), both taken back afterwards.
 */
function throughJumpSuite(lab: SuiteLab, host: SuiteLabHost, jump: SuiteLabHost): void {
  suite(`Allow from My Address on ${host.name} through ${jump.name} as a ProxyJump host`, function () {
    this.timeout(90_000);
    const alias = `${host.name}-via-${jump.name}`;
    let api: DockerFirewallApi;
    let folder: string;
    const settings = () => vscode.workspace.getConfiguration('dockerFirewall');

    suiteSetup(async function () {
      this.timeout(90_000);
      api = await activateApi();
      await unblockWithCli(lab, extensionRoot());
      folder = mkdtempSync(path.join(tmpdir(), 'dfw-suite-jump-'));
      const config = path.join(folder, 'ssh_config');
      const root = /^Host [^\n]*\n(?:[ \t]+.*\n)*/m.exec(readFileSync(lab.sshConfig, 'utf8').split(/^(?=Host )/m).find((block) => block.startsWith(`Host ${host.name}\n`)) ?? '');
      assert.ok(root, `no "Host ${host.name}" in ${lab.sshConfig}`);
      writeFileSync(config, `${readFileSync(lab.sshConfig, 'utf8')}\n${root[0].replace(`Host ${host.name}\n`, `Host ${alias}\n`)}  ProxyJump ${jump.name}\n`);
      await settings().update('sshConfigPath', config, vscode.ConfigurationTarget.Global);
      await api.hosts.add({ name: alias, destination: alias });
      for (let i = 0; i < 50 && !api.hosts.list().some((h) => h.name === alias); i++) await sleep(100);
    });

    suiteTeardown(async function () {
      this.timeout(90_000);
      await api?.hosts.remove(alias);
      await settings().update('sshConfigPath', lab.sshConfig, vscode.ConfigurationTarget.Global);
      await unblockWithCli(lab, extensionRoot());
      await api?.refresh();
      if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    });

    test(`the pick says ${host.name} sees the jump host's address; the port opens to ${jump.name}, not to this machine`, async () => {
      const asked = await runAnswering('dockerFirewall.allowFromMe', alias, [{ pick: '8080/tcp' }, { pick: '15 minutes' }]);
      assert.equal(asked[1]?.title, `Allow 8080/tcp on ${alias} from ${jump.ipv4}, as ${alias} sees you (your ProxyJump host)`);
      assert.match(asked[1]?.placeHolder ?? '', new RegExp(`${jump.ipv4.replace(/\./g, '\\.')} is your jump host's address: anyone coming from there gets in too`));
      const shown = await hostItem(api, alias);
      assert.equal(portItem(shown, 'web', WEB_V4).description, 'allowed for you · 15 min left', 'for you: the address the host sees this connection at');
      assert.equal(await connectFrom(jump.ns, host.ipv4, 8080), 'open', `${jump.name} is let in`);
      assert.equal((await tcpConnectAll([{ address: host.ipv4, port: 8080 }]))[`${host.ipv4}:8080`], 'timeout', 'this machine is not');
    });
  });
}
