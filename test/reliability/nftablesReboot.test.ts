import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, labCommand, loadLab, onHost, type Lab, type LabHost } from '../support/lab';
import { cli, type StatusJson } from '../support/engine';
import { measure, type Figure } from '../support/figures';
import { ALLOWED_8080, WATCHED_8081 } from '../support/lockedPorts';
import { assertEvidence, expectedOf, hammer, reachability, watchBlocked } from '../support/probes';
import { sleep } from '../support/faults';
import { labReason, unmet } from '../support/requirements';
import { RESTORE_SCRIPT } from '../../src/core/firewall/persistence';
import { writeReport } from '../../scripts/reliability-report';

/**
 * A reboot of a host whose Docker uses its nftables backend, simulated: after `persist`, dockerd
 * stops and the whole nftables ruleset is flushed (what a fresh kernel has: no table at all, ours
 * and Docker's gone), then what systemd would run at boot runs in its order: the restore script
 * (Before=docker.service), then dockerd, which writes its own tables beside ours. The blocked port
 * is probed from outside, beside the allowed one, from before dockerd starts until it is up; then
 * the restore script is run again and again while the lockdown is in force.
 */
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const host: LabHost | undefined = lab?.hosts.find((h) => h.firewallBackend === 'nftables');
const skip = unmet(
  'reboot of a Docker 29 nftables host, simulated',
  labReason({ outside: true }) || (host === undefined ? `lab ${lab!.name} has no Docker 29-nft host: up --docker 20,28,29,29-nft,28+legacy` : false),
);
const EXPECTED = ALLOWED_8080;

describe(`reboot of ${host?.name ?? 'the nftables host'} (Docker 29, nftables backend), simulated`, { skip }, () => {
  const name = () => host!.name;
  const out = () => lab!.outside.ns;
  const tables = async () => (await onHost(host!, ['nft', 'list', 'tables'])).stdout.split('\n').filter((l) => l.trim() !== '').sort();
  const ourTables = async () =>
    (await onHost(host!, ['sh', '-c', 'nft list table ip docker_firewall; nft list table ip6 docker_firewall'])).stdout.replace(/counter packets \d+ bytes \d+/g, 'counter');
  /** Runs a lab command that (re)starts dockerd while probing the blocked port beside the allowed one; none may answer. */
  const watchedDockerd = async (command: 'start-docker' | 'restart-docker', what: string, f: Record<string, Figure>) => {
    const start = labCommand([command, name()]);
    const watch = await watchBlocked(out(), host!, WATCHED_8081, start, 3000);
    const started = await start;
    assert.equal(started.code, 0, started.stderr);
    Object.assign(f, { probes: watch.probes, blockedBesideControl: watch.blockedBesideControl, openedWhileBlocked: watch.opened.reduce((n, o) => n + o.count, 0) });
    assert.deepEqual(watch.opened, [], `the blocked port answered ${what} (${watch.probes} probes)`);
    for (const port of watch.perPort) assertEvidence(port, `${port.probe} ${what}`);
  };

  before(async () => {
    assert.equal((await cli(['unblock', name()])).code, 0);
  });
  after(async () => {
    if ((await onHost(host!, ['docker', 'version'])).code !== 0) await labCommand(['start-docker', name()]);
    await cli(['unblock', name()]);
    writeReport();
  });

  test('after a flush of the whole ruleset and a start in boot order, our tables are back before dockerd and no blocked port answers', async () => {
    assert.equal((await cli(['block', name(), '--allow', '8080'])).code, 0);
    const persisted = await cli(['persist', name()]);
    assert.equal(persisted.code, 0, persisted.stderr);
    await measure(lab!, 'reboot', host, { case: 'nftables: flush ruleset, restore, dockerd start' }, async (f) => {
      assert.equal((await labCommand(['stop-docker', name()])).code, 0);
      const flushed = await onHost(host!, ['nft', 'flush', 'ruleset']);
      assert.equal(flushed.code, 0, flushed.stderr);
      assert.deepEqual(await tables(), [], 'a fresh kernel: no table');
      const restore = await onHost(host!, [RESTORE_SCRIPT]);
      assert.equal(restore.code, 0, `restore script before dockerd: ${restore.stderr}`);
      f.tablesBeforeDockerd = (await tables()).join(', ');
      assert.equal(f.tablesBeforeDockerd, 'table ip docker_firewall, table ip6 docker_firewall');
      await watchedDockerd('start-docker', 'while dockerd started', f);
      assert.deepEqual(await reachability(out(), host!, EXPECTED), expectedOf(EXPECTED));
      const status = JSON.parse((await cli(['--json', 'status', name()])).stdout) as StatusJson;
      const problems = status.warnings.filter((w) => ['hook-not-first', 'drift-modified', 'legacy-hook', 'lockdown-missing'].includes(w.code)).map((w) => w.code);
      f.statusAfter = `${status.locked ? 'locked' : 'open'}; allows ${status.allows.map((a) => `${a.proto}/${a.port}`).join(' ') || 'none'}; persistence ${status.persistence.state}; ${problems.length === 0 ? 'no drift or hook warning' : problems.join(' ')}`;
      assert.equal(status.locked, true);
      assert.deepEqual(status.allows.map((a) => `${a.proto}/${a.port}`), ['tcp/8080']);
      assert.equal(status.persistence.state, 'current');
      assert.deepEqual(problems, []);
    });
  });

  test('a dockerd restart with the lockdown in force: the blocked port never answers, and our tables stay as they were', async () => {
    await measure(lab!, 'daemon-restart', host, { case: 'nftables: dockerd restart while locked' }, async (f) => {
      const before = await ourTables();
      await watchedDockerd('restart-docker', 'during the restart', f);
      f.tablesUnchanged = (await ourTables()) === before;
      assert.equal(f.tablesUnchanged, true, 'Docker left our tables alone');
      assert.deepEqual(await reachability(out(), host!, EXPECTED), expectedOf(EXPECTED));
    });
  });

  test('the restore script run again with the lockdown in force never lets a connection through', async () => {
    const runs = 15;
    await measure(lab!, 'reboot', host, { case: 'nftables: restore script re-run with the lockdown in force', setup: { runs } }, async (f) => {
      let done = 0;
      const result = await hammer(out(), host!, WATCHED_8081[0]!, async () => {
        await sleep(200);
        for (let i = 0; i < runs; i++) {
          const restore = await onHost(host!, [RESTORE_SCRIPT]);
          assert.equal(restore.code, 0, restore.stderr);
          f.runs = ++done;
        }
      });
      Object.assign(f, { probes: result.tries, blockedBesideControl: result.blockedBesideControl, openedWhileBlocked: result.opened });
      assert.equal(result.opened, 0, `${result.opened} of ${result.tries} connections to the blocked port got through while the restore script ran ${runs} times`);
      assertEvidence(result, `${runs} runs of the restore script`);
    });
  });
});
