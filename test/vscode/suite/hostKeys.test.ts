import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { DockerFirewallApi } from '../../../src/vscode/api';
import { normalizeSave } from '../../support/cli';
import { activateApi, hostItem, runCommand } from '../../support/vscode/extension';
import { readSuiteLab, type SuiteLab } from '../../support/vscode/labState';

// Issue 5, host keys, in the extension: h1's sshd is given new host keys (as after a reinstall, or
// a man in the middle). Reading the host and Block External Access must both stop before login:
// sshd's log shows no accepted login and h1's iptables are unchanged (read inside the host, not over
// SSH, which refuses too). The lab's keys are put back afterwards.

const run = promisify(execFile);
const KEY_TYPES = ['ed25519', 'ecdsa'] as const;

let lab: SuiteLab | Error;
try {
  lab = readSuiteLab();
} catch (error) {
  lab = error instanceof Error ? error : new Error(String(error));
}

suite('A changed host key stops the extension before login', function () {
  this.timeout(90_000);
  if (lab instanceof Error) {
    const problem = lab;
    test('the lab is known', () => {
      throw problem;
    });
    return;
  }
  const suiteLab = lab;
  const host = suiteLab.hosts[0]!;
  const hostDir = path.join(path.dirname(suiteLab.statePath), 'hosts', host.name);
  const sshDir = path.join(hostDir, 'ssh');
  const keyFile = (type: string, suffix = '') => path.join(sshDir, `ssh_host_${type}_key${suffix}`);
  let backup: string;
  let api: DockerFirewallApi;

  const logins = () => readFileSync(path.join(hostDir, 'logs', 'sshd.log'), 'utf8').split('\n').filter((l) => l.startsWith('Accepted ')).length;
  /** iptables-save and ip6tables-save inside the host's namespaces. */
  const rulesInside = async () => {
    const holder = readFileSync(path.join(hostDir, 'holder.pid'), 'utf8').trim();
    const parts: string[] = [];
    for (const command of ['iptables-save', 'ip6tables-save']) {
      const { stdout } = await run('nsenter', ['--target', holder, '--net', '--mount', '--', command]);
      parts.push(`## ${command}`, ...normalizeSave(stdout));
    }
    return parts.join('\n');
  };
  const sshdPid = () => Number(readFileSync(path.join(hostDir, 'sshd.pid'), 'utf8').trim());
  /** SIGHUP makes sshd read its host keys again; waits until it serves `pub`'s key. */
  async function reloadSshd(pub: string): Promise<void> {
    const wanted = readFileSync(pub, 'utf8').split(' ')[1];
    process.kill(sshdPid(), 'SIGHUP');
    for (let i = 0; i < 100; i++) {
      const scan = await run('ssh-keyscan', ['-t', 'ed25519', host.ipv4]).catch(() => ({ stdout: '' }));
      if (scan.stdout.trim().split(' ')[2] === wanted) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`sshd on ${host.name} does not serve the expected key after SIGHUP`);
  }
  /**
   * Cuts the extension's pooled connection (made with the old key) from the host's side, as a network
   * drop would: sshd's per-connection children end, the listener stays. The next read reconnects.
   */
  async function dropConnections(): Promise<void> {
    await run('pkill', ['-TERM', '-P', String(sshdPid())]).catch(() => undefined); // exit 1: none
  }

  suiteSetup(async () => {
    api = await activateApi();
    assert.ok(api.hosts.list().some((h) => h.name === host.name), `${host.name} is configured`);
    backup = mkdtempSync(path.join(tmpdir(), 'dfw-suite-keys-'));
    for (const type of KEY_TYPES) {
      for (const suffix of ['', '.pub']) copyFileSync(keyFile(type, suffix), path.join(backup, `${type}${suffix}`));
      const fresh = path.join(backup, `fresh_${type}`);
      await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `swapped@${host.name}`, '-f', fresh]);
    }
  });

  suiteTeardown(async () => {
    if (backup === undefined) return;
    for (const type of KEY_TYPES) {
      for (const suffix of ['', '.pub']) copyFileSync(path.join(backup, `${type}${suffix}`), keyFile(type, suffix));
    }
    await reloadSshd(path.join(backup, 'ed25519.pub'));
    await dropConnections();
    await api.refresh();
    rmSync(backup, { recursive: true, force: true });
  });

  test('reading the host and Block External Access fail with the changed key named; no login, nothing changed', async () => {
    await api.refresh();
    assert.equal(api.hosts.state(host.name), 'open', 'the host reads with its own key first');
    const rulesBefore = await rulesInside();

    for (const type of KEY_TYPES) {
      for (const suffix of ['', '.pub']) copyFileSync(path.join(backup, `fresh_${type}${suffix}`), keyFile(type, suffix));
    }
    await reloadSshd(path.join(backup, 'fresh_ed25519.pub'));
    await dropConnections();
    const loginsBefore = logins();

    await api.refresh();
    assert.equal(api.hosts.state(host.name), 'unreachable');
    const item = await hostItem(api, host.name);
    const tooltip = item.tooltip.replace(/\\(.)/g, '$1'); // Markdown escapes off
    assert.match(tooltip, /has changed: known_hosts expects SHA256:.*, the host presented SHA256:\S+ \([\w-]+\)\. Nothing was run/);

    await runCommand('dockerFirewall.blockHost', item.node);
    assert.equal(api.hosts.state(host.name), 'unreachable');
    assert.equal(logins() - loginsBefore, 0, 'sshd accepted a login');
    assert.equal(await rulesInside(), rulesBefore, 'iptables changed on the host');
  });
});
