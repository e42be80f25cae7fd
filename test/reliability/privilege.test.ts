import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isLabUp, labHost, loadLab, sshFromOutside, type Lab, type LabHost } from '../support/lab';
import { saveAll } from '../support/cli';
import { cli, labEngine, type StatusJson } from '../support/engine';
import { measure } from '../support/figures';
import { probe, probeBlocked } from '../support/probes';
import { needsLab } from '../support/requirements';
import { changes } from '../../src/core/hosts/firewallEngine';
import { writeReport } from '../../scripts/reliability-report';

/**
 * The lockdown needs root on the host. deploy has passwordless sudo (and the docker group), nosudo
 * has neither, sudopw has sudo with a password, given here through openHost's askSudoPassword as
 * the extension gives it. sudopw is not in the docker group either: the Docker API is read through
 * `sudo docker system dial-stdio` on the same connection, with the same password.
 */
const skip = needsLab('privilege', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

describe('privilege', { skip }, () => {
  let original: Map<string, string>;

  before(async () => {
    original = new Map();
    for (const host of lab!.hosts) {
      await cli(['unblock', host.name]);
      original.set(host.name, await saveAll(host.name));
    }
  });
  after(async () => {
    for (const host of lab!.hosts) await cli(['unblock', host.name]);
    writeReport();
  });

  /** sudopw's password as this lab keeps it, checked with sudo itself first. */
  async function sudoPassword(): Promise<string> {
    const password = readFileSync(lab!.sudoPasswordFile, 'utf8').trim();
    const check = await sshFromOutside('h1-sudopw', 'sudo -S -k -p "" true', { input: `${password}\n` });
    assert.equal(check.code, 0, `sudo refuses ${lab!.sudoPasswordFile} for sudopw (a lab made by an older lab.sh reset the machine-wide user's password?): run lab.sh up again. ${check.stderr}`);
    return password;
  }

  for (const name of ['h1', 'h2']) {
    test(`deploy (sudo -n) blocks and unblocks ${name} for real`, async () => {
      const host: LabHost = labHost(lab!, name);
      await measure(lab!, 'privilege', host, { case: 'deploy: passwordless sudo' }, async (f) => {
        f.runs = 0;
        const blocked = await cli(['block', `${name}-deploy`]);
        f.runs++;
        assert.equal(blocked.code, 0, blocked.stderr);
        f.throughSudoN = blocked.commands.filter((c) => c.startsWith('sudo -n -- sh -c')).length;
        assert.ok(f.throughSudoN > 0, 'through sudo -n');
        f.blockedProbe = await probeBlocked(lab!.outside.ns, host, { port: 8081, family: 'ipv4' });
        assert.equal(f.blockedProbe, 'timeout');
        const status = JSON.parse((await cli(['--json', 'status', `${name}-deploy`])).stdout) as StatusJson;
        f.runs++;
        f.statusLocked = status.locked;
        assert.equal(status.locked, true);
        assert.equal((await cli(['unblock', `${name}-deploy`])).code, 0);
        f.runs++;
        f.unblockExact = (await saveAll(name)) === original.get(name);
        assert.equal(f.unblockExact, true, 'unblock left the rules as they were');
      });
    });
  }

  test('nosudo gets a clear error (exit 1) naming the user and the remedy, and nothing changes', async () => {
    const host = labHost(lab!, 'h1');
    await measure(lab!, 'privilege', host, { case: 'nosudo: no rights' }, async (f) => {
      const figures = Object.assign(f, { runs: 0, refused: 0, changedOnRefusal: 0 });
      for (const args of [['block', 'h1-nosudo'], ['allow', 'h1-nosudo', '8080'], ['status', 'h1-nosudo']]) {
        const result = await cli(args);
        figures.runs++;
        if ((await saveAll('h1')) !== original.get('h1')) figures.changedOnRefusal++;
        assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, /^docker-firewall: h1-nosudo: /m);
        assert.match(result.stderr, /nosudo/);
        assert.match(result.stderr, /docker group|sudo/);
        figures.refused++;
      }
      assert.equal(figures.changedOnRefusal, 0);
    });
  });

  test('sudopw: the password from askSudoPassword, asked once, runs iptables through sudo -S and the Docker API through sudo docker system dial-stdio', async () => {
    const host = labHost(lab!, 'h1');
    await measure(lab!, 'privilege', host, { case: 'sudopw: sudo with a password' }, async (f) => {
      const password = await sudoPassword();
      let asked = 0;
      const handle = labEngine(lab!, 'h1-sudopw', {}, { askSudoPassword: () => { asked++; return Promise.resolve(password); } });
      f.runs = 0;
      try {
        // The firewall and Docker read at the same time, as every refresh does: one question for both.
        const { inventory, firewall } = await handle.engine.status();
        f.runs++;
        assert.ok(inventory.containers.some((c) => c.name === 'web'), 'Docker was read');
        assert.equal(firewall.locked, false);
        await handle.engine.status();
        f.runs++;
      } finally {
        handle.close();
      }
      f.passwordAsked = asked;
      const dockerThroughSudo = handle.log.filter((l) => l.startsWith("debug h1-sudopw$ sudo -S -k -p '' -- docker -H unix:///var/run/docker.sock system dial-stdio (stream)"));
      f.iptablesThroughSudoS = handle.log.filter((l) => l.startsWith("debug h1-sudopw$ sudo -S -k -p '' -- sh -c")).length;
      f.dockerThroughSudo = dockerThroughSudo.length;
      f.sudoRefusedPassword = handle.log.filter((l) => /did not accept the password/.test(l)).length;
      f.passwordInLog = handle.log.some((l) => l.includes(password));
      assert.equal(asked, 1, 'asked once, the answer kept for the session');
      assert.ok(f.iptablesThroughSudoS > 0, 'iptables was read through sudo -S');
      assert.ok(dockerThroughSudo.length >= 6, `every Docker request of both reads went through sudo: ${dockerThroughSudo.length}`);
      assert.ok(handle.log.some((l) => /info h1-sudopw: sudopw may not use the Docker socket .*permission denied.*; using sudo docker system dial-stdio/.test(l)), 'the switch is logged with its reason');
      assert.equal(f.sudoRefusedPassword, 0, 'sudo accepted the password');
      assert.equal(f.passwordInLog, false, 'the password is never logged');
      f.changed = (await saveAll('h1')) !== original.get('h1');
      assert.equal(f.changed, false, 'nothing changed');
    });
  });

  test('sudopw blocks end to end with the password from askSudoPassword', async () => {
    const host = labHost(lab!, 'h1');
    await measure(lab!, 'privilege', host, { case: 'sudopw: block and unblock end to end' }, async (f) => {
      const password = await sudoPassword();
      let asked = 0;
      const handle = labEngine(lab!, 'h1-sudopw', {}, { askSudoPassword: () => { asked++; return Promise.resolve(password); } });
      f.runs = 0;
      try {
        assert.equal((await handle.engine.apply(changes.block())).applied, true);
        f.runs++;
        f.blockedProbe = await probeBlocked(lab!.outside.ns, host, { port: 8081, family: 'ipv4' });
        assert.equal(f.blockedProbe, 'timeout', 'blocked for real');
        assert.equal((await handle.engine.status()).firewall.locked, true);
        f.runs++;
        assert.equal((await handle.engine.apply(changes.unblock())).applied, true);
        f.runs++;
        f.reopenedProbe = await probe(lab!.outside.ns, host, { port: 8081, family: 'ipv4' });
        assert.equal(f.reopenedProbe, 'open');
      } finally {
        handle.close();
      }
      f.passwordAsked = asked;
      f.unblockExact = (await saveAll('h1')) === original.get('h1');
      assert.equal(asked, 1, 'one question for the whole session');
      assert.equal(f.unblockExact, true, 'unblock is exact');
    });
  });
});
