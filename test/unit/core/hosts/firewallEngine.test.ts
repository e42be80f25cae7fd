import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInventory } from '../../../../src/core/docker/inventory';
import { ConcurrentChange } from '../../../../src/core/firewall/errors';
import { changes, FirewallEngine } from '../../../../src/core/hosts/firewallEngine';
import { bundleParts } from '../../../../src/core/remote/stdinBundle';
import { isReadCommand } from '../../../../src/core/firewall/readFirewall';
import { answerRead, openHost } from '../../../support/recordedHosts';
import type { CommandRunner, ExecResult } from '../../../../src/core/remote/remoteCommand';
import { DEFAULT_CHAIN } from '../../../../src/core/validate';

/**
 * FirewallEngine over a scripted host: the recorded firewall of a locked Docker 20.10 host (with a rule
 * edited by hand, so that persist must render the policy again before saving it) and its recorded
 * Engine API answers. The runner answers the apply transaction as the test says.
 */
const FIXTURES = join(__dirname, '../../../fixtures/iptables/docker-20');
const read = (file: string) => readFileSync(join(FIXTURES, file), 'utf8');
const json = (name: string): unknown => JSON.parse(read(`locked-${name}.json`));
const inventory = buildInventory({ containers: json('containers'), version: json('version'), info: json('info'), networks: json('networks') });
const drifted = read('locked-report.txt').replace(/--ctorigdstport 8080 /, '--ctorigdstport 8090 ');

type Step = 'read' | 'apply' | 'persist';

/** What the host ran, in order, and an apply answered by `answerApply` (attempt 1, 2, …). */
function scriptedHost(answerApply: (attempt: number, ipv4Payload: string) => ExecResult): { host: FirewallEngine; steps: Step[] } {
  const steps: Step[] = [];
  let applies = 0;
  const runner: CommandRunner = {
    exec: (argv, options) => {
      if (isReadCommand(argv)) {
        steps.push('read');
        return Promise.resolve({ stdout: answerRead(drifted, argv), stderr: '', code: 0 });
      }
      if (argv[3] === 'docker-firewall-apply') {
        steps.push('apply');
        return Promise.resolve(answerApply(++applies, bundleParts(options?.stdin ?? '')[0] ?? ''));
      }
      if (argv[2]?.includes('/etc/docker-firewall') === true) {
        steps.push('persist');
        return Promise.resolve({ stdout: '### firewalld absent\n### systemd\n', stderr: '', code: 0 });
      }
      throw new Error(`unexpected command ${argv.join(' ')}`);
    },
  };
  return { host: new FirewallEngine(runner, () => Promise.resolve(inventory), DEFAULT_CHAIN), steps };
}

const applied: ExecResult = { stdout: '### applied\n', stderr: '', code: 0 };

/** What iptables-nft-restore prints when another client deleted our chain after it read the tables (recorded). */
function chainVanished(ipv4Payload: string): ExecResult {
  const commitLine = ipv4Payload.split('\n').indexOf('COMMIT') + 1;
  return {
    stdout: '',
    stderr: `iptables-nft-restore v1.8.9 (nf_tables): Chain 'PRE_DOCKER' does not exist\nError occurred at line: ${commitLine}\n### failed ipv4\n`,
    code: 3,
  };
}

test('persist: a re-apply refused by a concurrent change is planned again on a fresh read before anything is saved', async () => {
  const { host, steps } = scriptedHost((attempt, payload) => (attempt === 1 ? chainVanished(payload) : applied));
  const result = await host.persist();
  assert.deepEqual(result.outcome, { kind: 'saved', bootRestore: 'systemd', firewalld: 'absent' });
  assert.equal(result.retries, 1);
  assert.deepEqual(steps, ['read', 'apply', 'read', 'apply', 'persist']);
});

test('persist: a host that keeps changing is ConcurrentChange, and nothing is saved', async () => {
  const { host, steps } = scriptedHost((_attempt, payload) => chainVanished(payload));
  await assert.rejects(host.persist(), (error: unknown) => {
    assert.ok(error instanceof ConcurrentChange);
    assert.match(error.message, /kept changing while this change was applied/);
    return true;
  });
  assert.ok(!steps.includes('persist'), `saved after a refused re-apply: ${steps.join(', ')}`);
});

test('unblock on a host that reads open but still has saved rules removes them (else the next boot locks it again)', async () => {
  const host = openHost('28');
  const report = readFileSync(join(__dirname, '../../../fixtures/docker/docker-28/report.txt'), 'utf8');
  const persisted = report.replace(/(### [0-9a-f]+ persistence\n)/, '$1digest filter:PRE_DOCKER:x\nsystemd enabled\n');
  assert.notEqual(persisted, report, 'the recording has a persistence section (positive control)');
  const sent: string[] = [];
  const runner = (answer: string): CommandRunner => ({
    exec: (argv) => {
      if (isReadCommand(argv)) return Promise.resolve({ stdout: answerRead(answer, argv), stderr: '', code: 0 });
      sent.push(argv[2] ?? '');
      return Promise.resolve({ stdout: '### removed\n', stderr: '', code: 0 });
    },
  });
  const engine = new FirewallEngine(runner(persisted), () => Promise.resolve(host.reading.inventory), DEFAULT_CHAIN);
  const result = await engine.apply(changes.unblock());
  assert.equal(result.applied, true);
  assert.equal(sent.length, 1);
  assert.match(sent[0]!, /find \/etc\/docker-firewall -mindepth 1 -delete/);
  // Without saved rules, an open host's unblock sends nothing.
  sent.length = 0;
  const clean = await new FirewallEngine(runner(report), () => Promise.resolve(host.reading.inventory), DEFAULT_CHAIN).apply(changes.unblock());
  assert.equal(clean.applied, false);
  assert.deepEqual(sent, []);
});
