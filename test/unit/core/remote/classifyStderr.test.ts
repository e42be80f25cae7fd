import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyStderr, errorFromFailedCommand } from '../../../../src/core/remote/classifyStderr';
import {
  CommandNotFound,
  DockerFirewallError,
  DockerUnavailable,
  HostKeyMismatch,
  IptablesMissing,
  PermissionDenied,
  RemoteCommandFailed,
  SudoPasswordIncorrect,
  SudoPasswordRequired,
} from '../../../../src/core/errors';

const recorded = (name: string): string => readFileSync(join(__dirname, '../../../fixtures/ssh/stderr', name), 'utf8');
const context = { host: 'h1', user: 'deploy', command: ['iptables-save'] };

test('sudo -n asking for a password becomes SudoPasswordRequired, which is a PermissionDenied', () => {
  const error = classifyStderr(recorded('sudo-n-password-required.txt'), context);
  assert.ok(error instanceof SudoPasswordRequired);
  assert.ok(error instanceof PermissionDenied);
  assert.equal(error.code, 'SudoPasswordRequired');
  assert.equal(error.stderrLine, 'sudo: a password is required');
  assert.match(error.message, /enter the sudo password when asked \(it then goes through `sudo -S`\), or log in as root, or allow it in sudoers: "deploy ALL=\(root\) NOPASSWD: \/bin\/sh, \/usr\/bin\/docker"/);
  assert.match(error.message, /\(sudo: a password is required\)$/);
});

