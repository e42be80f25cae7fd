import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pruneSummary } from '../../../../src/core/firewall/policy';
import { historyFailureText } from '../../../../src/core/history/historyLine';
import { parseCidr } from '../../../../src/core/validate';
import { historyFailureNotice, pruneNotice } from '../../../../src/vscode/ui/changeNotices';

// Core words these for the CLI and the log; the extension shows them translated, and in English the same.

const NOW = Date.UTC(2026, 11, 5, 4, 13, 0) / 1000;

test('Clean Up Expired says in its notification what pruneSummary says', () => {
  const ended = [
    { port: 8080, proto: 'tcp' as const, from: parseCidr('192.0.2.101'), until: NOW - 10 },
    { port: 8081, proto: 'tcp' as const, until: NOW - 20 },
  ];
  for (const list of [[], ended.slice(0, 1), ended]) {
    for (const applied of [true, false]) assert.equal(pruneNotice('h1', list, applied), pruneSummary('h1', list, applied));
  }
});

test('a history line that could not be written is said as historyFailureText says it, after the host', () => {
  const failed = { kind: 'failed', reason: 'Read-only file system' } as const;
  assert.equal(historyFailureNotice('h1', failed), `h1: ${historyFailureText(failed)}`);
  assert.equal(historyFailureNotice('h1', { kind: 'written' }), undefined);
  assert.equal(historyFailureNotice('h1', undefined), undefined);
});
