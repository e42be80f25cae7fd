import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, labHost, loadLab, onHost, type Lab, type LabHost } from '../support/lab';
import { saveAll } from '../support/cli';
import { applyCount, cli, labEngine, statusJsonOf, type LoggedHost, type StatusJson } from '../support/engine';
import { envCount } from '../support/faults';
import { measure } from '../support/figures';
import { needsLab } from '../support/requirements';
import { changes } from '../../src/core/hosts/firewallEngine';
import { writeReport } from '../../scripts/reliability-report';

/**
 * Applying the same thing again changes nothing (not even a transaction is sent), and rules edited
 * by hand inside our chains are reported as drift and put back exactly by the next apply.
 */
const skip = needsLab('idempotence and drift', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const REPEATS = envCount('RELIABILITY_REPEATS', 4);

interface HandEdit {
  readonly name: string;
  readonly family: 'ipv4' | 'ipv6';
  /** Shell line run as root on the host (constant text: nothing of the test's input is in it). */
  readonly script: string;
  /** The CLI command that comes next and must repair it. */
  readonly next: (host: string) => string[];
}

const EDITS: readonly HandEdit[] = [
  { name: 'an ACCEPT inserted as rule 2', family: 'ipv4', script: 'iptables -w -I PRE_DOCKER 2 -j ACCEPT', next: (h) => ['block', h] },
  { name: 'rule 1 (replies) deleted', family: 'ipv4', script: 'iptables -w -D PRE_DOCKER 1', next: (h) => ['block', h] },
  { name: 'a rule appended after the state marker', family: 'ipv4', script: 'iptables -w -A PRE_DOCKER -s 198.51.100.0/24 -j RETURN', next: (h) => ['allow', h, '8080'] },
  {
    name: 'the IPv6 host-port drop of 8081 (docker-proxy) deleted',
    family: 'ipv6',
    script: 'ip6tables -w -S PRE_DOCKER_PORTS | grep -F "port tcp/8081" | sed "s/^-A/-D/" | xargs -r ip6tables -w',
    next: (h) => ['block', h],
  },
  {
    name: 'the state marker replaced by a forged one',
    family: 'ipv4',
    script: 'iptables -w -S PRE_DOCKER | grep -F "docker-firewall:v1 state=" | sed "s/^-A/-D/" | xargs -r iptables -w && iptables -w -A PRE_DOCKER -m comment --comment "docker-firewall:v1 state=000000000000"',
    next: (h) => ['block', h],
  },
];

// On h2 only: what it tests is our transaction and our rules, the same on Docker 20.10 and 28 (CI's time, README).
for (const name of ['h2']) {
  describe(`idempotence and drift on ${name}`, { skip }, () => {
    let host: LabHost;
    let direct: LoggedHost;

    before(async () => {
      host = labHost(lab!, name);
      direct = labEngine(lab!, name);
      assert.equal((await cli(['unblock', name])).code, 0);
    });
    after(async () => {
      direct?.close();
      await cli(['unblock', name]);
      writeReport();
    });

    test(`block and allow ${REPEATS} times each: the same rules every time, no transaction after the first`, async () => {
      await measure(lab!, 'idempotence-drift', host, { case: 'repeats', setup: { repeatsPerCommand: REPEATS } }, async (f) => {
        const figures = Object.assign(f, { runs: 0, identical: 0, applySent: 0 });
        for (const [args, change] of [
          [['block', name], changes.block()],
          [['allow', name, '8080'], changes.allow({ port: 8080, proto: 'tcp' })],
        ] as const) {
          const first = await cli(args);
          assert.equal(first.code, 0, first.stderr);
          const reference = await saveAll(name);
          for (let i = 1; i < REPEATS; i++) {
            const report = await direct.engine.apply(change);
            figures.runs++;
            if (report.argv !== undefined) figures.applySent++;
            if ((await saveAll(name)) === reference) figures.identical++;
            assert.equal(report.applied, false);
            assert.equal(report.argv, undefined, 'nothing was sent');
          }
          const last = await cli(args);
          figures.runs++;
          figures.applySent += applyCount(last.commands);
          if ((await saveAll(name)) === reference) figures.identical++;
          assert.equal(last.code, 0, last.stderr);
          assert.match(last.stdout, /nothing changed/);
          assert.equal(applyCount(last.commands), 0, 'the CLI sent no transaction');
        }
        assert.equal(figures.identical, figures.runs, 'a repeat changed the rules');
        assert.equal(figures.applySent, 0);
      });
    });

    test('hand edits inside our chains are reported as drift and repaired by the next apply', async () => {
      await measure(lab!, 'idempotence-drift', host, { case: 'hand edits', setup: { editsPlanned: EDITS.length } }, async (f) => {
        const figures = Object.assign(f, { edits: 0, detected: 0, repaired: 0 });
        const reference = await saveAll(name);
        for (const edit of EDITS) {
          const edited = await onHost(host, ['sh', '-c', edit.script]);
          assert.equal(edited.code, 0, `${edit.name}: ${edited.stderr}`);
          assert.notEqual(await saveAll(name), reference, `${edit.name}: the edit changed nothing`);
          figures.edits++;
          const status = JSON.parse((await cli(['--json', 'status', name])).stdout) as StatusJson;
          if (status.warnings.some((w) => w.code === 'drift-modified') && status.drift[edit.family] === 'modified') figures.detected++;
          assert.ok(status.warnings.some((w) => w.code === 'drift-modified'), `${edit.name}: no drift-modified warning: ${JSON.stringify(status.warnings)}`);
          assert.equal(status.drift[edit.family], 'modified', edit.name);
          const next = await cli(edit.next(name));
          assert.equal(next.code, 0, `${edit.name}: ${next.stderr}`);
          const repairedExactly = (await saveAll(name)) === reference;
          const after = await statusJsonOf(direct);
          const driftLeft = after.warnings.filter((w) => w.code.startsWith('drift'));
          if (repairedExactly && driftLeft.length === 0) figures.repaired++;
          assert.ok(repairedExactly, `${edit.name}: not repaired to the exact rendering`);
          assert.deepEqual(driftLeft, [], edit.name);
        }
      });
    });
  });
}
