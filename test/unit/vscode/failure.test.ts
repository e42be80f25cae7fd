import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthenticationFailed, Cancelled, ConnectTimeout, HostKeyMismatch, SudoPasswordIncorrect } from '../../../src/core/errors';
import { errorCode, failureMessage, isCancellation, isHostKeyAlarm, refusesSecrets } from '../../../src/vscode/failure';

test('failures read "Could not <verb> on <host>: <reason>" with the engine’s own reason', () => {
  const error = new ConnectTimeout('203.0.113.7', 22, 15_000);
  assert.equal(failureMessage('block external access', 'prod', error), `Could not block external access on prod: ${error.message}`);
  assert.equal(failureMessage('read', 'prod', 'plain text'), 'Could not read on prod: plain text');
});

test('a changed host key is an alarm whose message names both fingerprints', () => {
  const error = new HostKeyMismatch('h1', 22, ['SHA256:old'], 'SHA256:new', 'ssh-ed25519', ['~/.ssh/known_hosts:3']);
  assert.ok(isHostKeyAlarm(error));
  const message = failureMessage('connect', 'h1', error);
  assert.match(message, /SHA256:old/);
  assert.match(message, /SHA256:new/);
  assert.ok(!isHostKeyAlarm(new ConnectTimeout('h1', 22, 1000)));
});

test('cancellations are recognised, from core and from AbortSignal', () => {
  assert.ok(isCancellation(new Cancelled()));
  const abort = new Error('This operation was aborted');
  abort.name = 'AbortError';
  assert.ok(isCancellation(abort));
  assert.ok(!isCancellation(new Error('boom')));
});

test('refused logins and sudo passwords make saved secrets be forgotten', () => {
  assert.ok(refusesSecrets(new AuthenticationFailed('h1', 'deploy', ['password'], ['publickey', 'password'])));
  assert.ok(refusesSecrets(new SudoPasswordIncorrect('h1', 'deploy', 'sudo: 3 incorrect password attempts')));
  assert.ok(!refusesSecrets(new ConnectTimeout('h1', 22, 1000)));
  assert.equal(errorCode(new Error('x')), undefined);
});
