import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInvocation, USAGE } from '../../../src/cli/args';
import { errorLine, exitCodeFor, EXIT } from '../../../src/cli/main';
import { formatHistory, historyJson } from '../../../src/cli/historyFormat';
import { allowJson } from '../../../src/cli/json';
import { runCommand } from '../../../src/cli/runCommand';
import { InvalidInput } from '../../../src/core/errors';
import type { FirewallEngine } from '../../../src/core/hosts/firewallEngine';
import { historyLineTail, type HistoryLog } from '../../../src/core/history/historyLine';
import { parseHistory } from '../../../src/core/history/parseHistory';
import { parseCidr } from '../../../src/core/validate';

const line = (time: string, user: string, client: string, tail: string) => `{"time":"${time}","user":"${user}","client":"${client}",${tail}`;
const LOG: HistoryLog = parseHistory(
  [
    line('2026-12-05T04:30:00Z', 'root', '', historyLineTail({ action: 'block', allows: [] }, { name: 'vscode', version: '0.2.0' }, undefined, 'a1b2c3d4e5f6')),
    line('2026-12-05T04:31:02Z', 'ops', '203.0.113.11', historyLineTail({ action: 'allow', allows: [{ port: 443, proto: 'tcp', from: parseCidr('198.51.100.7') }] }, { name: 'cli', version: '0.2.0' }, 'a1b2c3d4e5f6', 'd4e5f6a1b2c3')),
    'garbage\u001b[2J',
  ].join('\n'),
);

test('history HOST takes --limit (default 20) and --json', () => {
  const inv = parseInvocation(['--json', 'history', 'h1', '--limit', '5']);
  assert.ok(inv.command === 'history');
  assert.deepEqual([inv.host, inv.limit, inv.options.json], ['h1', 5, true]);
  const plain = parseInvocation(['history', 'deploy@192.0.2.1']);
  assert.ok(plain.command === 'history');
  assert.equal(plain.limit, 20);
  assert.equal((parseInvocation(['history', 'h1', '--limit', '10000']) as { limit: number }).limit, 10_000);
  assert.match(USAGE, /docker-firewall \[options\] history HOST \[--limit N\]/);
});

test('a bad --limit, or history with what it does not take, is exit 2 with a message that says what to give', () => {
  for (const argv of [
    ['history'],
    ['history', 'h1', 'extra'],
    ['history', 'h1', '--limit', '0'],
    ['history', 'h1', '--limit', '10001'],
    ['history', 'h1', '--limit', '-1'],
    ['history', 'h1', '--limit', '1e3'],
    ['history', 'h1', '--limit', 'ten'],
    ['history', 'h1', '--limit', ''],
    ['history', 'h1', '--dry-run'],
    ['history', 'h1', '--from', '10.0.0.0/8'],
    ['history', 'h1', '--allow', '80'],
    ['status', 'h1', '--limit', '5'],
    ['verify', 'h1', '--limit', '5'],
  ]) {
    assert.throws(() => parseInvocation(argv), InvalidInput, argv.join(' '));
  }
  try {
    parseInvocation(['history', 'h1', '--limit', '0']);
  } catch (error) {
    assert.equal(exitCodeFor(error), EXIT.usage);
    assert.equal(errorLine(error, ''), 'docker-firewall: --limit "0": give a number of entries, from 1 to 10000.');
  }
});

test('the human lines: host time, who from where, the change, the tool, the digests shortened; skipped lines counted', () => {
  const text = formatHistory('h1', LOG);
  const lines = text.split('\n');
  assert.match(lines[0] ?? '', /^2026-12-05 04:31:02Z {2}ops from 203\.0\.113\.11 {2,}allow 443\/tcp from 198\.51\.100\.7\/32 {2}\(cli 0\.2\.0\) {2,}a1b2c3→d4e5f6$/);
  assert.match(lines[1] ?? '', /^2026-12-05 04:30:00Z {2}root from an unknown address {2,}block {2,}\(vscode 0\.2\.0\) {2}open→a1b2c3$/);
  assert.equal(lines[2], '(1 line of the history could not be read and was skipped: not written by Docker Firewall, or altered.)');
  assert.equal(formatHistory('h1', { entries: [], skipped: 0 }), 'No changes recorded on h1.');
});

test('--json: schema, host, entries newest first with allows as status shows them, and the skipped count', () => {
  const json = historyJson('h1', LOG);
  assert.equal(json.schema, 2);
  assert.equal(json.skipped, 1);
  assert.deepEqual(json.entries[0], {
    time: '2026-12-05T04:31:02Z',
    user: 'ops',
    client: '203.0.113.11',
    tool: 'cli',
    version: '0.2.0',
    action: 'allow',
    allows: [{ port: 443, proto: 'tcp', from: '198.51.100.7/32' }],
    before: 'a1b2c3d4e5f6',
    after: 'd4e5f6a1b2c3',
  });
  assert.deepEqual([json.entries[1]?.client, json.entries[1]?.before], [null, null]);
});

test('--json: an allow that ends, or a range, has the fields status gives it (`expires`, `endPort`), not the stored `until`', () => {
  const allow = { port: 18100, endPort: 18110, proto: 'udp' as const, from: parseCidr('198.51.100.7'), until: 1_796_000_000 };
  const log = parseHistory(line('2026-12-05T04:31:02Z', 'ops', '203.0.113.11', historyLineTail({ action: 'allow', allows: [allow] }, { name: 'cli', version: '0.2.0' }, 'a1b2c3d4e5f6', 'd4e5f6a1b2c3')));
  const [entry] = historyJson('h1', log).entries;
  assert.deepEqual(entry?.allows, [{ port: 18100, endPort: 18110, proto: 'udp', from: '198.51.100.7/32', expires: '2026-11-30T00:53:20Z' }]);
  assert.deepEqual(entry?.allows, [allowJson(allow)]);
});

test('a change whose history line failed still succeeds, with the warning on the warn channel (stderr)', async () => {
  const report = { plan: { changed: true }, argv: ['sh'], applied: true, retries: 0, history: { kind: 'failed', reason: 'Read-only file system' } };
  const firewall = { locked: true, policy: { allows: [] }, ports: [], warnings: [] };
  const raw = { facts: { clock: 1_796_000_000 } };
  const engine = { apply: () => Promise.resolve(report), status: () => Promise.resolve({ firewall, raw }) } as unknown as FirewallEngine;
  const out: string[] = [];
  const warnings: string[] = [];
  await runCommand(parseInvocation(['block', 'h1']) as Parameters<typeof runCommand>[0], engine, 'h1', { out: (t) => out.push(t), warn: (t) => warnings.push(t) });
  assert.match(out.join('\n'), /^External access blocked\./);
  assert.deepEqual(warnings, ['the change is applied, but its history line could not be written: Read-only file system']);
});
