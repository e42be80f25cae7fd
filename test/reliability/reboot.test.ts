import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { isLabUp, labCommand, labHost, loadLab, onHost, type Lab, type LabHost } from '../support/lab';
import { applyCount, cli, type StatusJson } from '../support/engine';
import { saveAll } from '../support/cli';
import { measure } from '../support/figures';
import { ALLOWED_8080, WATCHED_8081 } from '../support/lockedPorts';
import { assertEvidence, expectedOf, hammer, probeBlocked, reachability, watchBlocked } from '../support/probes';
import { sleep } from '../support/faults';
import { unmet, labReason } from '../support/requirements';
import { RESTORE_SCRIPT, PERSIST_DIR } from '../../src/core/firewall/persistence';
import { writeReport } from '../../scripts/reliability-report';

/**
 * A reboot, simulated on a lab host: after `persist`, dockerd stops and every table of both families
 * is flushed and deleted (what a fresh kernel has), then what systemd would run at boot runs in its
 * order: the restore script (Before=docker.service), dockerd, the restore script again
 * (ExecStartPost). The blocked port is probed from outside from before dockerd starts until it is up.
 */
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

const EXPECTED = ALLOWED_8080;
// The folders persist writes to; the lab mounts a private one over each on every host.
const PERSIST_MOUNTS = [PERSIST_DIR, '/usr/local/sbin', '/etc/systemd/system'];

function privateMounts(host: LabHost): boolean {
  const holder = readFileSync(host.holderPidFile, 'utf8').trim();
  const mounts = readFileSync(`/proc/${holder}/mountinfo`, 'utf8').split('\n').map((l) => l.split(' ')[4]);
  return PERSIST_MOUNTS.every((m) => mounts.includes(m));
}