test('a refusal says exactly what Docker Firewall runs as root: the firewall script through sh, dial-stdio through docker, else both', () => {
  const line = 'deploy is not in the sudoers file.  This incident will be reported.';
  const firewall = classifyStderr(line, { ...context, command: ['sh', '-c', 'iptables-save'] });
  assert.ok(firewall instanceof PermissionDenied);
  assert.equal(
    firewall.message,
    'deploy on h1 may not run as root what Docker Firewall runs: `sudo -n -- sh -c SCRIPT` (the firewall script, with iptables-save and iptables-restore inside). ' +
      'To fix, log in as root, or allow it in sudoers: "deploy ALL=(root) NOPASSWD: /bin/sh, /usr/bin/docker" (see "Root on the host" in the README). ' +
      `(${line})`,
  );
  const docker = classifyStderr('sudo: a password is required', { ...context, command: ['docker', '-H', 'unix:///var/run/docker.sock', 'system', 'dial-stdio'] });
  assert.ok(docker instanceof SudoPasswordRequired);
  assert.match(docker.message, /^sudo on h1 asks for deploy's password to run `sudo -n -- docker -H unix:\/\/SOCKET system dial-stdio` \(to reach Docker outside the docker group\), and none was given/);
  assert.doesNotMatch(docker.message, /sh -c/);
  const unknown = classifyStderr(line, { host: 'h1', user: 'deploy' });
  assert.match(unknown?.message ?? '', /`sudo -n -- sh -c SCRIPT` .* and `sudo -n -- docker -H unix:\/\/SOCKET system dial-stdio`/);
  // Never the old advice, which named iptables alone.
  for (const error of [firewall, docker, unknown]) assert.doesNotMatch(error?.message ?? '', /passwordless sudo for iptables/);
});

test('sudo without -n on an exec channel ("a terminal is required") is also a password problem', () => {
  const error = classifyStderr(recorded('sudo-no-terminal.txt'), context);
  assert.ok(error instanceof SudoPasswordRequired);
  assert.match(error.stderrLine, /^sudo: a terminal is required/);
});

test('a refused sudo password is SudoPasswordIncorrect, with the attempts line kept', () => {
  for (const file of ['sudo-S-wrong-password.txt', 'sudo-S-wrong-password-3.txt']) {
    const error = classifyStderr(recorded(file), context);
    assert.ok(error instanceof SudoPasswordIncorrect, file);
    assert.match(error.stderrLine, /incorrect password attempt/);
  }
});

test('sudo saying the user may not run the command is PermissionDenied (texts from sudo 1.9)', () => {
  for (const line of [
    'nosudo is not in the sudoers file.  This incident will be reported.',
    "Sorry, user nosudo is not allowed to execute '/usr/sbin/iptables-save' as root on h1.",
    'Sorry, user nosudo may not run sudo on h1.',
  ]) {
    const error = classifyStderr(`sudo: unable to resolve host h1\n${line}\n`, { ...context, user: 'nosudo' });
    assert.ok(error instanceof PermissionDenied && !(error instanceof SudoPasswordRequired), line);
    assert.equal(error.stderrLine, line);
    assert.match(error.message, /^nosudo on h1 may not run as root what Docker Firewall runs: .*"nosudo ALL=\(root\) NOPASSWD: \/bin\/sh, \/usr\/bin\/docker"/);
  }
});

test('iptables run without root is PermissionDenied, for both the nf_tables and the legacy variant', () => {
  const nft = classifyStderr(recorded('iptables-nft-not-root.txt'), context);
  assert.ok(nft instanceof PermissionDenied);
  assert.match(nft.message, /Permission denied \(you must be root\)/);
  const legacy = classifyStderr(recorded('iptables-legacy-not-root.txt'), context);
  assert.ok(legacy instanceof PermissionDenied);
  assert.match(legacy.message, /can't open lock file/);
});

test('a missing iptables binary is IptablesMissing, from bash and from sudo', () => {
  const fromBash = classifyStderr(recorded('bash-iptables-restore-not-found.txt'), context);
  assert.ok(fromBash instanceof IptablesMissing);
  assert.equal(fromBash.command, 'iptables-restore');
  const fromSudo = classifyStderr('sudo: ip6tables-legacy-save: command not found\n', context);
  assert.ok(fromSudo instanceof IptablesMissing);
  assert.equal(fromSudo.command, 'ip6tables-legacy-save');
});

test('another missing command is CommandNotFound naming it, in the wording of bash, dash and sudo', () => {
  for (const file of ['bash-command-not-found.txt', 'sh-not-found.txt']) {
    const error = classifyStderr(recorded(file), context);
    assert.ok(error instanceof CommandNotFound, file);
    assert.equal(error.command, 'nosuchcmd');
  }
  const viaSudo = classifyStderr(recorded('sudo-command-not-found.txt'), context);
  assert.ok(viaSudo instanceof CommandNotFound);
  assert.equal(viaSudo.command, 'iptables-nosuch');
});

test('sudo itself missing is PermissionDenied that says to install sudo or run as root', () => {
  const error = classifyStderr(recorded('sudo-missing.txt'), context);
  assert.ok(error instanceof PermissionDenied);
  assert.match(error.message, /^sudo is not installed on h1, and Docker Firewall runs .* To fix, log in as root, or install sudo and allow it in sudoers: "deploy ALL=\(root\) NOPASSWD: \/bin\/sh, \/usr\/bin\/docker"\./);
});

test('no rights on the Docker socket is DockerUnavailable telling to add the user to the docker group', () => {
  for (const file of ['docker-cli-socket-denied.txt', 'dial-stdio-socket-denied.txt']) {
    const error = classifyStderr(recorded(file), { host: 'h1', user: 'sudopw' });
    assert.ok(error instanceof DockerUnavailable, file);
    assert.equal(error.reason, 'permission-denied');
    assert.match(error.message, /add sudopw to the docker group/);
  }
});

test('no daemon behind the socket, or no docker CLI, are DockerUnavailable with their own reason', () => {
  for (const file of ['docker-cli-no-daemon.txt', 'dial-stdio-no-socket.txt']) {
    const error = classifyStderr(recorded(file), context);
    assert.ok(error instanceof DockerUnavailable, file);
    assert.equal(error.reason, 'not-running');
  }
  const missing = classifyStderr(recorded('docker-cli-missing.txt'), context);
  assert.ok(missing instanceof DockerUnavailable);
  assert.equal(missing.reason, 'cli-missing');
});

test('unknown stderr is not classified, and errorFromFailedCommand falls back to RemoteCommandFailed with the last line', () => {
  const stderr = 'iptables-restore: line 3 failed\n';
  assert.equal(classifyStderr(stderr, context), undefined);
  assert.equal(classifyStderr('', context), undefined);
  const error = errorFromFailedCommand(stderr, 1, context);
  assert.ok(error instanceof RemoteCommandFailed);
  assert.equal(error.message, 'iptables-save on h1 exited with status 1: iptables-restore: line 3 failed');
});

test('sudo noise next to an unknown failure does not make it a sudo error', () => {
  assert.equal(classifyStderr('sudo: unable to resolve host dfw-h1: Temporary failure in name resolution\nsomething else\n', context), undefined);
});

test('every error has a stable code equal to its class name and is a DockerFirewallError', () => {
  const error = new HostKeyMismatch('h1', 22, ['SHA256:aaa (ssh-ed25519)'], 'SHA256:bbb', 'ssh-ed25519', ['/k:1']);
  assert.ok(error instanceof DockerFirewallError);
  assert.equal(error.code, 'HostKeyMismatch');
  assert.equal(error.name, 'HostKeyMismatch');
  assert.match(error.message, /h1/);
  assert.match(error.message, /SHA256:aaa/);
  assert.match(error.message, /SHA256:bbb/);
});
