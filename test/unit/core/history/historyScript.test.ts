import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCommand } from '../../../../src/core/firewall/applyCommand';
import { HISTORY_KEEP, historyLineTail, type ToolId } from '../../../../src/core/history/historyLine';
import { historyReadCommand } from '../../../../src/core/history/historyScript';
import { parseHistory } from '../../../../src/core/history/parseHistory';
import type { RemoteCommand } from '../../../../src/core/remote/remoteCommand';

/**
 * The history line as the apply script writes it, run for real: as root, in a private mount
 * namespace whose /var/log is a throw-away folder. No payload is given, so no iptables runs: the
 * script goes straight to "### applied" and then to the history, as it does once the rules are in.
 */
const CLI: ToolId = { name: 'cli', version: '0.2.0' };
const tail = historyLineTail({ action: 'allow', allows: [{ port: 443, proto: 'tcp' }] }, CLI, 'a1b2c3d4e5f6', 'd4e5f6a1b2c3');
const command = applyCommand('nft', {}, { kind: 'keep' }, tail);
const root = process.getuid?.() === 0;
const SSH = '203.0.113.11 50022 192.0.2.1 22';

describe('the history line of the apply script', { skip: root ? false : 'needs root for a private mount namespace' }, () => {
  let sandbox: string;
  const log = () => join(sandbox, 'log');
  const dir = () => join(log(), 'docker-firewall');
  const file = () => join(dir(), 'changes.jsonl');

  /** Runs a command's argv with the sandbox over /var/log, after `prepare` (shell run in the same namespace). */
  const run = <T>(cmd: RemoteCommand<T>, options: { env?: Record<string, string>; prepare?: string } = {}) => {
    const setup = `mount --bind ${log()} /var/log && ${options.prepare ?? 'true'}`;
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env };
    const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${setup} && exec "$@"`, 'setup', ...cmd.argv], {
      encoding: 'utf8',
      input: cmd.stdin ?? '',
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout: result.stdout, stderr: result.stderr, code: result.status };
  };

  before(() => {
    sandbox = mkdtempSync(join(tmpdir(), 'dfw-history-'));
  });
  beforeEach(() => {
    rmSync(log(), { recursive: true, force: true });
    mkdirSync(log());
  });
  after(() => rmSync(sandbox, { recursive: true, force: true }));

  test('writes one line with the host’s time, the sudo user and the SSH client, in a 0700 folder and a 0600 file', () => {
    const startedAt = Date.now();
    const result = run(command, { env: { SUDO_USER: 'ops', SSH_CONNECTION: SSH } });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(command.parse(result), { kind: 'applied', watcher: 'kept', history: { kind: 'written' } });
    const parsed = parseHistory(readFileSync(file(), 'utf8'));
    assert.equal(parsed.skipped, 0);
    assert.equal(parsed.entries.length, 1);
    const [entry] = parsed.entries;
    assert.equal(entry?.user, 'ops');
    assert.equal(entry?.client, '203.0.113.11');
    assert.deepEqual([entry?.action, entry?.before, entry?.after, entry?.tool], ['allow', 'a1b2c3d4e5f6', 'd4e5f6a1b2c3', CLI]);
    const written = Date.parse(entry?.time ?? '');
    assert.ok(written >= Math.floor(startedAt / 1000) * 1000 && written <= Date.now(), `${entry?.time} is the time of the run`);
    assert.equal((statSync(dir()).mode & 0o777).toString(8), '700');
    assert.equal((statSync(file()).mode & 0o777).toString(8), '600');
  });

  test('without sudo the user is who the script runs as; without SSH_CONNECTION the client is left empty', () => {
    const result = run(command);
    assert.equal(result.code, 0, result.stderr);
    const [entry] = parseHistory(readFileSync(file(), 'utf8')).entries;
    assert.equal(entry?.user, 'root');
    assert.equal(entry?.client, undefined);
  });

  test('a user name the host could not put in JSON safely is written as "?"', () => {
    const result = run(command, { env: { SUDO_USER: 'ops","user":"root' } });
    assert.equal(result.code, 0, result.stderr);
    const parsed = parseHistory(readFileSync(file(), 'utf8'));
    assert.equal(parsed.entries[0]?.user, '?');
  });

  test('a read-only log folder: the change still counts as applied (exit 0), and the failure is reported with its reason', () => {
    const result = run(command, { prepare: `mkdir -p /var/log/docker-firewall && mount -o remount,ro,bind /var/log`, env: { SSH_CONNECTION: SSH } });
    assert.equal(result.code, 0, result.stderr);
    const outcome = command.parse(result);
    assert.equal(outcome.kind, 'applied');
    assert.ok(outcome.kind === 'applied' && outcome.history?.kind === 'failed', result.stdout);
    assert.match(outcome.history.reason, /Read-only file system/);
  });

  test('a link planted at the file is refused, not followed', () => {
    mkdirSync(dir(), { mode: 0o700 });
    const target = join(sandbox, 'elsewhere');
    writeFileSync(target, 'untouched\n');
    symlinkSync(target, file());
    const outcome = command.parse(run(command));
    assert.ok(outcome.kind === 'applied' && outcome.history?.kind === 'failed');
    assert.match(outcome.history.reason, /symbolic link/);
    assert.equal(readFileSync(target, 'utf8'), 'untouched\n');
    assert.ok(lstatSync(file()).isSymbolicLink());
  });

  test('past its size, the file is cut to the newest 10,000 lines, the new one last', () => {
    mkdirSync(dir(), { mode: 0o700 });
    const old = Array.from({ length: HISTORY_KEEP + 500 }, (_, i) => `{"old":${i},"pad":"${'x'.repeat(120)}"}`);
    writeFileSync(file(), `${old.join('\n')}\n`, { mode: 0o600 });
    const result = run(command, { env: { SSH_CONNECTION: SSH } });
    assert.equal(result.code, 0, result.stderr);
    const lines = readFileSync(file(), 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(lines.length, HISTORY_KEEP);
    assert.equal(lines[0], old[501], 'the oldest kept is the 502nd of before');
    assert.equal(parseHistory(lines.at(-1) ?? '').entries[0]?.client, '203.0.113.11');
    assert.equal((statSync(file()).mode & 0o777).toString(8), '600');
  });

  test('a small file is never cut, however many lines it has past the limit (counting them costs a read)', () => {
    mkdirSync(dir(), { mode: 0o700 });
    writeFileSync(file(), 'x\n'.repeat(HISTORY_KEEP + 10), { mode: 0o600 });
    assert.equal(run(command).code, 0);
    assert.equal(readFileSync(file(), 'utf8').split('\n').length - 1, HISTORY_KEEP + 11);
  });

  test('history HOST reads the newest lines, newest first, and never a partial line from a cut', () => {
    mkdirSync(dir(), { mode: 0o700 });
    const line = (i: number) => `{"time":"2026-12-05T04:31:${String(i).padStart(2, '0')}Z","user":"ops","client":"",${tail}`;
    writeFileSync(file(), `${[1, 2, 3, 4, 5, 6].map(line).join('\n')}\n`);
    const read = historyReadCommand(4);
    const log = read.parse(run(read));
    assert.deepEqual(log.entries.map((e) => e.time.slice(-3)), ['06Z', '05Z', '04Z', '03Z']);
    assert.equal(log.skipped, 0);
    // A 5 MiB line: only the file's last 4 MiB are read, and the cut line is dropped, not counted.
    writeFileSync(file(), `${line(1)}\n{"huge":"${'x'.repeat(5 * 1024 * 1024)}"}\n${line(2)}\n`);
    const result = run(read);
    assert.ok(result.stdout.length <= 4 * 1024 * 1024 + 16, `read ${result.stdout.length} characters`);
    assert.deepEqual(read.parse(result), { entries: parseHistory(line(2)).entries, skipped: 0 });
  });

  test('history HOST on a host without a history: no entries', () => {
    const read = historyReadCommand(20);
    assert.deepEqual(read.parse(run(read)), { entries: [], skipped: 0 });
  });
});
