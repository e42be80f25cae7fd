import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastStderrLine, MAX_STDERR_LINE, classifyStderr } from '../../../../src/core/remote/classifyStderr';
import { MAX_STDERR_BYTES, STDERR_OMITTED, StderrBuffer } from '../../../../src/core/remote/stderrBuffer';
import { RemoteCommandFailed } from '../../../../src/core/errors';
import { HOSTILE } from '../../../support/hostileHost';

test('stderr within the limit is kept whole, multi-byte characters across chunks included', () => {
  const buffer = new StderrBuffer();
  const text = 'sudo: ünable\niptables: 🐳 failed\n';
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 3) buffer.add(bytes.subarray(i, i + 3));
  assert.equal(buffer.text(), text);
});

test('a flood of stderr keeps its start (sudo’s refusal) and its end (the verdict), 8 KiB in all', () => {
  const buffer = new StderrBuffer();
  buffer.add(Buffer.from('sudo: a password is required\n'));
  for (let i = 0; i < 10_000; i++) buffer.add(Buffer.from(`noise line ${i} ${'x'.repeat(100)}\n`));
  buffer.add(Buffer.from('iptables-restore: line 3 failed\n'));
  const text = buffer.text();
  assert.ok(text.startsWith('sudo: a password is required\n'));
  assert.ok(text.endsWith('iptables-restore: line 3 failed\n'));
  assert.ok(text.includes(STDERR_OMITTED));
  assert.ok(Buffer.byteLength(text) <= MAX_STDERR_BYTES + STDERR_OMITTED.length + 8, `${Buffer.byteLength(text)} bytes`);
  assert.equal(lastStderrLine(text), 'iptables-restore: line 3 failed');
});

test('one huge stderr line reaches a message cut to a line’s length', () => {
  assert.equal(lastStderrLine(`ok\n${HOSTILE.huge}\n`).length, MAX_STDERR_LINE);
  const error = classifyStderr(`sudo: a password is required ${HOSTILE.huge}`, { host: 'h1', user: 'deploy' });
  // The same message for a short line: what the huge one adds is at most a line's length.
  const plain = classifyStderr('sudo: a password is required', { host: 'h1', user: 'deploy' });
  assert.ok(error !== undefined && plain !== undefined && error.message.length - plain.message.length <= MAX_STDERR_LINE, error?.message.length.toString());
  assert.ok(!(error instanceof RemoteCommandFailed));
});
