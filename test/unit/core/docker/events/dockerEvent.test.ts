import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerEvent } from '../../../../../src/core/docker/events/dockerEvent';
import { EventLineSplitter } from '../../../../../src/core/docker/events/eventLines';

const FIXTURES = join(__dirname, '../../../../fixtures/docker-events');
const recorded = (file: string): string[] => readFileSync(join(FIXTURES, file), 'utf8').split('\n').filter((l) => l !== '');

for (const file of ['docker-20.jsonl', 'docker-28.jsonl']) {
  test(`${file}: a container run, stopped and removed reads as connect, start, die, disconnect, stop, destroy of rec-db`, () => {
    const events = recorded(file).map(parseDockerEvent);
    assert.ok(events.every((e) => e !== undefined));
    const actions = events.map((e) => `${e.type}:${e.action}`).sort();
    assert.deepEqual(actions, ['container:destroy', 'container:die', 'container:start', 'container:stop', 'network:connect', 'network:disconnect']);
    const start = events.find((e) => e?.action === 'start');
    assert.equal(start?.type === 'container' ? start.name : undefined, 'rec-db');
    const connect = events.find((e) => e?.action === 'connect');
    assert.equal(connect?.type === 'network' ? connect.container : undefined, start?.id);
  });
}

test('lines that are not an event we follow are ignored, never thrown', () => {
  const start = recorded('docker-28.jsonl').find((l) => l.includes('"Action":"start"'))!;
  const parsed = JSON.parse(start) as { Actor: { ID: string; Attributes: Record<string, unknown> } };
  const variant = (change: (e: Record<string, unknown>) => void): string => {
    const copy = JSON.parse(start) as Record<string, unknown>;
    change(copy);
    return JSON.stringify(copy);
  };
  for (const line of [
    '',
    'not json',
    '[]',
    'null',
    '{"Type":"container","Action":"start"}',
    variant((e) => (e.Action = 'exec_start: sh')),
    variant((e) => (e.Type = 'image')),
    variant((e) => ((e.Actor as { ID: string }).ID = 'short')),
    variant((e) => ((e.Actor as { ID: string }).ID = `${parsed.Actor.ID}\n`)),
    variant((e) => (e.Action = ['start'])),
  ]) {
    assert.equal(parseDockerEvent(line), undefined, line);
  }
  // A name Docker could not have given is dropped, not shown.
  const odd = parseDockerEvent(variant((e) => ((e.Actor as { Attributes: Record<string, unknown> }).Attributes.name = '$(x)\u001b[31m')));
  assert.equal(odd?.type === 'container' ? odd.name : 'not parsed', undefined);
});

test('the line splitter joins chunks, and drops a line longer than its bound whole, up to its newline', () => {
  const splitter = new EventLineSplitter(16);
  assert.deepEqual(splitter.push(Buffer.from('{"a":')), []);
  assert.deepEqual(splitter.push(Buffer.from('1}\n{"b":2}\n')), ['{"a":1}', '{"b":2}']);
  assert.deepEqual(splitter.push(Buffer.from('x'.repeat(10))), []);
  assert.deepEqual(splitter.push(Buffer.from('y'.repeat(10))), []);
  assert.deepEqual(splitter.push(Buffer.from('zzz\n{"c":3}\n')), ['{"c":3}']);
  assert.equal(splitter.dropped, 1);
});
