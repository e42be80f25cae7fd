import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dialStdioArgv, mayRetryThroughSudo, sudoFallbackFailure } from '../../../../src/core/docker/sudoFallback';
import { Cancelled, DockerUnavailable, PermissionDenied, SudoPasswordIncorrect, SudoPasswordRequired } from '../../../../src/core/errors';
import { classifyStderr } from '../../../../src/core/remote/classifyStderr';
import { passwordThenStdin, sudoPasswordLine, sudoWithPassword } from '../../../../src/core/ssh/privilege';
import { shellJoin } from '../../../../src/core/remote/shellQuote';

const context = { host: 'h1', user: 'sudopw', command: ['docker'] };
const recorded = (name: string) => readFileSync(join(__dirname, '../../../fixtures/ssh/stderr', name), 'utf8');
/** What `docker system dial-stdio` printed on a real host for a user outside the docker group. */
const socketRefusal = classifyStderr(recorded('dial-stdio-socket-denied.txt'), context) as DockerUnavailable;

test('the command is docker system dial-stdio on the socket, and through sudo -S it is one quoted line', () => {
  assert.deepEqual(dialStdioArgv('/var/run/docker.sock'), ['docker', '-H', 'unix:///var/run/docker.sock', 'system', 'dial-stdio']);
  assert.equal(shellJoin(sudoWithPassword(dialStdioArgv('/run/my docker.sock'))), "sudo -S -k -p '' -- docker -H 'unix:///run/my docker.sock' system dial-stdio");
});

test('the sudo password is one line ahead of the stream, and a password with a line break is refused', () => {
  assert.deepEqual(sudoPasswordLine('pa ss'), Buffer.from('pa ss\n'));
  assert.deepEqual(passwordThenStdin('pw', 'GET / HTTP/1.1\r\n'), Buffer.from('pw\nGET / HTTP/1.1\r\n'));
  assert.throws(() => sudoPasswordLine('a\nb'), /line break/);
  assert.throws(() => sudoPasswordLine('a\rb'), /line break/);
});

test('only a refusal of the socket for permission, for a user other than root, is tried again through sudo', () => {
  assert.equal(socketRefusal.reason, 'permission-denied');
  assert.equal(mayRetryThroughSudo(socketRefusal, 'sudopw'), true);
  assert.equal(mayRetryThroughSudo(socketRefusal, 'root'), false);
  assert.equal(mayRetryThroughSudo(new DockerUnavailable('h1', 'sudopw', 'not-running', 'Cannot connect to the Docker daemon'), 'sudopw'), false);
  assert.equal(mayRetryThroughSudo(new DockerUnavailable('h1', 'sudopw', 'cli-missing', 'docker: not found'), 'sudopw'), false);
  assert.equal(mayRetryThroughSudo(new Error('socket hang up'), 'sudopw'), false);
  const alreadyTried = sudoFallbackFailure(socketRefusal, new SudoPasswordRequired('h1', 'sudopw', 'sudo: a password is required'));
  assert.equal(mayRetryThroughSudo(alreadyTried, 'sudopw'), false, 'sudo was the retry');
});

test('sudo refusing leaves the socket refusal as the error, naming both remedies and both lines', () => {
  const sudoSaid = classifyStderr(recorded('sudo-n-password-required.txt'), context);
  assert.ok(sudoSaid instanceof SudoPasswordRequired);
  const noPassword = sudoFallbackFailure(socketRefusal, sudoSaid);
  assert.ok(noPassword instanceof DockerUnavailable);
  assert.equal(noPassword.reason, 'permission-denied');
  assert.equal(noPassword.sudoRefusal, 'a password is required');
  assert.equal(
    noPassword.message,
    'sudopw on h1 may not use the Docker socket, and sudo did not run docker for sudopw either: add sudopw to the docker group ' +
      '(sudo usermod -aG docker sudopw) and reconnect, or let sudopw run `sudo docker -H unix://SOCKET system dial-stdio` ' +
      '(sudoers: "sudopw ALL=(root) NOPASSWD: /usr/bin/docker", or enter the sudo password when asked). ' +
      '(failed to open the raw stream connection: dial unix /var/run/docker.sock: connect: permission denied; sudo: a password is required)',
  );
  const notSudoer = sudoFallbackFailure(socketRefusal, new PermissionDenied('h1', 'sudopw', 'sudopw is not in the sudoers file.  This incident will be reported.'));
  assert.ok(notSudoer instanceof DockerUnavailable);
  assert.match(notSudoer.message, /sudo: sudopw is not in the sudoers file/);
});

test('a wrong password, a cancellation or another failure is reported as it is', () => {
  const wrong = new SudoPasswordIncorrect('h1', 'sudopw', 'sudo: 3 incorrect password attempts');
  assert.equal(sudoFallbackFailure(socketRefusal, wrong), wrong);
  const cancelled = new Cancelled('sudo on h1');
  assert.equal(sudoFallbackFailure(socketRefusal, cancelled), cancelled);
  const down = new DockerUnavailable('h1', 'sudopw', 'not-running', 'dial unix /var/run/docker.sock: connect: no such file or directory');
  assert.equal(sudoFallbackFailure(socketRefusal, down), down);
});
