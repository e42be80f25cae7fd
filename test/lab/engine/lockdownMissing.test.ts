import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, labHost, loadLab, onHost, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson } from '../../support/cli';
import { probe, probeBlocked } from '../../support/probes';
import { needsLab } from '../../support/requirements';

/**
 * A saved lockdown whose rules something else removed (issue 14: a `firewall-cmd --reload` or
 * `ufw reload` rebuilds the tables without them; here every table is rebuilt from iptables-save
 * minus our chains, as such a reload does). Status must not just say "exposed": it says a lockdown
 * is saved but not in force, and what to do; the persisted restore puts it back, and a real
 * connection from outside shows each step.
 */
const skip = needsLab('a saved lockdown removed by a firewall reload', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const PORT = 8081;

interface StatusJson {
  locked: boolean;
  persistence: { state: string };
  warnings: { code: string; message: string }[];
}

describe('h1: a persisted lockdown, then a firewall reload that drops its rules', { skip }, () => {
  let host: LabHost;
  const status = () => dockerFirewallJson<StatusJson>(['status', 'h1'], { lab });
  const reach = () => probeBlocked(lab!.outside.ns, host, { port: PORT, family: 'ipv4' });

  before(async () => {
    host = labHost(lab!, 'h1');
    assert.equal((await dockerFirewall(['block', 'h1'], { lab })).code, 0);
    const persisted = await dockerFirewall(['persist', 'h1'], { lab });
    assert.equal(persisted.code, 0, persisted.stderr);
    assert.equal(await reach(), 'timeout');
  });
  after(async () => {
    await dockerFirewall(['unblock', 'h1'], { lab });
  });

  test('after the reload: the port answers, and status says the saved lockdown is not in force and what to do', async () => {
    for (const family of ['iptables', 'ip6tables']) {
      const reload = await onHost(host, ['sh', '-c', `${family}-save | grep -v -- '${'PRE_DOCKER'}' | ${family}-restore`]);
      assert.equal(reload.code, 0, reload.stderr);
    }
    assert.equal(await probe(lab!.outside.ns, host, { port: PORT, family: 'ipv4' }), 'open');
    const now = await status();
    assert.equal(now.locked, false);
    assert.notEqual(now.persistence.state, 'none');
    const warning = now.warnings.find((w) => w.code === 'lockdown-missing');
    assert.ok(warning !== undefined, JSON.stringify(now.warnings));
    assert.match(warning.message, /saved on this host .* but none is in force.*firewall reload.*Block again, or run \/usr\/local\/sbin\/docker-firewall-restore/);
  });

  test('the persisted restore puts the lockdown back: the port is silent beside sshd answering, and the warning is gone', async () => {
    const restored = await onHost(host, ['/usr/local/sbin/docker-firewall-restore']);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(await reach(), 'timeout');
    const now = await status();
    assert.equal(now.locked, true);
    assert.equal(now.warnings.some((w) => w.code === 'lockdown-missing'), false);
  });
});
