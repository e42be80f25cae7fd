import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historyFailureText, historyLineTail, type ToolId } from '../../../../src/core/history/historyLine';
import { MAX_LINE_LENGTH, parseHistory, parseHistoryLine } from '../../../../src/core/history/parseHistory';
import { parseHistoryOutcome } from '../../../../src/core/history/historyScript';
import { parseCidr } from '../../../../src/core/validate';

const CLI: ToolId = { name: 'cli', version: '0.2.0' };
/** The host's half, as the script prints it before ours. */
const hostHalf = (time = '2026-12-05T04:31:02Z', user = 'ops', client = '203.0.113.11') => `{"time":"${time}","user":"${user}","client":"${client}",`;
const allow443 = { port: 443, proto: 'tcp' as const, from: parseCidr('198.51.100.7') };

test('a line made of the host’s half and ours parses back to the entry it describes', () => {
  const tail = historyLineTail({ action: 'allow', allows: [allow443] }, CLI, 'a1b2c3d4e5f6', 'd4e5f6a1b2c3');
  const entry = parseHistoryLine(hostHalf() + tail);
  assert.deepEqual(entry, {
    time: '2026-12-05T04:31:02Z',
    user: 'ops',
    client: '203.0.113.11',
    tool: CLI,
    action: 'allow',
    allows: [allow443],
    before: 'a1b2c3d4e5f6',
    after: 'd4e5f6a1b2c3',
  });
});

test('our half is one line of JSON members without the opening brace; an open host is a null digest', () => {
  const tail = historyLineTail({ action: 'block', allows: [{ port: 8080, proto: 'tcp' }] }, { name: 'vscode', version: '0.2.0' }, undefined, 'd4e5f6a1b2c3');
  assert.ok(!tail.startsWith('{') && tail.endsWith('}') && !tail.includes('\n'));
  assert.deepEqual(JSON.parse(`{${tail}`), {
    tool: 'vscode',
    version: '0.2.0',
    action: 'block',
    allows: [{ port: 8080, proto: 'tcp', from: null }],
    before: null,
    after: 'd4e5f6a1b2c3',
  });
  const entry = parseHistoryLine(hostHalf('2026-01-01T00:00:00Z', 'root', '') + tail);
  assert.equal(entry?.before, undefined);
  assert.equal(entry?.client, undefined, 'an address the host did not give');
});

test('an allow that ends, or a range, is stored as it always was: `endPort`, and `until` in Unix seconds', () => {
  const range = { port: 18100, endPort: 18110, proto: 'udp' as const, from: parseCidr('198.51.100.7'), until: 1_796_000_000 };
  const tail = historyLineTail({ action: 'allow', allows: [range] }, CLI, 'a1b2c3d4e5f6', 'd4e5f6a1b2c3');
  assert.equal(tail, '"tool":"cli","version":"0.2.0","action":"allow","allows":[{"port":18100,"endPort":18110,"proto":"udp","from":"198.51.100.7/32","until":1796000000}],"before":"a1b2c3d4e5f6","after":"d4e5f6a1b2c3"}');
  assert.deepEqual(parseHistoryLine(hostHalf() + tail)?.allows, [range]);
});

test('the builder refuses a version or digest that is not what the parser takes (a bug here, not host text)', () => {
  assert.throws(() => historyLineTail({ action: 'unblock', allows: [] }, { name: 'cli', version: '0.2.0"; x' }, undefined, undefined));
  assert.throws(() => historyLineTail({ action: 'unblock', allows: [] }, CLI, 'A1B2', undefined));
});

test('the file is read newest first; blank lines are not counted as skipped', () => {
  const tail = (action: 'block' | 'unblock') => historyLineTail({ action, allows: [] }, CLI, undefined, undefined);
  const text = [hostHalf('2026-12-05T01:00:00Z') + tail('block'), '', hostHalf('2026-12-05T02:00:00Z') + tail('unblock'), ''].join('\n');
  const log = parseHistory(text);
  assert.deepEqual(log.entries.map((e) => [e.time, e.action]), [['2026-12-05T02:00:00Z', 'unblock'], ['2026-12-05T01:00:00Z', 'block']]);
  assert.equal(log.skipped, 0);
});

