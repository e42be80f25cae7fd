import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historyLineTail } from '../../../../src/core/history/historyLine';
import { parseHistory } from '../../../../src/core/history/parseHistory';
import { parseCidr } from '../../../../src/core/validate';
import { chainStatusRows } from '../../../../src/vscode/chainStatus/chainStatusRows';
import { changeSentence, historyRow } from '../../../../src/vscode/chainStatus/historyRows';
import { timeAgo } from '../../../../src/vscode/tree/treeText';
import { lockedHost, snapshotOf } from '../../../support/recordedHosts';

const line = (time: string, user: string, client: string, tail: string) => `{"time":"${time}","user":"${user}","client":"${client}",${tail}`;
const cli = { name: 'cli', version: '0.2.0' } as const;
const LOG = parseHistory(
  [
    line('2026-12-05T01:00:00Z', 'root', '', historyLineTail({ action: 'block', allows: [] }, cli, undefined, 'a1b2c3d4e5f6')),
    line('2026-12-05T04:28:02Z', 'ops', '203.0.113.11', historyLineTail({ action: 'allow', allows: [{ port: 443, proto: 'tcp' }] }, cli, 'a1b2c3d4e5f6', 'd4e5f6a1b2c3')),
    '{"time":"2026-12-05T04:29:00Z","user":"[x](command:workbench.action.quit)"}',
  ].join('\n'),
);
const NOW = new Date('2026-12-05T04:31:02Z');

test('History: one row per change, newest first, "who from where did what" and how long ago; unreadable lines counted', () => {
  const row = historyRow('h1/history', LOG, NOW);
  assert.equal(row.label, 'History');
  assert.equal(row.description, 'last 2 changes');
  const children = row.children ?? [];
  assert.deepEqual(
    children.map((r) => [r.label, r.description]),
    [
      ['ops from 203.0.113.11 allowed 443/tcp from anywhere', '3 min ago'],
      ['root from an unknown address blocked external access', '3 h ago'],
      ['1 line of the history could not be read', undefined],
    ],
  );
  assert.match(children[0]?.tooltip ?? '', /`a1b2c3d4e5f6`.*`d4e5f6a1b2c3`/);
  assert.match(children[1]?.tooltip ?? '', /before none \(open\)/);
  assert.equal(new Set(children.map((r) => r.id)).size, children.length, 'ids are unique');
});

test('each action in the past tense, with its allows, after who made it from where', () => {
  const from = { port: 8080, proto: 'tcp' as const, from: parseCidr('192.0.2.0/24') };
  const by = { user: 'ops', client: '203.0.113.11' };
  assert.equal(changeSentence({ ...by, action: 'deny', allows: [from] }), 'ops from 203.0.113.11 blocked 8080/tcp from 192.0.2.0/24 again');
  assert.equal(changeSentence({ ...by, action: 'block', allows: [from] }), 'ops from 203.0.113.11 blocked external access, allowing 8080/tcp from 192.0.2.0/24');
  assert.equal(changeSentence({ ...by, action: 'unblock', allows: [] }), 'ops from 203.0.113.11 removed the lockdown');
  assert.equal(changeSentence({ ...by, action: 'persist', allows: [] }), 'ops from 203.0.113.11 made the lockdown persistent');
  assert.equal(changeSentence({ user: 'root', client: undefined, action: 'prune', allows: [] }), 'root from an unknown address removed expired allows');
});

test('an empty history says so; a reading without one shows no History section', () => {
  assert.equal(historyRow('h1/history', { entries: [], skipped: 0 }, NOW).description, 'no changes recorded');
  const locked = lockedHost('28');
  const without = chainStatusRows('h1', snapshotOf(locked));
  assert.ok(!without.some((r) => r.label === 'History'));
  const snapshot = snapshotOf(locked);
  const withHistory = chainStatusRows('h1', { ...snapshot, status: { ...snapshot.status!, history: LOG } });
  assert.equal(withHistory.at(-1)?.label, 'History');
});

test('how long ago: seconds are "just now", then minutes, hours, days; a clock ahead by more than a minute shows the date', () => {
  const at = (iso: string) => timeAgo(new Date(iso), NOW);
  assert.equal(at('2026-12-05T04:30:30Z'), 'just now');
  assert.equal(at('2026-12-05T04:31:40Z'), 'just now');
  assert.equal(at('2026-12-05T04:30:02Z'), '1 min ago');
  assert.equal(at('2026-12-05T02:31:02Z'), '2 h ago');
  assert.equal(at('2026-12-01T04:31:02Z'), '4 d ago');
  assert.equal(at('2026-12-06T04:31:02Z'), '2026-12-06 04:31');
});
