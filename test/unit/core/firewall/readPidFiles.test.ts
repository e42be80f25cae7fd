import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { FOLLOW_PID } from '../../../../src/core/firewall/firewalldFollower';
import { readFirewallCommand } from '../../../../src/core/firewall/readFirewall';
import { WATCH_PID } from '../../../../src/core/firewall/watcher';
import { needsRoot } from '../../../support/requirements';

/**
 * The pid files of the watcher and of the firewalld follower are files on the host, and the read
 * says "running PID" from them. The whole read script runs for real here: as root, in a network
 * namespace of its own (its iptables are empty) and a private mount namespace whose /run is a
 * throw-away tmpfs holding the pid files. Only the number of a running process, digits alone, counts.
 */
describe('the read: watcher and follower pid files', { skip: needsRoot('a private mount and network namespace') }, () => {
  let live: ChildProcess;
  before(() => {
    live = spawn('sleep', ['600'], { stdio: 'ignore' });
  });
  after(() => live.kill());

  /** The read's watcher and persistence lines, with these contents in the two pid files (absent when undefined). */
  const read = (watcher: string | undefined, follower: string | undefined) => {
    const command = readFirewallCommand();
    const write = (file: string, variable: string, content: string | undefined) => (content === undefined ? 'true' : `printf '%s' "$${variable}" > ${file}`);
    const setup = ['mount -t tmpfs tmpfs /run', write(WATCH_PID, 'WATCHER', watcher), write(FOLLOW_PID, 'FOLLOWER', follower)].join(' && ');
    const result = spawnSync('unshare', ['--mount', '--propagation', 'private', '--net', 'sh', '-c', `${setup} && exec "$@"`, 'setup', ...command.argv], {
      encoding: 'utf8',
      // SSH_CONNECTION as sshd sets it, so that the read does not look for it in the processes above.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SSH_CONNECTION: '203.0.113.11 50022 192.0.2.1 22', WATCHER: watcher ?? '', FOLLOWER: follower ?? '' },
    });
    assert.equal(result.status, 0, result.stderr);
    const raw = command.parse({ stdout: result.stdout, stderr: result.stderr, code: result.status });
    return { watcher: raw.watcher.filter((l) => l.startsWith('running')), follower: raw.persistence.filter((l) => l.startsWith('follower')) };
  };

  test('the number of a running process, with or without a newline, is running', () => {
    const pid = String(live.pid);
    assert.deepEqual(read(`${pid}\n`, pid), { watcher: [`running ${pid}`], follower: [`follower running ${pid}`] });
  });

  test('no file, an empty one, a process that is gone, or anything but digits is not running', () => {
    const pid = String(live.pid);
    // 4194304 is above the kernel's highest PID (pid_max is at most 2^22).
    for (const content of [undefined, '', '4194304', `${pid}x`, ` ${pid}`, `${pid} 1`, `-${pid}`, `${pid};reboot`, '$(reboot)', `1${'0'.repeat(20)}`]) {
      assert.deepEqual(read(content, content), { watcher: [], follower: [] }, JSON.stringify(content));
    }
  });
});
