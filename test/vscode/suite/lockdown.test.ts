import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DockerFirewallApi, TreeSnapshotItem } from '../../../src/vscode/api';
import { activateApi, child, exposures, extensionRoot, hostItem, labelsOf, portItem, runCommand } from '../../support/vscode/extension';
import type { SuiteLab, SuiteLabHost } from '../../support/vscode/labState';
import { withSuiteLab } from '../../support/vscode/labSuite';
import { runAnswering } from '../../support/vscode/prompts';
import { firewallRules, tcpConnectAll, unblockWithCli, type ProbeVerdict, type TcpOutcome } from '../../support/vscode/outside';

// Every command runs as a click in the Hosts tree would: with the item's node. The lab's user
// settings turn confirmDestructiveActions off (the UI test answers the real modal). Each verdict is
// checked by a real connection from outside (this extension host runs in the lab's outside
// namespace): 'timeout' is the lockdown dropping the SYN, counted only while the host's sshd answers
// the same client (the positive control, see support/outside.ts).

const WEB_V4 = '0.0.0.0:8080 → 80/tcp';
const WEB_V6 = '[::]:8080 → 80/tcp';

function expected(host: SuiteLabHost, state: 'exposed' | 'blocked', allowedWeb = false): Record<string, string> {
  const web = allowedWeb ? 'allowed' : state;
  return {
    // sshd, listed with the host's own services: never ours to block, whatever the lockdown.
    [`Host services ${host.ipv4}:22 → 22/tcp`]: 'host service',
    [`Host services [${host.ipv6}]:22 → 22/tcp`]: 'host service',
    'admin 127.0.0.1:8082 → 80/tcp': 'local only',
    'app 0.0.0.0:8081 → 80/tcp': state,
    'app [::]:8081 → 80/tcp': state,
    'dns 0.0.0.0:5353 → 5353/udp': state,
    'dns [::]:5353 → 5353/udp': state,
    [`web ${WEB_V4}`]: web,
    [`web ${WEB_V6}`]: web,
  };
}

withSuiteLab('Lockdown from the Hosts tree', (lab) => {
  for (const host of lab.hosts) lockdownSuite(lab, host);
});

