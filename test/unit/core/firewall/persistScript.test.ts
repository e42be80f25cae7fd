import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_DROP_IN, PERSIST_DIR, persistCommand, RESTORE_SCRIPT, UNIT_PATH } from '../../../../src/core/firewall/persistence';
import { EMPTY_LAYOUT, renderLayout } from '../../../../src/core/firewall/layout';
import { PersistFailed } from '../../../../src/core/firewall/errors';
import { DEFAULT_CHAIN } from '../../../../src/core/validate';

/**
 * The persistence script itself, run as root in a private mount namespace whose /etc/docker-firewall,
 * /usr/local/sbin, /etc/systemd/system and /run/systemd are throw-away folders: every write stops the
 * script when it fails (and then no state digest claims the host is persistent), links planted at the
 * files are replaced rather than followed, and the script says whether systemd restores the lockdown.
 */
const policy = { locked: true, allows: [{ port: 8080, proto: 'tcp' as const }] };
const context = { chain: DEFAULT_CHAIN, dockerUser: true, bridges: ['docker0'], sshPort: 22, hostPorts: [{ port: 8080, proto: 'tcp' as const }] };
const command = persistCommand('nft', DEFAULT_CHAIN, renderLayout('ipv4', policy, context), renderLayout('ipv6', policy, context));
const STATE = `${PERSIST_DIR}/state`;

const root = process.getuid?.() === 0;

