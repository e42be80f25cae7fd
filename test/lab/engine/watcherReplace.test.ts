import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, labHost, loadLab, onHost, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson } from '../../support/cli';
import { needsLab } from '../../support/requirements';

/**
 * The watcher on the host is the one this version installs: a script left by another version (an
 * upgrade of the extension changes nothing on the host by itself) or edited by hand is reported,
 * and Block replaces it even when no rule has to change.
 */
const skip = needsLab('the watcher replaced', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const NAME = 'h1';
const SCRIPT = '/usr/local/sbin/docker-firewall-watch';

interface StatusJson {
  watcher: { running: boolean; current: boolean | null };
  warnings: { code: string }[];
}

describe(`the watcher on ${NAME} is the current one`, { skip }, () => {
  let host: LabHost;
  const status = () => dockerFirewallJson<StatusJson>(['status', NAME]);
  const scriptText = async () => (await onHost(host, ['cat', SCRIPT])).stdout;

  before(async () => {
    host = labHost(lab!, NAME);
    assert.equal((await dockerFirewall(['block', NAME])).code, 0);
  });
  after(async () => {
    await dockerFirewall(['unblock', NAME]);
  });

  test('after Block it runs, current, with no warning', async () => {
    const s = await status();
    assert.deepEqual([s.watcher.running, s.watcher.current], [true, true]);
    assert.ok(!s.warnings.some((w) => w.code.startsWith('watcher-')), JSON.stringify(s.warnings));
  });

  test('a script edited on the host is reported, and Block (no rule to change) puts the current one back and restarts it', async () => {
    const original = await scriptText();
    const edited = await onHost(host, ['sh', '-c', `printf '# edited by hand\\n' >>${SCRIPT}`]);
    assert.equal(edited.code, 0, edited.stderr);
    const s = await status();
    assert.equal(s.watcher.current, false);
    assert.ok(s.warnings.some((w) => w.code === 'watcher-outdated'), JSON.stringify(s.warnings));
    const pidBefore = (await onHost(host, ['cat', '/run/docker-firewall-watch.pid'])).stdout.trim();
    const blocked = await dockerFirewallJson<{ changed: boolean }>(['block', NAME]);
    assert.equal(blocked.changed, false, 'no rule changed');
    assert.equal(await scriptText(), original);
    const pidAfter = (await onHost(host, ['cat', '/run/docker-firewall-watch.pid'])).stdout.trim();
    assert.notEqual(pidAfter, pidBefore, 'the watcher was restarted from the replaced script');
    const again = await status();
    assert.deepEqual([again.watcher.running, again.watcher.current], [true, true]);
    assert.ok(!again.warnings.some((w) => w.code.startsWith('watcher-')), JSON.stringify(again.warnings));
  });
});