function lockdownSuite(lab: SuiteLab, host: SuiteLabHost): void {
  suite(`Lockdown of ${host.name} (Docker ${host.dockerMajor}) from the Hosts tree, checked from outside`, function () {
    this.timeout(60_000);
    let api: DockerFirewallApi;
    let rulesBefore: string;

    /** Probes web (8080, docker0) and app (8081, a br-* bridge) over IPv4 and IPv6. */
    const probe = (): Promise<Record<string, ProbeVerdict>> =>
      tcpConnectAll([
        { address: host.ipv4, port: 8080 },
        { address: host.ipv6, port: 8080 },
        { address: host.ipv4, port: 8081 },
        { address: host.ipv6, port: 8081 },
      ]);
    const outcomes = (web: TcpOutcome, app: TcpOutcome): Record<string, TcpOutcome> => ({
      [`${host.ipv4}:8080`]: web,
      [`[${host.ipv6}]:8080`]: web,
      [`${host.ipv4}:8081`]: app,
      [`[${host.ipv6}]:8081`]: app,
    });
    const item = (): Promise<TreeSnapshotItem> => hostItem(api, host.name);

    suiteSetup(async function () {
      this.timeout(90_000);
      api = await activateApi();
      await unblockWithCli(lab, extensionRoot());
      await api.refresh();
      rulesBefore = await firewallRules(lab, host.name);
    });

    suiteTeardown(async function () {
      this.timeout(90_000);
      // Leave the lab as found whatever happened above; the extension reads the result.
      await unblockWithCli(lab, extensionRoot());
      await api?.refresh();
    });

    test('before: the host is open and its published ports answer from outside', async () => {
      const shown = await item();
      assert.equal(shown.description, 'open');
      assert.deepEqual(exposures(shown), expected(host, 'exposed'));
      assert.deepEqual(await probe(), outcomes('open', 'open'));
    });

    test('Preview Rules opens the iptables-restore input in an untitled editor and changes nothing', async () => {
      await runCommand('dockerFirewall.previewRules', (await item()).node);
      const editor = vscode.window.activeTextEditor;
      assert.ok(editor, 'no editor was opened');
      try {
        assert.equal(editor.document.isUntitled, true, 'the preview is not an untitled document');
        const text = editor.document.getText();
        assert.ok(text.includes('-I DOCKER-USER 1 -j PRE_DOCKER'), `no hook insertion in the preview:\n${text}`);
        assert.match(text, new RegExp(`preview of "Block External Access" on ${host.name}\\. Nothing has been changed\\.`));
        assert.match(text, /^-N PRE_DOCKER$/m);
        assert.match(text, /^-I INPUT 1 -j PRE_DOCKER_INPUT$/m, 'no IPv6 rule for docker-proxy in the preview');
      } finally {
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
      assert.equal(await firewallRules(lab, host.name), rulesBefore, 'Preview Rules changed the host’s rules');
      await api.refresh();
      assert.equal(api.hosts.state(host.name), 'open');
      assert.deepEqual(await probe(), outcomes('open', 'open'));
    });

    test('Block External Access drops new connections from outside (IPv4 and IPv6) and the tree shows every port blocked', async () => {
      await runCommand('dockerFirewall.blockHost', (await item()).node);
      const shown = await item();
      assert.equal(api.hosts.state(host.name), 'locked');
      assert.equal(shown.description, 'locked');
      assert.match(shown.contextValue, /^host\+locked\b/);
      assert.deepEqual(exposures(shown), expected(host, 'blocked'));
      assert.equal(portItem(shown, 'web', WEB_V4).contextValue, 'port+blocked+locked+allowable');
      assert.equal(portItem(shown, 'web', WEB_V4).icon, 'lock');
      assert.deepEqual(await probe(), outcomes('timeout', 'timeout'));
    });

    test('Chain Status shows the hooks first in DOCKER-USER and security FORWARD and the chains’ rules, whose counters saw the dropped connections', async () => {
      api.selectChainStatusHost(host.name);
      await runCommand('dockerFirewall.refreshChainStatus');
      const rows = await api.chainStatusSnapshot();
      assert.equal(child(rows, 'Lockdown').description, 'on · chain PRE_DOCKER');
      const ipv4 = child(rows, 'IPv4');
      assert.match(ipv4.description, /^hooked at INPUT #1, DOCKER-USER #1, security FORWARD #1 · \d+ rules$/);
      assert.deepEqual(labelsOf(ipv4.children), [
        'INPUT #1',
        'DOCKER-USER #1',
        'security FORWARD #1',
        'PRE_DOCKER',
        'PRE_DOCKER_INPUT',
        'PRE_DOCKER_NET',
        'PRE_DOCKER_PORTS',
        'PRE_DOCKER_GUARD (security)',
        'PRE_DOCKER_NET (security)',
      ]);
      const rules = child(ipv4.children, 'PRE_DOCKER').children;
      assert.ok(labelsOf(rules).includes('replies (established, related)'), JSON.stringify(labelsOf(rules)));
      // The probes above sent SYNs to web (docker0) and app (appnet, whose bridge is br- and 12
      // characters of its id): each bridge's own block rule counted them.
      const bridges = child(ipv4.children, 'PRE_DOCKER_NET').children;
      const appBridge = labelsOf(bridges).find((label) => /^block new connections to br-[0-9a-f]{12}$/.test(label));
      assert.ok(appBridge, `no block rule for appnet's bridge: ${JSON.stringify(labelsOf(bridges))}`);
      for (const label of ['block new connections to docker0', appBridge]) {
        assert.match(child(bridges, label).description, /^[1-9][\d,]* pkts · /, `${label}: ${child(bridges, label).description}`);
      }
      // The guard runs after filter: it sees only what DOCKER-USER let through, and nothing got past.
      const guard = child(ipv4.children, 'PRE_DOCKER_NET (security)').children;
      assert.match(child(guard, 'block new connections to docker0').description, /^0 pkts · /);
      assert.match(child(rows, 'IPv6').description, /^hooked at .*INPUT #1/);
      assert.equal(child(rows, 'Allows').description, 'none');
    });

    test('Allow External Access on web’s port opens 8080 only, over IPv4 and IPv6', async () => {
      // The duration pick: Enter takes its first item, an allow without end.
      await runAnswering('dockerFirewall.allowPortAccess', portItem(await item(), 'web', WEB_V4).node, [{ pick: 'Until I take it back' }]);
      const shown = await item();
      assert.equal(api.hosts.state(host.name), 'locked');
      assert.deepEqual(exposures(shown), expected(host, 'blocked', true));
      assert.equal(portItem(shown, 'web', WEB_V4).contextValue, 'port+allowed+locked+anywhere+deniable');
      assert.deepEqual(await probe(), outcomes('open', 'timeout'));
      await runCommand('dockerFirewall.refreshChainStatus');
      assert.deepEqual(labelsOf(child(await api.chainStatusSnapshot(), 'Allows').children), ['8080/tcp from anywhere']);
    });

    test('Block Again on the allowed port closes it again', async () => {
      await runCommand('dockerFirewall.denyPort', portItem(await item(), 'web', WEB_V4).node);
      const shown = await item();
      assert.deepEqual(exposures(shown), expected(host, 'blocked'));
      assert.deepEqual(await probe(), outcomes('timeout', 'timeout'));
    });

    test('Remove Lockdown opens every published port again and leaves the rules as they were before the lockdown', async () => {
      await runCommand('dockerFirewall.unblockHost', (await item()).node);
      const shown = await item();
      assert.equal(api.hosts.state(host.name), 'open');
      assert.equal(shown.description, 'open');
      assert.deepEqual(exposures(shown), expected(host, 'exposed'));
      assert.deepEqual(await probe(), outcomes('open', 'open'));
      assert.equal(await firewallRules(lab, host.name), rulesBefore);
    });
  });
}