async function flushEverything(host: LabHost): Promise<void> {
  for (const bin of ['iptables', 'ip6tables']) {
    for (const [table, chains] of [
      ['filter', ['INPUT', 'FORWARD', 'OUTPUT']],
      ['nat', ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']],
      ['raw', ['PREROUTING', 'OUTPUT']],
      ['mangle', ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']],
      ['security', ['INPUT', 'FORWARD', 'OUTPUT']],
    ] as const) {
      for (const args of [['-F'], ['-X'], ...chains.map((c) => ['-P', c, 'ACCEPT'])]) {
        const result = await onHost(host, [bin, '-w', '-t', table, ...args]);
        assert.equal(result.code, 0, `${bin} -t ${table} ${args.join(' ')}: ${result.stderr}`);
      }
    }
  }
}

// Simulated on h2 (Docker 28); Docker 20.10 reboots for real on sd1 and sd2 (realReboot.test.ts), h4 in nftablesReboot.test.ts.
for (const name of ['h2']) {
  const missing = labReason({ outside: true });
  const skip = unmet(
    `reboot of ${name}, simulated`,
    missing !== false
      ? missing
      : !privateMounts(labHost(lab!, name))
        ? `${name} has no private ${PERSIST_MOUNTS.join(', ')} (a lab made before lab/lib/host.sh mounted them: lab.sh down, then up)`
        : false,
  );
  describe(`reboot of ${name}, simulated`, { skip }, () => {
    let host: LabHost;
    const out = () => lab!.outside.ns;

    before(async () => {
      host = labHost(lab!, name);
      assert.equal((await cli(['unblock', name])).code, 0);
    });
    after(async () => {
      // The daemon may have been left stopped by a failed step.
      if ((await onHost(host, ['docker', 'version'])).code !== 0) await labCommand(['start-docker', name]);
      await cli(['unblock', name]);
      writeReport();
    });

    test('persist writes the rules and the restore script inside the host, and status says so', async () => {
      assert.equal((await cli(['block', name, '--allow', '8080'])).code, 0);
      const persisted = await cli(['persist', name]);
      assert.equal(persisted.code, 0, persisted.stderr);
      const files = await onHost(host, ['ls', PERSIST_DIR, RESTORE_SCRIPT]);
      assert.match(files.stdout, /rules\.v4/);
      // ...and not on this machine, whose filesystem the lab hosts share.
      assert.ok(!existsSync(`${PERSIST_DIR}/rules.v4`) && !existsSync(RESTORE_SCRIPT), 'persist wrote to the machine itself');
      const status = JSON.parse((await cli(['--json', 'status', name])).stdout) as StatusJson;
      assert.equal(status.persistence.state, 'current');
      assert.ok(!status.warnings.some((w) => w.code === 'not-persistent'));
    });

    test('after a flush of every table and a restart in boot order, the lockdown is back before any published port answers', async () => {
      assert.equal((await labCommand(['stop-docker', name])).code, 0);
      await flushEverything(host);
      const flushed = (await onHost(host, ['iptables-save'])).stdout + (await onHost(host, ['ip6tables-save'])).stdout;
      assert.doesNotMatch(flushed, /DOCKER|PRE_DOCKER|docker-firewall/);
      // A host in this state (no dockerd, no Docker chains) refuses a block with the reason and stays as it is.
      const bare = await saveAll(name);
      await measure(lab!, 'backend-refusal', host, { case: 'dockerd stopped, Docker chains flushed' }, async (f) => {
        const refused = await cli(['block', name]);
        f.exitCode = refused.code ?? 'signal';
        f.applySent = applyCount(refused.commands);
        f.changed = (await saveAll(name)) !== bare;
        f.reason = refused.stderr.trim().split('\n').pop()!.replace(/^docker-firewall: [^:]+: /, '').replace(/ \(.*$/, '');
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(refused.stderr, /Docker/);
        assert.equal(f.applySent, 0);
        assert.equal(f.changed, false);
      });

      await measure(lab!, 'reboot', host, { case: 'flush, restore, dockerd start' }, async (f) => {
        const restore = await onHost(host, [RESTORE_SCRIPT]);
        assert.equal(restore.code, 0, `restore script before dockerd: ${restore.stderr}`);
        // What the restore script put back before any dockerd ran (as the unit does, Before=docker.service).
        const early = (await onHost(host, ['iptables-save'])).stdout;
        f.hookedBeforeDockerd = /^-A DOCKER-USER -j PRE_DOCKER$/m.test(early) && /^-A FORWARD -j PRE_DOCKER_GUARD$/m.test(early);
        assert.equal(f.hookedBeforeDockerd, true, `the restore script did not hook our chains before dockerd:\n${early}`);
        const start = labCommand(['start-docker', name]);
        const watch = await watchBlocked(out(), host, WATCHED_8081, start, 3000);
        const started = await start;
        assert.equal(started.code, 0, started.stderr);
        Object.assign(f, { probes: watch.probes, blockedBesideControl: watch.blockedBesideControl, openedWhileBlocked: watch.opened.reduce((n, o) => n + o.count, 0) });
        assert.deepEqual(watch.opened, [], `the blocked port answered while dockerd started (${watch.probes} probes)`);
        for (const port of watch.perPort) assertEvidence(port, `${port.probe} while dockerd started`);
        const again = await onHost(host, [RESTORE_SCRIPT]);
        assert.equal(again.code, 0, `restore script after dockerd (ExecStartPost): ${again.stderr}`);
        const reach = await reachability(out(), host, EXPECTED);
        assert.deepEqual(reach, expectedOf(EXPECTED));

        const status = JSON.parse((await cli(['--json', 'status', name])).stdout) as StatusJson;
        const problems = status.warnings.filter((w) => ['hook-not-first', 'drift-modified', 'legacy-hook'].includes(w.code)).map((w) => w.code);
        f.statusAfter = `${status.locked ? 'locked' : 'open'}; allows ${status.allows.map((a) => `${a.proto}/${a.port}`).join(' ') || 'none'}; ` +
          `persistence ${status.persistence.state}; ${problems.length === 0 ? 'no drift or hook warning' : problems.join(' ')}`;
        assert.equal(status.locked, true);
        assert.deepEqual(status.allows, [{ port: 8080, proto: 'tcp', from: null }]);
        assert.equal(status.persistence.state, 'current', JSON.stringify(status.persistence));
        assert.deepEqual(problems, []);
      });
    });

    test('the restore script run again with the lockdown in force (after every dockerd start) never lets a connection through', async () => {
      const runs = 15;
      await measure(lab!, 'reboot', host, { case: 'restore script re-run with the lockdown in force', setup: { runs } }, async (f) => {
        let done = 0;
        const result = await hammer(out(), host, WATCHED_8081[0]!, async () => {
          await sleep(200);
          for (let i = 0; i < runs; i++) {
            const restore = await onHost(host, [RESTORE_SCRIPT]);
            assert.equal(restore.code, 0, restore.stderr);
            f.runs = ++done;
          }
        });
        Object.assign(f, { probes: result.tries, blockedBesideControl: result.blockedBesideControl, openedWhileBlocked: result.opened });
        assert.equal(result.opened, 0, `${result.opened} of ${result.tries} connections to the blocked port got through while the restore script ran ${runs} times`);
        assertEvidence(result, `${runs} runs of the restore script`);
        assert.equal(await probeBlocked(out(), host, { port: 8081, family: 'ipv4' }, { port: 8080, family: 'ipv4' }), 'timeout');
      });
    });

    test('unblock removes what persist installed, inside the host only', async () => {
      const result = await cli(['unblock', name]);
      assert.equal(result.code, 0, result.stderr);
      const left = await onHost(host, ['sh', '-c', `ls -A ${PERSIST_DIR}; ls ${RESTORE_SCRIPT} 2>/dev/null || true`]);
      assert.equal(left.stdout.trim(), '');
      const status = JSON.parse((await cli(['--json', 'status', name])).stdout) as StatusJson;
      assert.equal(status.persistence.state, 'none');
    });
  });
}