test('hostile lines are skipped and counted, never guessed at; the good ones around them stay', () => {
  const good = hostHalf() + historyLineTail({ action: 'deny', allows: [allow443] }, CLI, 'a1b2c3d4e5f6', 'd4e5f6a1b2c3');
  const member = (patch: Record<string, unknown>) => JSON.stringify({ ...(JSON.parse(good) as Record<string, unknown>), ...patch });
  const hostile = [
    'not json at all',
    '{"time":"2026-12-05T04:31:02Z"',
    '[1,2,3]',
    'null',
    '"a string"',
    `${good.slice(0, -1)},"pad":"${'x'.repeat(MAX_LINE_LENGTH)}"}`,
    member({ time: '2026-12-05 04:31:02' }),
    member({ time: '2026-13-45T99:99:99Z' }),
    member({ time: 1733373062 }),
    member({ user: 'ops\u001b[2J' }),
    member({ user: 'o p s' }),
    member({ user: '' }),
    member({ user: ['ops'] }),
    member({ client: '203.0.113.11\n' }),
    member({ client: 'example.com' }),
    member({ client: null }),
    member({ tool: 'curl' }),
    member({ version: '0.2.0\u009b31m' }),
    member({ version: 2 }),
    member({ action: 'rm -rf /' }),
    member({ action: 'ALLOW' }),
    member({ allows: 'all' }),
    member({ allows: [{ port: '443', proto: 'tcp', from: null }] }),
    member({ allows: [{ port: 70000, proto: 'tcp', from: null }] }),
    member({ allows: [{ port: 44.3, proto: 'tcp', from: null }] }),
    member({ allows: [{ port: 443, proto: 'icmp', from: null }] }),
    member({ allows: [{ port: 443, proto: 'TCP', from: null }] }),
    member({ allows: [{ port: 443, proto: 'tcp', from: '10.0.0.1/8' }] }),
    member({ allows: [{ port: 443, proto: 'tcp', from: '\u202eevil' }] }),
    member({ allows: [{ port: 443, proto: 'tcp' }] }),
    member({ allows: Array.from({ length: 300 }, () => ({ port: 1, proto: 'tcp', from: null })) }),
    member({ before: 'A1B2C3D4E5F6' }),
    member({ before: 'a1b2c3' }),
    member({ after: 0 }),
    member({ after: undefined }),
  ];
  const log = parseHistory([good, ...hostile, good].join('\n'));
  assert.equal(log.entries.length, 2);
  assert.equal(log.skipped, hostile.length);
  for (const line of hostile) assert.equal(parseHistoryLine(line), undefined, line.slice(0, 200));
});

test('a line past the length limit is skipped without being parsed; members we do not know are ignored', () => {
  const good = hostHalf() + historyLineTail({ action: 'persist', allows: [] }, CLI, 'a1b2c3d4e5f6', 'a1b2c3d4e5f6');
  assert.equal(parseHistoryLine(`${good.slice(0, -1)},"later":"x"}`)?.action, 'persist');
  const huge = `{"time":"${'9'.repeat(10 * 1024 * 1024)}"}`;
  assert.deepEqual(parseHistory(huge), { entries: [], skipped: 1 });
});

test('the script’s outcome markers: written, failed with its reason, or nothing asked; the warning names the reason', () => {
  assert.deepEqual(parseHistoryOutcome('### applied\n### history written\n### watcher process\n'), { kind: 'written' });
  const failed = parseHistoryOutcome('### applied\n### history failed sh: 1: cannot create /var/log/docker-firewall/changes.jsonl: Read-only file system\n');
  assert.deepEqual(failed, { kind: 'failed', reason: 'sh: 1: cannot create /var/log/docker-firewall/changes.jsonl: Read-only file system' });
  assert.deepEqual(parseHistoryOutcome('### applied\n### history failed\n'), { kind: 'failed', reason: 'no reason given' });
  assert.equal(parseHistoryOutcome('### applied\n'), undefined);
  assert.equal(historyFailureText(failed), 'the change is applied, but its history line could not be written: sh: 1: cannot create /var/log/docker-firewall/changes.jsonl: Read-only file system');
  assert.equal(historyFailureText({ kind: 'written' }), undefined);
});

test('a range and an allow that ends keep their last port and end through the line; anything else there is skipped', () => {
  const ranged = { port: 18100, endPort: 18110, proto: 'udp' as const, from: parseCidr('192.0.2.100'), until: 1_796_000_000 };
  const line = hostHalf() + historyLineTail({ action: 'allow', allows: [ranged] }, CLI, undefined, 'd4e5f6a1b2c3');
  assert.deepEqual(parseHistoryLine(line)?.allows, [ranged]);
  const withAllow = (patch: Record<string, unknown>) => {
    const value = JSON.parse(line) as { allows: Record<string, unknown>[] };
    return JSON.stringify({ ...value, allows: [{ ...value.allows[0], ...patch }] });
  };
  for (const patch of [{ endPort: 18100 }, { endPort: 70_000 }, { endPort: '18110' }, { endPort: 1.5 }, { until: -1 }, { until: '2026' }, { until: 1e300 }]) {
    assert.equal(parseHistoryLine(withAllow(patch)), undefined, JSON.stringify(patch));
  }
});
