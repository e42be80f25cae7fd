import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isLabUp, labHost, loadLab, onHost, type Lab, type LabHost } from '../support/lab';
import { normalizeSave, saveAll } from '../support/cli';
import { cli, composedLabHost, statusJsonOf, type StatusJson } from '../support/engine';
import { measure } from '../support/figures';
import { needsLab } from '../support/requirements';
import { sleep } from '../support/faults';
import { changes } from '../../src/core/hosts/firewallEngine';
import { applyCommand } from '../../src/core/firewall/applyCommand';
import { run } from '../../src/core/remote/remoteCommand';
import { writeReport } from '../../scripts/reliability-report';

/**
 * Both families go in one apply command, IPv4 first; should IPv6 then be refused, IPv4 is rolled
 * back (src/core/firewall/applyCommand.ts). On the lab hosts, for real: between the engine's read and
 * its apply another client creates one of our IPv6 chains, so the IPv6 transaction is refused after
 * the IPv4 one went through. xtables-monitor on the host shows IPv4 applied and taken back; the
 * host's tables show IPv4 as before and IPv6 as the other client left it; the apply reports a
 * conflict naming IPv6; and the engine's own apply, from the same stale reading, reads again and
 * ends in the exact lockdown.
 */
const skip = needsLab('IPv6 refused after IPv4 was applied', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

/** xtables-monitor -e on a host (nf_tables events as iptables commands), until stop(). */
function monitor(host: LabHost): { stop(): Promise<string[]> } {
  const pid = readFileSync(host.holderPidFile, 'utf8').trim();
  const child = spawn('nsenter', ['--target', pid, '--mount', '--uts', '--net', '--', 'env', `PATH=${host.path}`, 'stdbuf', '-oL', 'xtables-monitor', '-e'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  return {
    async stop() {
      await sleep(300); // the last events are flushed
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('close', resolve)));
      return out.split('\n').filter((l) => l.includes('EVENT:')).map((l) => l.replace(/^\s*EVENT:\s*/, ''));
    },
  };
}

for (const name of ['h1', 'h2']) {
  describe(`IPv6 refused after IPv4 was applied, on ${name}`, { skip }, () => {
    let host: LabHost;
    let locked: string;

    before(async () => {
      host = labHost(lab!, name);
      // The exact lockdown, as a clean block renders it, to compare the end state with.
      assert.equal((await cli(['block', name])).code, 0);
      locked = await saveAll(name);
      assert.equal((await cli(['unblock', name])).code, 0);
    });
    after(async () => {
      await onHost(host, ['ip6tables', '-w', '-X', 'PRE_DOCKER_INPUT']);
      await cli(['unblock', name]);
      writeReport();
    });

    test('IPv4 is rolled back, IPv6 left as the other client made it, a conflict reported; the engine reads again and locks exactly', async () => {
      await measure(lab!, 'ipv6-rollback', host, { case: 'block, an IPv6 chain made by another client between read and apply' }, async (f) => {
        const save = async (bin: 'iptables-save' | 'ip6tables-save') => normalizeSave((await onHost(host, [bin])).stdout).join('\n');
        const ipv4Before = await save('iptables-save');
        const composed = await composedLabHost(lab!, name);
        try {
          const reading = await composed.host.read();
          const plan = composed.host.plan(reading, changes.block());
          assert.ok(plan.payloads.ipv4 !== undefined && plan.payloads.ipv6 !== undefined, 'both families have something to apply');
          // The other client: one of our IPv6 chains, made after our read.
          const made = await onHost(host, ['ip6tables', '-w', '-N', 'PRE_DOCKER_INPUT']);
          assert.equal(made.code, 0, made.stderr);
          const ipv6Before = await save('ip6tables-save');

          const events = monitor(host);
          await sleep(300); // the monitor is listening
          const outcome = await run(composed.runner, applyCommand(reading.tables.variant, plan.payloads));
          const seen = await events.stop();
          f.outcome = outcome.kind;
          f.detail = outcome.kind === 'conflict' ? outcome.detail.split('\n').filter((l) => !l.startsWith('###')).join(' ') : '';
          f.ipv4Events = seen.filter((e) => e.startsWith('-4 ')).length;
          f.ipv4Applied = seen.some((e) => /^-4 -t filter -N PRE_DOCKER$/.test(e));
          f.ipv4TakenBack = seen.some((e) => /^-4 -t filter -X PRE_DOCKER$/.test(e));
          f.ipv6Events = seen.filter((e) => e.startsWith('-6 ')).length;
          f.ipv4RolledBack = (await save('iptables-save')) === ipv4Before;
          f.ipv6Untouched = (await save('ip6tables-save')) === ipv6Before;
          assert.equal(outcome.kind, 'conflict', 'a refused IPv6 transaction is a conflict to retry');
          assert.match(outcome.kind === 'conflict' ? outcome.detail : '', /### failed ipv6/);
          assert.equal(f.ipv4Applied, true, `xtables-monitor saw no IPv4 apply: ${seen.join(' | ')}`);
          assert.equal(f.ipv4TakenBack, true, `xtables-monitor saw no IPv4 rollback: ${seen.join(' | ')}`);
          assert.equal(f.ipv6Events, 0, `our refused IPv6 transaction changed something: ${seen.join(' | ')}`);
          assert.equal(f.ipv4RolledBack, true, 'IPv4 is not exactly as before');
          assert.equal(f.ipv6Untouched, true, 'IPv6 is not as the other client left it');

          // The engine's own apply, planned from the same stale reading.
          const report = await composed.host.apply(changes.block(), { reading });
          f.engineApplied = report.applied;
          f.engineRetries = report.retries;
          assert.equal(report.applied, true);
          assert.ok(report.retries >= 1, 'the stale reading was refused and read again');
          const status: StatusJson = await statusJsonOf({ label: name, engine: composed.host, events: () => Promise.reject(new Error('no events here')), stats: () => undefined, throughJump: () => undefined, close: () => undefined });
          f.warnings = status.warnings.map((w) => w.code).join(' ') || 'none';
          f.exactLockdown = (await saveAll(name)) === locked;
          assert.equal(status.locked, true);
          assert.equal(f.exactLockdown, true, 'the end state is not the exact lockdown');
        } finally {
          composed.close();
        }
      });
    });
  });
}
