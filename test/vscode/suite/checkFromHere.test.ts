import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import * as vscode from 'vscode';
import type { DockerFirewallApi, TreeSnapshotItem } from '../../../src/vscode/api';
import type { VerifyReport } from '../../../src/core/verify/verifyHost';
import { activateApi, extensionRoot, hostItem, portItem, runCommand } from '../../support/vscode/extension';
import type { SuiteLab, SuiteLabHost } from '../../support/vscode/labState';
import { withSuiteLab } from '../../support/vscode/labSuite';
import { runAnswering } from '../../support/vscode/prompts';
import { tcpConnect, unblockWithCli } from '../../support/vscode/outside';

// Check From Here as a click on a host runs it, and the check after every change
// (dockerFirewall.verifyAfterChange), against the lab's first host. This extension host runs in the
// lab's outside namespace: its probes are a client's, and a rule in this namespace's OUTPUT chain is
// "something on the user's side that filters". Each verdict the items show is the one the lab was
// made to give.

const WEB_V4 = '0.0.0.0:8080 → 80/tcp';
const WEB_V6 = '[::]:8080 → 80/tcp';
const APP_V4 = '0.0.0.0:8081 → 80/tcp';
const DNS_V4 = '0.0.0.0:5353 → 5353/udp';
const ADMIN = '127.0.0.1:8082 → 80/tcp';

function exec(file: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (error, _stdout, stderr) => (error ? reject(new Error(`${file} ${args.join(' ')}: ${stderr || error.message}`)) : resolve()));
  });
}

/** Waits until the extension's own settings say verifyAfterChange is `on`. */
async function setVerifyAfterChange(on: boolean): Promise<void> {
  await vscode.workspace.getConfiguration('dockerFirewall').update('verifyAfterChange', on, vscode.ConfigurationTarget.Global);
  for (let i = 0; i < 50 && vscode.workspace.getConfiguration('dockerFirewall').get('verifyAfterChange') !== on; i++) await sleep(100);
  await sleep(200); // the extension's settings store reads the change from the same event
}

withSuiteLab('Check From Here', (lab) => {
  checkSuite(lab, lab.hosts[0]!);
});

