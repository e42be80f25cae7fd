import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLabUp, labHost, loadLab, outside, run, type Lab, type LabHost } from '../support/lab';
import { saveAll } from '../support/cli';
import { cli } from '../support/engine';
import { sleep } from '../support/faults';
import { suiteMeasurement } from '../support/figures';
import { needsLab } from '../support/requirements';
import { writeReport } from '../../scripts/reliability-report';

/**
 * Host keys, with the real sshd of a lab host: an unknown key is never taken silently, and a
 * changed one (the host's sshd given new host keys) stops everything before login, so no command
 * can run: the sshd log shows no accepted login and iptables-save is unchanged.
 */
const skip = needsLab('host keys', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const KEY_TYPES = ['ed25519', 'ecdsa'] as const;

describe('host keys on h1', { skip }, () => {
  let host: LabHost;
  let dir: string;
  let sshDir: string;
  let sshdLog: string;
  const measured = suiteMeasurement(() => lab!, 'host-keys', () => host, {});
  const figures = Object.assign(measured.figures, { runs: 0, refused: 0, loginsDuringRefusals: 0, changedOnHost: 0 });

  const logins = () => readFileSync(sshdLog, 'utf8').split('\n').filter((l) => l.startsWith('Accepted ')).length;
  const sshdPid = () => Number(readFileSync(join(lab!.labDir, 'hosts', host.name, 'sshd.pid'), 'utf8').trim());
  /** The ed25519 key the host serves now, as ssh-keyscan from outside sees it. */
  const servedKey = async () => (await outside(['ssh-keyscan', '-t', 'ed25519', host.ipv4], { timeoutMs: 10_000 })).stdout.trim().split(' ')[2];
  const fileKey = (file: string) => readFileSync(file, 'utf8').split(' ')[1];
  const fingerprint = async (pub: string) => (await run(['ssh-keygen', '-l', '-E', 'sha256', '-f', pub])).stdout.split(' ')[1] ?? '?';

  /** SIGHUP makes sshd re-execute itself and read its host keys again. */
  async function reloadSshd(expectedKey: string | undefined): Promise<void> {
    process.kill(sshdPid(), 'SIGHUP');
    for (let i = 0; i < 100; i++) {
      if ((await servedKey()) === expectedKey) return;
      await sleep(100);
    }
    throw new Error(`sshd on ${host.name} does not serve the expected key after SIGHUP`);
  }

  /** Runs a CLI command that must be refused for its host key, and checks nothing happened on the host. */
  async function refused(args: string[], presented: string): Promise<void> {
    const before = await saveAll(host.name);
    const loginsBefore = logins();
    const result = await cli(args);
    figures.runs++;
    assert.equal(result.code, 3, `${args.join(' ')}: exit ${String(result.code)}: ${result.stderr}`);
    assert.ok(result.stderr.includes(presented), `the presented key ${presented} is named: ${result.stderr}`);
    assert.match(result.stderr, /Nothing was run/);
    figures.refused++;
    const newLogins = logins() - loginsBefore;
    figures.loginsDuringRefusals += newLogins;
    assert.equal(newLogins, 0, 'sshd accepted a login');
    if ((await saveAll(host.name)) !== before) figures.changedOnHost++;
    assert.equal(figures.changedOnHost, 0, 'iptables changed');
  }

  before(() => {
    host = labHost(lab!, 'h1');
    dir = mkdtempSync(join(tmpdir(), 'dfw-keys-'));
    sshDir = join(lab!.labDir, 'hosts', host.name, 'ssh');
    sshdLog = join(lab!.labDir, 'hosts', host.name, 'logs', 'sshd.log');
    for (const type of KEY_TYPES) {
      for (const suffix of ['', '.pub']) copyFileSync(join(sshDir, `ssh_host_${type}_key${suffix}`), join(dir, `original_${type}${suffix}`));
    }
  });
  after(async () => {
    measured.record(3);
    // The lab's own keys back, whatever happened.
    for (const type of KEY_TYPES) {
      for (const suffix of ['', '.pub']) copyFileSync(join(dir, `original_${type}${suffix}`), join(sshDir, `ssh_host_${type}_key${suffix}`));
    }
    await reloadSshd(fileKey(join(dir, 'original_ed25519.pub')));
    rmSync(dir, { recursive: true, force: true });
    writeReport();
  });

  test('an unknown host key is refused with exit 3 and its fingerprint; nothing runs, nothing is recorded', measured.track(async () => {
    const empty = join(dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    await refused(['--known-hosts', empty, 'block', host.name], await fingerprint(join(dir, 'original_ed25519.pub')));
    assert.equal(readFileSync(empty, 'utf8'), '');
  }));

  test('an unknown key taken by accept-new (flag or ssh config) is recorded and said so on stderr, as OpenSSH does', measured.track(async () => {
    const viaFlag = join(dir, 'flag_known_hosts');
    writeFileSync(viaFlag, '');
    const flagged = await cli(['--known-hosts', viaFlag, '--accept-new', 'status', host.name]);
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.match(flagged.stderr, /host key of 192\.0\.2\.\d+ \((ssh-ed25519|ecdsa-sha2-nistp256) SHA256:[A-Za-z0-9+/]{43}\)/);
    assert.notEqual(readFileSync(viaFlag, 'utf8'), '');

    const viaConfig = join(dir, 'config_known_hosts');
    writeFileSync(viaConfig, '');
    const config = join(dir, 'ssh_config_accept_new');
    writeFileSync(
      config,
      readFileSync(lab!.sshConfig, 'utf8')
        .replaceAll(`UserKnownHostsFile ${lab!.knownHosts}`, `UserKnownHostsFile ${viaConfig}`)
        .replaceAll('StrictHostKeyChecking yes', 'StrictHostKeyChecking accept-new'),
    );
    const configured = await cli(['status', host.name], { sshConfig: config });
    assert.equal(configured.code, 0, configured.stderr);
    assert.match(configured.stderr, /host key of 192\.0\.2\.\d+ \((ssh-ed25519|ecdsa-sha2-nistp256) SHA256:[A-Za-z0-9+/]{43}\)/, 'accepted silently');
    assert.notEqual(readFileSync(viaConfig, 'utf8'), '');
    figures.runs += 2;
  }));

  test('a changed host key stops every command before login (exit 3), even with --accept-new, and OpenSSH agrees', measured.track(async () => {
    for (const type of KEY_TYPES) {
      const fresh = join(dir, `fresh_${type}`);
      const made = await run(['ssh-keygen', '-q', '-t', type, '-N', '', '-C', `swapped@${host.name}`, '-f', fresh]);
      assert.equal(made.code, 0, made.stderr);
      copyFileSync(fresh, join(sshDir, `ssh_host_${type}_key`));
      copyFileSync(`${fresh}.pub`, join(sshDir, `ssh_host_${type}_key.pub`));
    }
    await reloadSshd(fileKey(join(dir, 'fresh_ed25519.pub')));

    const openssh = await outside(['ssh', '-F', lab!.sshConfig, host.name, 'true']);
    assert.notEqual(openssh.code, 0);
    assert.match(openssh.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);

    const presented = await fingerprint(join(dir, 'fresh_ed25519.pub'));
    await refused(['block', host.name], presented);
    await refused(['--accept-new', 'unblock', host.name], presented);
    await refused(['--json', 'status', host.name], presented);
    await refused(['allow', `${host.name}-deploy`, '8080'], presented);
  }));
});
