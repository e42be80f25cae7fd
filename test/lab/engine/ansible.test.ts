import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLabUp, labHost, loadLab, outside, REPO_ROOT, type Lab } from '../../support/lab';
import { CLI, dockerFirewall } from '../../support/cli';
import { probeBlocked, probeOpen } from '../../support/probes';
import { needsLab, needsTool } from '../../support/requirements';
import { ansibleEnv, playRecap } from '../../support/ansible';

/**
 * The Ansible example (issue 17), run by Debian's ansible-core from the outside namespace against
 * h1 and h2: every host locked (a connection from outside to a published port is dropped, beside
 * sshd answering), 8080 kept open by allow_ports, verify passing, and a second run reporting
 * changed=0 on every host; then the unblocked state opens the ports again.
 */
const skip = needsTool('ansible-playbook', 'the Ansible example') || needsLab('the Ansible example', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const HOSTS = ['h1', 'h2'] as const;
const PLAYBOOK = join(REPO_ROOT, 'examples/ansible/playbook.yml');

describe('examples/ansible/playbook.yml against h1 and h2', { skip }, () => {
  let dir: string;
  const playbook = async (extra: readonly string[]) => {
    const result = await outside(['ansible-playbook', '-i', join(dir, 'inventory.ini'), PLAYBOOK, '-e', `docker_firewall="${process.execPath} ${CLI} --ssh-config ${lab!.sshConfig}"`, ...extra], {
      lab,
      timeoutMs: 180_000,
      env: ansibleEnv(dir, 5),
    });
    return { ...result, recap: playRecap(result.stdout) };
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dfw-ansible-'));
    writeFileSync(join(dir, 'inventory.ini'), `[docker_hosts]\n${HOSTS.join('\n')}\n`);
  });
  after(async () => {
    await dockerFirewall(['unblock', ...HOSTS], { lab });
    rmSync(dir, { recursive: true, force: true });
  });

  test('first run: each host changed and verified; 8081 dropped from outside, 8080 (allow_ports) open', async () => {
    const run = await playbook(['-e', '{"allow_ports": ["8080"]}']);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    for (const name of HOSTS) {
      assert.deepEqual([run.recap[name]?.changed, run.recap[name]?.failed, run.recap[name]?.unreachable], [1, 0, 0], `${name}: ${JSON.stringify(run.recap)}`);
      const host = labHost(lab!, name);
      assert.equal(await probeBlocked(lab!.outside.ns, host, { port: 8081, family: 'ipv4' }), 'timeout', name);
      assert.equal(await probeOpen(lab!.outside.ns, host, { port: 8080, family: 'ipv4' }), 'open', name);
    }
  });

  test('second run: changed=0 on every host', async () => {
    const run = await playbook(['-e', '{"allow_ports": ["8080"]}']);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    for (const name of HOSTS) assert.deepEqual([run.recap[name]?.changed, run.recap[name]?.failed], [0, 0], `${name}: ${JSON.stringify(run.recap)}`);
  });

  test('docker_firewall_state=unblocked: changed, and 8081 answers from outside again', async () => {
    const run = await playbook(['-e', 'docker_firewall_state=unblocked']);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    for (const name of HOSTS) {
      assert.equal(run.recap[name]?.changed, 1, name);
      assert.equal(await probeOpen(lab!.outside.ns, labHost(lab!, name), { port: 8081, family: 'ipv4' }), 'open', name);
    }
  });
});
