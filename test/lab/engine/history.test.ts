import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLabUp, labHost, loadLab, onHost, REPO_ROOT, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson } from '../../support/cli';
import { labEngine } from '../../support/engine';
import { probeBlocked } from '../../support/probes';
import { needsLab } from '../../support/requirements';

/**
 * The history of changes kept on the host (issue 13), through the real CLI from the outside
 * namespace: every change leaves one line, in order, naming the SSH user and the client address
 * the host saw, with policy digests before and after that are the ones status reports. A history
 * that cannot be written (the log folder read-only in the host's mount namespace) leaves the change
 * in force, as connections from outside show, and the CLI warns. h1 only (Docker 20.10): the
 * history is written by the same script on every host.
 */
const skip = needsLab('the history of changes', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const LOG_DIR = '/var/log/docker-firewall';

interface HistoryJson {
  schema: number;
  host: string;
  entries: { time: string; user: string; client: string | null; tool: string; version: string; action: string; allows: { port: number; proto: string; from: string | null }[]; before: string | null; after: string | null }[];
  skipped: number;
}

describe('the history of changes on h1', { skip }, () => {
  let host: LabHost;
  const history = () => dockerFirewallJson<HistoryJson>(['history', 'h1', '--limit', '10000']);
  const digest = async () => (await dockerFirewallJson<{ policyDigest: string | null }>(['status', 'h1'])).policyDigest;
  const change = async (args: string[]) => {
    const result = await dockerFirewall(args);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return result;
  };
  const logFolder = async (mode: 'ro' | 'rw') => {
    const result = await onHost(host, ['mount', '-o', `remount,bind,${mode}`, LOG_DIR]);
    assert.equal(result.code, 0, `remount ${mode}: ${result.stderr}`);
  };

  before(async () => {
    host = labHost(lab!, 'h1');
    await change(['unblock', 'h1']);
  });
  after(async () => {
    await onHost(host, ['mount', '-o', 'remount,bind,rw', LOG_DIR]);
    await dockerFirewall(['unblock', 'h1']);
  });

  test('block, allow, deny, unblock: one line each, in order, user root from the outside address, digests as status reported them', async () => {
    const startedAt = Math.floor(Date.now() / 1000) * 1000;
    const before = (await history()).entries.length;
    const open = await digest();
    assert.equal(open, null, 'an open host has no policy digest');
    await change(['block', 'h1']);
    const blocked = await digest();
    await change(['allow', 'h1', '8080']);
    const allowed = await digest();
    await change(['deny', 'h1', '8080']);
    const denied = await digest();
    await change(['unblock', 'h1']);
    assert.ok(blocked !== null && allowed !== null && blocked !== allowed, `${blocked} ${allowed}`);
    assert.equal(denied, blocked, 'taking the allow back gives the policy of the block again');

    const log = await history();
    assert.equal(log.schema, 2);
    assert.equal(log.skipped, 0);
    const added = log.entries.slice(0, log.entries.length - before).reverse();
    const port8080 = [{ port: 8080, proto: 'tcp', from: null }];
    assert.deepEqual(
      added.map((e) => [e.action, e.allows, e.before, e.after]),
      [
        ['block', [], null, blocked],
        ['allow', port8080, blocked, allowed],
        ['deny', port8080, allowed, denied],
        ['unblock', [], denied, null],
      ],
    );
    for (const e of added) {
      assert.deepEqual([e.user, e.client, e.tool, e.version], ['root', lab!.outside.ipv4, 'cli', VERSION]);
      assert.ok(Date.parse(e.time) >= startedAt && Date.parse(e.time) <= Date.now(), e.time);
    }
    assert.deepEqual(added.map((e) => e.time), [...added.map((e) => e.time)].sort(), 'in time order');

    const human = await dockerFirewall(['history', 'h1', '--limit', '2']);
    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ  root from ${lab!.outside.ipv4.replace(/\./g, '\\.')} +unblock +\\(cli ${VERSION.replace(/\./g, '\\.')}\\) +${denied.slice(0, 6)}→open$`));
    assert.match(lines[1] ?? '', /deny 8080\/tcp from anywhere/);
  });

  test('through sudo (h1-deploy) the line names the login that asked, not root; the read behind Chain Status returns it too', async () => {
    await change(['block', 'h1']);
    await change(['allow', 'h1-deploy', '8081', '--from', lab!.outside.ipv4]);
    const [newest] = (await history()).entries;
    assert.deepEqual([newest?.user, newest?.client, newest?.action, newest?.allows], ['deploy', lab!.outside.ipv4, 'allow', [{ port: 8081, proto: 'tcp', from: `${lab!.outside.ipv4}/32` }]]);
    const engine = labEngine(lab!, 'h1');
    try {
      const reading = await engine.engine.read();
      assert.equal(reading.history?.entries[0]?.user, 'deploy');
      assert.equal(reading.history?.entries[0]?.time, newest?.time);
      assert.ok((reading.history?.entries.length ?? 0) <= 20);
    } finally {
      engine.close();
    }
    await change(['unblock', 'h1']);
  });

  test('persist leaves its own line, the policy unchanged by it (same digest before and after); so does an unblock that only removes saved rules', async () => {
    await change(['block', 'h1']);
    const blocked = await digest();
    await change(['persist', 'h1']);
    const [newest] = (await history()).entries;
    assert.deepEqual([newest?.action, newest?.allows, newest?.before, newest?.after, newest?.user], ['persist', [], blocked, blocked, 'root']);
    // Saved rules left on an open host (as a restore that failed at boot leaves them): the unblock
    // that only removes them is a change too, open before and after.
    const saved = await onHost(host, ['sh', '-c', 'rm -rf /run/dfw-history-saved && cp -a /etc/docker-firewall /run/dfw-history-saved']);
    assert.equal(saved.code, 0, saved.stderr);
    await change(['unblock', 'h1']);
    const back = await onHost(host, ['sh', '-c', 'cp -a /run/dfw-history-saved/. /etc/docker-firewall/ && rm -rf /run/dfw-history-saved']);
    assert.equal(back.code, 0, back.stderr);
    const stale = await dockerFirewallJson<{ locked: boolean; persistence: { state: string } }>(['status', 'h1']);
    assert.deepEqual([stale.locked, stale.persistence.state !== 'none'], [false, true], 'open, with saved rules');
    const count = (await history()).entries.length;
    await change(['unblock', 'h1']);
    const after = await history();
    assert.equal(after.entries.length, count + 1);
    assert.deepEqual([after.entries[0]?.action, after.entries[0]?.before, after.entries[0]?.after], ['unblock', null, null]);
    assert.equal((await dockerFirewallJson<{ persistence: { state: string } }>(['status', 'h1'])).persistence.state, 'none');
  });

  test('a read-only log folder: block and allow still take effect (seen from outside) and the CLI warns; no line is added', async () => {
    const before = (await history()).entries.length;
    await logFolder('ro');
    try {
      const blocked = await change(['block', 'h1']);
      assert.match(blocked.stderr, /^docker-firewall: h1: warning: the change is applied, but its history line could not be written: .*Read-only file system/m);
      assert.equal(await probeBlocked(lab!.outside.ns, host, { port: 8080, family: 'ipv4' }), 'timeout', '8080 is blocked from outside');
      const allowed = await change(['allow', 'h1', '8080']);
      assert.match(allowed.stderr, /warning: the change is applied, but its history line could not be written/);
      assert.equal(await probeBlocked(lab!.outside.ns, host, { port: 8080, family: 'ipv4' }), 'open', '8080 is allowed from outside');
      assert.equal((await dockerFirewallJson<{ locked: boolean }>(['status', 'h1'])).locked, true);
    } finally {
      await logFolder('rw');
    }
    assert.equal((await history()).entries.length, before);
    const unblocked = await change(['unblock', 'h1']);
    assert.doesNotMatch(unblocked.stderr, /warning/);
    assert.equal((await history()).entries.length, before + 1);
  });
});
