import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, labCommand, labHost, loadLab, onHost, type Lab, type LabHost } from '../support/lab';
import { recreate } from '../support/recreate';
import { cli, type StatusJson } from '../support/engine';
import { measure, type Figure } from '../support/figures';
import { ALLOWED_8080, WATCHED_8081 } from '../support/lockedPorts';
import { assertEvidence, expectedOf, hammer, reachability, watchBlocked } from '../support/probes';
import { needsLab } from '../support/requirements';
import { writeReport } from '../../scripts/reliability-report';

/**
 * The lockdown and an allow survive what happens to dockerd in real life: a service restart, a crash
 * (SIGKILL) followed by a start, and containers recreated with new addresses. Judged by connections
 * from the outside namespace, and while dockerd restarts, by probing the blocked port all along,
 * each probe beside one of the allowed port (the positive control: the path was alive).
 */
const skip = needsLab('dockerd restart and crash', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

const EXPECTED = [...ALLOWED_8080, { port: 5353, proto: 'udp' as const, family: 'ipv4' as const, expect: 'timeout' as const }];

for (const name of ['h1', 'h2']) {
  describe(`dockerd restart and crash on ${name}`, { skip }, () => {
    let host: LabHost;
    const out = () => lab!.outside.ns;
    // Observed across the restart, the crash and the recreation; recorded by the last test.
    const figures = { probes: 0, blockedBesideControl: 0, openedWhileBlocked: 0, restarts: 0, crashes: 0, recreated: 0 };

    before(async () => {
      host = labHost(lab!, name);
      assert.equal((await cli(['unblock', name])).code, 0);
    });
    after(async () => {
      await cli(['unblock', name]);
      writeReport();
    });

    test('block with 8080 allowed: 8080 open, 8081 and UDP 5353 blocked, over IPv4 and IPv6', async () => {
      const result = await cli(['block', name, '--allow', '8080']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(await reachability(out(), host, EXPECTED), expectedOf(EXPECTED));
    });

    // Docker 20.10 deletes and re-inserts FORWARD -> DOCKER-USER at every network create; the guard
    // in security FORWARD (src/core/firewall/layout.ts) holds the lockdown in between.
    test('networks created and removed (docker compose up and down) never open the blocked port', async () => {
      const cycles = 6;
      await measure(lab!, 'daemon-restart', host, { case: 'network create/remove while locked', setup: { cycles } }, async (f) => {
        let done = 0;
        const result = await hammer(out(), host, WATCHED_8081[0]!, async () => {
          for (let i = 0; i < cycles; i++) {
            for (const args of [['network', 'create', `reliability-net-${i}`], ['network', 'rm', `reliability-net-${i}`]]) {
              const r = await onHost(host, ['docker', ...args]);
              assert.equal(r.code, 0, r.stderr);
            }
            f.cycles = ++done;
          }
        });
        Object.assign(f, { probes: result.tries, controlOpened: result.controlOpened, blockedBesideControl: result.blockedBesideControl, openedWhileBlocked: result.opened });
        assert.equal(result.opened, 0, `${result.opened} of ${result.tries} connections to the blocked port got through during ${cycles} network create/remove cycles`);
        assertEvidence(result, `${cycles} network create/remove cycles`);
      });
    });

    /** Runs a lab command that (re)starts dockerd while probing the blocked ports; then both must hold. */
    async function watchedStart(command: 'restart-docker' | 'start-docker', what: string): Promise<void> {
      const start = labCommand([command, name]);
      // Watched a few seconds past the start: the containers come up and Docker writes its rules then.
      const watch = await watchBlocked(out(), host, WATCHED_8081, start, 3000);
      const started = await start;
      assert.equal(started.code, 0, started.stderr);
      figures.probes += watch.probes;
      figures.blockedBesideControl += watch.blockedBesideControl;
      figures.openedWhileBlocked += watch.opened.reduce((n, o) => n + o.count, 0);
      assert.deepEqual(watch.opened, [], `blocked ports answered ${what} (${watch.probes} probes)`);
      for (const port of watch.perPort) assertEvidence(port, `${port.probe} ${what}`);
      assert.deepEqual(await reachability(out(), host, EXPECTED), expectedOf(EXPECTED));
    }

    test('a dockerd restart (stop, start): the blocked port never answers meanwhile, and both hold after', async () => {
      figures.restarts++;
      await watchedStart('restart-docker', 'during the restart');
    });

    test('a dockerd crash (SIGKILL) and a start: the same', async () => {
      const killed = await labCommand(['kill-docker', name]);
      assert.equal(killed.code, 0, killed.stderr);
      figures.crashes++;
      await watchedStart('start-docker', 'after the crash');
    });

    test('containers recreated with new addresses: the same', async () => {
      const web = await recreate(lab!, host, 'web', undefined, '8080:80');
      const app = await recreate(lab!, host, 'app', 'appnet', '8081:80');
      figures.recreated += 2;
      assert.notEqual(web.after, web.before, 'web got a new address');
      assert.notEqual(app.after, app.before, 'app got a new address');
      assert.deepEqual(await reachability(out(), host, EXPECTED), expectedOf(EXPECTED));
    });

    test('status still reads the lockdown and the allow, hooked first, without hand-edit drift', async () => {
      const setup: Record<string, Figure> = { restarts: 1, crashes: 1, recreated: 2 };
      await measure(lab!, 'daemon-restart', host, { case: 'restart, crash, recreated containers', setup }, async (f) => {
        Object.assign(f, { probes: figures.probes, blockedBesideControl: figures.blockedBesideControl, openedWhileBlocked: figures.openedWhileBlocked });
        Object.assign(f, { restartsDone: figures.restarts, crashesDone: figures.crashes, recreatedDone: figures.recreated });
        const result = await cli(['--json', 'status', name]);
        assert.equal(result.code, 0, result.stderr);
        const status = JSON.parse(result.stdout) as StatusJson;
        const problems = status.warnings.filter((w) => ['hook-not-first', 'drift-modified', 'legacy-hook'].includes(w.code)).map((w) => w.code);
        f.statusAfter = `${status.locked ? 'locked' : 'open'}; allows ${status.allows.map((a) => `${a.proto}/${a.port}`).join(' ') || 'none'}; ` +
          `DOCKER-USER hook #${status.hooks.ipv4[0]?.position ?? '–'}; ${problems.length === 0 ? 'no drift or hook warning' : problems.join(' ')}`;
        assert.equal(status.locked, true);
        assert.deepEqual(status.allows, [{ port: 8080, proto: 'tcp', from: null }]);
        assert.deepEqual(problems, []);
        assert.equal(status.hooks.ipv4[0]?.position, 1);
        assert.deepEqual([figures.restarts, figures.crashes, figures.recreated], [1, 1, 2], 'the restart, the crash and the recreation all ran');
      });
    });
  });
}