describe('the persistence script', { skip: root ? false : 'needs root for a private mount namespace' }, () => {
  let sandbox: string;
  /** The sandbox folder that stands for a path of the host. */
  const at = (path: string) => join(sandbox, 'fs', path);
  const targets = [PERSIST_DIR, '/usr/local/sbin', '/etc/systemd/system', '/run/systemd'];

  /**
   * Runs the script with each target folder bind-mounted from the sandbox, after `prepare` (a shell
   * snippet run in the same namespace: a read-only mount, say).
   */
  const run = (options: { systemd: boolean; prepare?: string; stdin?: string; argv?: readonly string[]; firewalld?: 'installed' | 'no-monitor' }) => {
    // firewalld (and dbus-monitor) as this machine has them are hidden; a fake of each stands in where asked.
    const hide = (path: string) => `{ [ ! -e ${path} ] || mount --bind /dev/null ${path}; }`;
    const fakes = `rm -f ${join(sandbox, 'bin', 'firewalld')} ${join(sandbox, 'bin', 'dbus-monitor')}`;
    const firewalld =
      options.firewalld === undefined
        ? fakes
        : `${fakes} && printf '#!/bin/sh\\n' >${join(sandbox, 'bin', 'firewalld')} && chmod 755 ${join(sandbox, 'bin', 'firewalld')}` +
          (options.firewalld === 'installed' ? ` && cp ${join(sandbox, 'bin', 'firewalld')} ${join(sandbox, 'bin', 'dbus-monitor')}` : '');
    const binds = [...targets.map((t) => `mkdir -p ${t} && mount --bind ${at(t)} ${t}`), hide('/usr/sbin/firewalld'), hide('/usr/bin/firewalld'), hide('/usr/bin/dbus-monitor'), firewalld].join(' && ');
    // A fake systemctl records its calls; systemd is "running" when /run/systemd/system exists.
    const fakeBin = join(sandbox, 'bin');
    const setup = `${binds} && ${options.systemd ? 'mkdir -p /run/systemd/system' : 'rm -rf /run/systemd/system'} && ${options.prepare ?? 'true'}`;
    // The files come on stdin, as the bundle the command line names.
    const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${setup} && exec "$@"`, 'setup', ...(options.argv ?? command.argv)], {
      encoding: 'utf8',
      input: options.stdin ?? command.stdin,
      env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH ?? ''}` },
    });
    return { stdout: result.stdout, stderr: result.stderr, code: result.status };
  };

  before(() => {
    sandbox = mkdtempSync(join(tmpdir(), 'dfw-persist-'));
    for (const t of targets) mkdirSync(at(t), { recursive: true });
    mkdirSync(join(sandbox, 'bin'));
    // It says firewalld is enabled (a host of the RHEL family as installed); only asked where firewalld is installed.
    writeFileSync(join(sandbox, 'bin', 'systemctl'), `#!/bin/sh\necho "$*" >> ${join(sandbox, 'systemctl.log')}\n[ "$1" != is-enabled ] || echo enabled\n`, { mode: 0o755 });
  });
  after(() => rmSync(sandbox, { recursive: true, force: true }));

  test('with systemd: every file as the command lists it, the unit enabled, the state last, and "### systemd"', () => {
    const result = run({ systemd: true });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(command.parse(result), { kind: 'saved', bootRestore: 'systemd', firewalld: 'absent' });
    for (const file of command.files) {
      assert.equal(readFileSync(at(file.path), 'utf8'), file.content, file.path);
      assert.equal((lstatSync(at(file.path)).mode & 0o777).toString(8), file.mode.slice(1), `${file.path} mode`);
    }
    assert.equal(command.files.at(-1)?.path, STATE, 'the state digest is written last');
    assert.deepEqual(readFileSync(join(sandbox, 'systemctl.log'), 'utf8').trim().split('\n'), ['daemon-reload', 'enable docker-firewall.service']);
  });

  test('without systemd: the rules and restore script are saved, no unit, and "### no-systemd"', () => {
    rmSync(at(UNIT_PATH), { force: true });
    rmSync(at(DOCKER_DROP_IN), { force: true });
    const result = run({ systemd: false });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(command.parse(result), { kind: 'saved', bootRestore: 'none', firewalld: 'absent' });
    assert.ok(existsSync(at(RESTORE_SCRIPT)));
    assert.ok(!existsSync(at(UNIT_PATH)), 'no unit is written without systemd');
  });

  test('firewalld installed and enabled, with systemd: the follower of its reloads is written, enabled and (re)started after the state', () => {
    rmSync(join(sandbox, 'systemctl.log'), { force: true });
    const result = run({ systemd: true, firewalld: 'installed' });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(command.parse(result), { kind: 'saved', bootRestore: 'systemd', firewalld: 'systemd' });
    for (const file of command.firewalldFiles) {
      assert.equal(readFileSync(at(file.path), 'utf8'), file.content, file.path);
      assert.equal((lstatSync(at(file.path)).mode & 0o777).toString(8), file.mode.slice(1), `${file.path} mode`);
    }
    assert.deepEqual(readFileSync(join(sandbox, 'systemctl.log'), 'utf8').trim().split('\n'), [
      'daemon-reload',
      'enable docker-firewall.service',
      'is-enabled firewalld.service',
      'daemon-reload',
      'enable docker-firewall-firewalld.service',
      'restart docker-firewall-firewalld.service',
    ]);
  });

  test('firewalld installed but not in use (no table of its own, no systemd to start it): no follower', () => {
    for (const file of command.firewalldFiles) rmSync(at(file.path), { force: true });
    const result = run({ systemd: false, firewalld: 'installed' });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(command.parse(result), { kind: 'saved', bootRestore: 'none', firewalld: 'absent' });
    assert.ok(command.firewalldFiles.every((file) => !existsSync(at(file.path))));
  });

  test('firewalld installed but no dbus-monitor: the lockdown is saved, no follower is written, and the outcome says why', () => {
    for (const file of command.firewalldFiles) rmSync(at(file.path), { force: true });
    const result = run({ systemd: true, firewalld: 'no-monitor' });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(command.parse(result), { kind: 'saved', bootRestore: 'systemd', firewalld: 'no-monitor' });
    assert.ok(command.firewalldFiles.every((file) => !existsSync(at(file.path))));
    assert.ok(existsSync(at(STATE)));
  });

  test('a write that fails stops the script: no state digest is written and the command reports PersistFailed', () => {
    rmSync(at(STATE), { force: true });
    // /usr/local/sbin read-only: the restore script cannot be written (rules.v4 and rules.v6 can).
    const result = run({ systemd: true, prepare: 'mount -o remount,bind,ro /usr/local/sbin' });
    assert.notEqual(result.code, 0);
    assert.doesNotMatch(result.stdout, /###/);
    assert.throws(() => command.parse(result), PersistFailed);
    assert.ok(!existsSync(at(STATE)), 'a state digest would say "persistent, current" with the restore script missing');
  });

  test('files that arrive cut short (a dropped connection) write nothing: the digest on the command line does not match', () => {
    const sandboxFiles = () => targets.flatMap((t) => readdirSync(at(t)).map((f) => `${t}/${f}`)).sort();
    rmSync(at(STATE), { force: true });
    const before = sandboxFiles();
    const result = run({ systemd: true, stdin: command.stdin!.slice(0, Math.floor(command.stdin!.length / 2)) });
    assert.equal(result.code, 70);
    assert.throws(() => command.parse(result), (error: unknown) => error instanceof PersistFailed && /did not reach the host whole.*nothing was written/.test(error.message));
    assert.deepEqual(sandboxFiles(), before, 'nothing was written or removed');
    // Positive control: the same run with the whole input writes the state.
    assert.equal(run({ systemd: true }).code, 0);
    assert.ok(existsSync(at(STATE)));
  });

  test('links planted at a file are replaced, never followed', () => {
    const victim = join(sandbox, 'victim');
    writeFileSync(victim, 'untouched\n');
    rmSync(at(`${PERSIST_DIR}/rules.v4`), { force: true });
    symlinkSync(victim, at(`${PERSIST_DIR}/rules.v4`));
    // The old script's temporary name, planted too.
    symlinkSync(victim, at(`${PERSIST_DIR}/rules.v4.tmp`));
    const result = run({ systemd: true });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(victim, 'utf8'), 'untouched\n');
    assert.ok(!lstatSync(at(`${PERSIST_DIR}/rules.v4`)).isSymbolicLink(), 'rules.v4 is a file of its own now');
    assert.equal(readlinkSync(at(`${PERSIST_DIR}/rules.v4.tmp`)), victim, 'the planted link was left alone, not written through');
  });

  test('removing the persistence empties /etc/docker-firewall even where it is a mount point (rm -rf would fail as busy)', () => {
    assert.equal(run({ systemd: true }).code, 0);
    assert.ok(existsSync(at(STATE)), 'positive control: the state was written');
    const removal = persistCommand('nft', DEFAULT_CHAIN, EMPTY_LAYOUT, EMPTY_LAYOUT);
    const result = run({ systemd: true, argv: removal.argv, stdin: '' });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(removal.parse(result), { kind: 'removed' });
    assert.deepEqual(readdirSync(at(PERSIST_DIR)), [], 'saved rules and state are gone');
    assert.ok(!existsSync(at(RESTORE_SCRIPT)) && !existsSync(at(UNIT_PATH)), 'restore script and unit are gone');
  });
});