function checkSuite(lab: SuiteLab, host: SuiteLabHost): void {
  suite(`Check From Here on ${host.name} (Docker ${host.dockerMajor}), from this machine`, function () {
    this.timeout(90_000);
    let api: DockerFirewallApi;
    const item = (): Promise<TreeSnapshotItem> => hostItem(api, host.name);
    const check = async (): Promise<VerifyReport> => {
      const report = await vscode.commands.executeCommand<VerifyReport | undefined>('dockerFirewall.checkFromHere', (await item()).node);
      assert.ok(report, 'Check From Here gave no report');
      return report;
    };
    const descriptions = async (...labels: [string, string][]): Promise<string[]> => {
      const shown = await item();
      return labels.map(([container, label]) => portItem(shown, container, label).description);
    };
    const dropHere = ['OUTPUT', '-p', 'tcp', '-d', host.ipv4, '--dport', '8080', '-j', 'DROP'];
    const redirectOnHost = ['PREROUTING', '-t', 'nat', '-p', 'tcp', '-d', host.ipv4, '--dport', '8081', '-j', 'REDIRECT', '--to-ports', '22'];

    suiteSetup(async function () {
      this.timeout(90_000);
      api = await activateApi();
      await unblockWithCli(lab, extensionRoot());
      await api.refresh();
    });

    suiteTeardown(async function () {
      this.timeout(90_000);
      await exec('iptables', ['-D', ...dropHere]).catch(() => undefined);
      await exec('ssh', ['-F', lab.sshConfig, host.name, `iptables -D ${redirectOnHost.join(' ')}`]).catch(() => undefined);
      await setVerifyAfterChange(false);
      await unblockWithCli(lab, extensionRoot());
      await api?.refresh();
    });

    test('on an open host: every port probed on the host’s addresses (the one SSH uses, its own IPv6) matches, and its item says what was seen and when', async () => {
      const report = await check();
      assert.equal(report.verdict, 'match', JSON.stringify(report.results));
      // The address SSH uses and the host's own global IPv6 address (read on the host, off Docker's bridges).
      assert.deepEqual(report.addresses.map((a) => [a.address, a.trusted]), [[host.ipv4, true], [host.ipv6, true]]);
      assert.deepEqual(await descriptions(['web', WEB_V4], ['app', APP_V4], ['dns', DNS_V4], ['admin', ADMIN], ['web', WEB_V6]), [
        'exposed · checked: open',
        'exposed · checked: open',
        'exposed · checked: open',
        'local only · checked: refused',
        'exposed · checked: open',
      ]);
      const shown = await item();
      assert.match(portItem(shown, 'web', WEB_V4).tooltip, /Checked \d\d:\d\d from this machine: open on 192\\\.0\\\.2\\\.\d+ \(connected\)\./);
      assert.match(portItem(shown, 'web', WEB_V6).tooltip, /Checked \d\d:\d\d from this machine: open on \\\[2001:db8:1::\d+\\\] \(connected\)\./);
    });

    test('with verifyAfterChange on, Block External Access is checked from here at once: no port answers', async () => {
      await setVerifyAfterChange(true);
      await runCommand('dockerFirewall.blockHost', (await item()).node);
      assert.equal(api.hosts.state(host.name), 'locked');
      assert.deepEqual(await descriptions(['web', WEB_V4], ['app', APP_V4], ['dns', DNS_V4], ['admin', ADMIN]), [
        'blocked · checked: no answer',
        'blocked · checked: no answer',
        'blocked · checked: no reply',
        'local only · checked: refused',
      ]);
      assert.equal(await tcpConnect(host.ipv4, 8080), 'timeout');
    });

    test('Allow External Access on web’s port is checked at once: 8080 open from here, the rest still silent', async () => {
      // The duration pick: Enter takes its first item, an allow without end.
      await runAnswering('dockerFirewall.allowPortAccess', portItem(await item(), 'web', WEB_V4).node, [{ pick: 'Until I take it back' }]);
      assert.deepEqual(await descriptions(['web', WEB_V4], ['app', APP_V4]), ['allowed · checked: open', 'blocked · checked: no answer']);
    });

    test('8080 dropped on this machine: a warning-level mismatch on the allowed port, with the warning icon', async () => {
      await exec('iptables', ['-I', ...dropHere]);
      try {
        const report = await check();
        assert.equal(report.verdict, 'mismatch');
        assert.deepEqual(report.mismatches, { errors: 0, warnings: 1 });
        const web = portItem(await item(), 'web', WEB_V4);
        assert.equal(web.description, 'allowed · mismatch: no answer from here');
        assert.equal(web.icon, 'warning');
        // The suite's dockerFirewall.checkTimeout (runExtensionTests.ts), not verify's default.
        const timeoutMs = vscode.workspace.getConfiguration('dockerFirewall').get<number>('checkTimeout');
        assert.equal(typeof timeoutMs, 'number');
        assert.match(web.tooltip, new RegExp(`Checked \\d\\d:\\d\\d from this machine: no answer on 192\\\\\\.0\\\\\\.2\\\\\\.\\d+ \\(no answer in ${String(timeoutMs)} ms\\)\\.`));
      } finally {
        await exec('iptables', ['-D', ...dropHere]);
      }
    });

    test('a blocked port redirected to sshd on the host, past the lockdown: an error-level mismatch, with the error icon', async () => {
      await exec('ssh', ['-F', lab.sshConfig, host.name, `iptables -I ${redirectOnHost.join(' ')}`]);
      try {
        const report = await check();
        assert.equal(report.verdict, 'mismatch');
        assert.equal(report.results[0]?.port, 8081);
        assert.equal(report.results[0]?.severity, 'error');
        const app = portItem(await item(), 'app', APP_V4);
        assert.equal(app.description, 'blocked · MISMATCH: open from here');
        assert.equal(app.icon, 'error');
        assert.match(app.tooltip, /the rules close this port, yet it answered from this machine/);
      } finally {
        await exec('ssh', ['-F', lab.sshConfig, host.name, `iptables -D ${redirectOnHost.join(' ')}`]);
      }
    });

    test('Block Again on web’s port is checked at once: no answer again', async () => {
      await runCommand('dockerFirewall.denyPort', portItem(await item(), 'web', WEB_V4).node);
      assert.deepEqual(await descriptions(['web', WEB_V4], ['app', APP_V4]), ['blocked · checked: no answer', 'blocked · checked: no answer']);
    });
  });
}
