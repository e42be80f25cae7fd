import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isLabUp, labHost, loadLab, sshFromOutside, tcpConnect, type Lab, type LabHost } from '../support/lab';
import { saveAll } from '../support/cli';
import { cli, labEngine, type StatusJson } from '../support/engine';
import { recordFigures } from '../support/figures';
import { BLOCKED_MS } from '../support/probes';
import { changes } from '../../src/core/hosts/firewallEngine';
import { writeReport } from '../../scripts/reliability-report';

/**
 * The lockdown needs root on the host. deploy has passwordless sudo (and the docker group), nosudo
 * has neither, sudopw has sudo with a password, given here through openHost's askSudoPassword as
 * the extension gives it. sudopw is not in the docker group either: the Docker API is read through
 * `sudo docker system dial-stdio` on the same connection, with the same password.
 */
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

describe('privilege', { skip: lab ? false : 'the lab is not up (bash lab/lab.sh up --docker 20,28)' }, () => {
  let original: Map<string, string>;
  const figures = { runs: 0, refused: 0, changedOnRefusal: 0 };

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

  for (const name of ['h1', 'h2']) {
    test(`deploy (sudo -n) blocks and unblocks ${name} for real`, async () => {
      const host: LabHost = labHost(lab!, name);
      const blocked = await cli(['block', `${name}-deploy`]);
      assert.equal(blocked.code, 0, blocked.stderr);
      assert.ok(blocked.commands.some((c) => c.startsWith('sudo -n -- sh -c')), 'through sudo -n');
      assert.equal(await tcpConnect(lab!.outside.ns, host.ipv4, 8081, BLOCKED_MS), 'timeout');
      const status = JSON.parse((await cli(['--json', 'status', `${name}-deploy`])).stdout) as StatusJson;
      assert.equal(status.locked, true);
      assert.equal((await cli(['unblock', `${name}-deploy`])).code, 0);
      assert.equal(await saveAll(name), original.get(name));
      figures.runs += 3;
      recordFigures(lab!, 'privilege', host, { case: 'deploy: passwordless sudo', runs: 3, blockedFor: 'real', unblockExact: true });
    });
  }

  test('nosudo gets a clear error (exit 1) naming the user and the remedy, and nothing changes', async () => {
    const host = labHost(lab!, 'h1');
    for (const args of [['block', 'h1-nosudo'], ['allow', 'h1-nosudo', '8080'], ['status', 'h1-nosudo']]) {
      const result = await cli(args);
      figures.runs++;
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^docker-firewall: h1-nosudo: /m);
      assert.match(result.stderr, /nosudo/);
      assert.match(result.stderr, /docker group|sudo/);
      figures.refused++;
      if ((await saveAll('h1')) !== original.get('h1')) figures.changedOnRefusal++;
    }
    assert.equal(figures.changedOnRefusal, 0);
    recordFigures(lab!, 'privilege', host, { case: 'nosudo: no rights', runs: 3, refused: 3, changedOnRefusal: figures.changedOnRefusal });
  });

  test('sudopw: the password from askSudoPassword, asked once, runs iptables through sudo -S and the Docker API through sudo docker system dial-stdio', async (t) => {
    const host = labHost(lab!, 'h1');
    const password = readFileSync(lab!.sudoPasswordFile, 'utf8').trim();
    // The sudopw user is shared by every lab on the machine: another lab made later may have set its own password.
    const check = await sshFromOutside('h1-sudopw', 'sudo -S -k -p "" true', { input: `${password}\n` });
    if (check.code !== 0) {
      t.skip(`sudo refuses this lab's ${lab!.sudoPasswordFile} (another lab on this machine set the shared sudopw password)`);
      return;
    }
    let asked = 0;
    const handle = labEngine(lab!, 'h1-sudopw', {}, { askSudoPassword: () => { asked++; return Promise.resolve(password); } });
    try {
      // The firewall and Docker read at the same time, as every refresh does: one question for both.
      const { inventory, firewall } = await handle.engine.status();
      assert.ok(inventory.containers.some((c) => c.name === 'web'), 'Docker was read');
      assert.equal(firewall.locked, false);
      await handle.engine.status();
    } finally {
      handle.close();
    }
    assert.equal(asked, 1, 'asked once, the answer kept for the session');
    assert.ok(handle.log.some((l) => l.startsWith("debug h1-sudopw$ sudo -S -k -p '' -- sh -c")), 'iptables was read through sudo -S');
    const dockerThroughSudo = handle.log.filter((l) => l.startsWith("debug h1-sudopw$ sudo -S -k -p '' -- docker -H unix:///var/run/docker.sock system dial-stdio (stream)"));
    assert.ok(dockerThroughSudo.length >= 6, `every Docker request of both reads went through sudo: ${dockerThroughSudo.length}`);
    assert.ok(handle.log.some((l) => /info h1-sudopw: sudopw may not use the Docker socket .*permission denied.*; using sudo docker system dial-stdio/.test(l)), 'the switch is logged with its reason');
    assert.ok(!handle.log.some((l) => /did not accept the password/.test(l)), 'sudo accepted the password');
    assert.ok(!handle.log.some((l) => l.includes(password)), 'the password is never logged');
    assert.equal(await saveAll('h1'), original.get('h1'), 'nothing changed');
    recordFigures(lab!, 'privilege', host, { case: 'sudopw: sudo with a password', runs: 2, passwordAsked: asked, sudoAccepted: true, dockerThroughSudo: dockerThroughSudo.length, endToEnd: 'yes' });
  });

  test('sudopw blocks end to end with the password from askSudoPassword', async () => {
    const host = labHost(lab!, 'h1');
    const password = readFileSync(lab!.sudoPasswordFile, 'utf8').trim();
    const check = await sshFromOutside('h1-sudopw', 'sudo -S -k -p "" true', { input: `${password}\n` });
    assert.equal(check.code, 0, `sudo refuses ${lab!.sudoPasswordFile} for sudopw (another lab set the shared password?): run lab.sh up again. ${check.stderr}`);
    let asked = 0;
    const handle = labEngine(lab!, 'h1-sudopw', {}, { askSudoPassword: () => { asked++; return Promise.resolve(password); } });
    try {
      assert.equal((await handle.engine.apply(changes.block())).applied, true);
      assert.equal(await tcpConnect(lab!.outside.ns, host.ipv4, 8081, BLOCKED_MS), 'timeout', 'blocked for real');
      assert.equal((await handle.engine.status()).firewall.locked, true);
      assert.equal((await handle.engine.apply(changes.unblock())).applied, true);
      assert.equal(await tcpConnect(lab!.outside.ns, host.ipv4, 8081, BLOCKED_MS), 'open');
    } finally {
      handle.close();
    }
    assert.equal(asked, 1, 'one question for the whole session');
    assert.equal(await saveAll('h1'), original.get('h1'), 'unblock is exact');
    recordFigures(lab!, 'privilege', host, { case: 'sudopw: block and unblock end to end', runs: 4, blockedFor: 'real', unblockExact: true, passwordAsked: asked });
  });
});
