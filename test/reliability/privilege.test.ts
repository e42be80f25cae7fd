import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isLabUp, labHost, loadLab, sshFromOutside, tcpConnect, type Lab, type LabHost } from '../support/lab';
import { saveAll } from '../support/cli';
import { cli, labEngine, type StatusJson } from '../support/engine';
import { recordFigures } from '../support/figures';
import { BLOCKED_MS } from '../support/probes';
import { changes } from '../../src/core/hosts/dockerHost';
import { readFirewallCommand } from '../../src/core/firewall/readFirewall';
import { run, type CommandRunner } from '../../src/core/remote/remoteCommand';
import { DockerFirewallError } from '../../src/core/errors';
import { writeReport } from '../../scripts/reliability-report';

/**
 * The lockdown needs root on the host. deploy has passwordless sudo (and the docker group), nosudo
 * has neither, sudopw has sudo with a password, given here through openHost's askSudoPassword as
 * the extension gives it.
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

  test('sudopw: the password from askSudoPassword runs iptables through sudo -S; the Docker API refuses a user outside the docker group, and says so', async (t) => {
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
    let error: unknown;
    try {
      // The firewall read alone, through openHost's own session (the engine reads Docker at the same time,
      // and that refusal would otherwise end the test before sudo has answered).
      const runner = (handle.host as unknown as { runner: CommandRunner }).runner;
      const raw = await run(runner, readFirewallCommand);
      assert.ok(raw.ipv4.some((t) => t.filter !== undefined), 'iptables was read as root');
      await handle.host.apply(changes.block());
    } catch (e) {
      error = e;
    } finally {
      handle.close();
    }
    assert.equal(asked, 1, 'asked once, the answer kept for the session');
    assert.ok(handle.log.some((l) => l.startsWith("debug h1-sudopw$ sudo -S -k -p '' -- sh -c")), 'the read went through sudo -S');
    assert.ok(!handle.log.some((l) => /did not accept the password/.test(l)), 'sudo accepted the password');
    assert.ok(error instanceof DockerFirewallError && error.code === 'DockerUnavailable', String(error));
    assert.match((error as Error).message, /sudopw.*docker group/);
    assert.equal(await saveAll('h1'), original.get('h1'), 'nothing changed');
    recordFigures(lab!, 'privilege', host, { case: 'sudopw: sudo with a password', runs: 1, passwordAsked: asked, sudoAccepted: true, endToEnd: 'no', gap: 'a sudo-only user outside the docker group cannot read the Docker API (dial-stdio without sudo, src/core/docker; not fixed)' });
  });

  test('sudopw blocks end to end with the password from askSudoPassword', { todo: 'the Docker API is read over the socket as the SSH user: a sudo-only user needs `sudo docker system dial-stdio` (src/core/docker)' }, async () => {
    const password = readFileSync(lab!.sudoPasswordFile, 'utf8').trim();
    const handle = labEngine(lab!, 'h1-sudopw', {}, { askSudoPassword: () => Promise.resolve(password) });
    try {
      assert.equal((await handle.host.apply(changes.block())).applied, true);
      assert.equal((await handle.host.apply(changes.unblock())).applied, true);
    } finally {
      handle.close();
    }
  });
});
