import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr } from '../../../../src/core/validate';
import { allowAction, allowedLogLine, allowedNotice, fromMeTexts, requestLabel, requestText } from '../../../../src/vscode/ui/allowText';
import { failureMessage, failureNotice } from '../../../../src/vscode/failure';
import { pruneSummary as pruneNotice } from '../../../../src/core/firewall/policy';

const NOW = Date.UTC(2026, 11, 5, 4, 13, 0) / 1000;

test('an allow as asked names the source and the duration before the host resolves them', () => {
  assert.equal(requestText({ port: 8080, proto: 'tcp' }), '8080/tcp from anywhere');
  assert.equal(requestText({ port: 8080, proto: 'tcp', from: 'me', forSeconds: 900 }), '8080/tcp from your address for 15 min');
  assert.equal(requestText({ port: 5353, proto: 'udp', from: parseCidr('203.0.113.0/24'), forSeconds: 3600 }), '5353/udp from 203.0.113.0/24 for 1 h');
});

test('what the user reads of an allow is, in English, what the log says', () => {
  const requests = [
    { port: 8080, proto: 'tcp' as const },
    { port: 8080, proto: 'tcp' as const, forSeconds: 90_000 },
    { port: 8080, proto: 'tcp' as const, from: 'me' as const },
    { port: 8080, proto: 'tcp' as const, from: 'me' as const, forSeconds: 900 },
    { port: 5353, proto: 'udp' as const, from: parseCidr('203.0.113.0/24') },
    { port: 5353, proto: 'udp' as const, from: parseCidr('203.0.113.0/24'), forSeconds: 3600 },
  ];
  for (const request of requests) {
    assert.equal(requestLabel(request), requestText(request));
    const action = allowAction(request);
    assert.equal(failureNotice(action, 'h1', 'refused'), failureMessage(action.verb, 'h1', 'refused'));
  }
  assert.equal(failureMessage(allowAction(requests[3]!).verb, 'h1', 'refused'), 'Could not allow 8080/tcp from your address for 15 min on h1: refused');
  for (const [allow, applied] of [[{ port: 8080, proto: 'tcp' as const }, true], [{ port: 8080, proto: 'tcp' as const, until: NOW + 900 }, false]] as const) {
    assert.equal(allowedNotice('h1', allow, NOW, applied), allowedLogLine('h1', allow, NOW, applied));
  }
});

test('the notice after an allow says what stands and, for one that ends, how long is left and who closes it', () => {
  assert.equal(allowedNotice('h1', { port: 8080, proto: 'tcp' }, NOW, true), 'h1: 8080/tcp from anywhere is allowed.');
  assert.equal(
    allowedNotice('h1', { port: 8080, proto: 'tcp', from: parseCidr('192.0.2.101'), until: NOW + 900 }, NOW, true),
    'h1: 8080/tcp from 192.0.2.101/32 is allowed (15 min left; h1 closes it by itself then).',
  );
  assert.equal(allowedNotice('h1', { port: 8080, proto: 'tcp' }, NOW, false), 'h1: 8080/tcp from anywhere was already allowed.');
});

test('Allow from My Address shows the address as the host sees it; through a jump host it says whose address that is and asks first', () => {
  const direct = fromMeTexts('h1', '8080/tcp', '192.0.2.101', false);
  assert.equal(direct.title, 'Allow 8080/tcp on h1 from 192.0.2.101, as h1 sees you');
  assert.match(direct.placeHolder, /^For how long\? Behind NAT/);
  assert.equal(direct.jumpConfirmation, undefined);
  const jumped = fromMeTexts('h1', '8080/tcp', '198.51.100.7', true);
  assert.match(jumped.title, /from 198\.51\.100\.7, as h1 sees you \(your ProxyJump host\)$/);
  assert.match(jumped.placeHolder, /198\.51\.100\.7 is your jump host's address: anyone coming from there gets in too/);
  assert.ok(jumped.jumpConfirmation);
  assert.match(jumped.jumpConfirmation.detail, /h1 sees the jump host's address \(198\.51\.100\.7\), not yours\. Anyone who connects from the jump host gets in too/);
  assert.equal(jumped.jumpConfirmation.action, 'Allow from This Address');
});

test('Clean Up Expired and docker-firewall prune say how many allows they removed, or that none had ended (one text, core)', () => {
  const ended = [
    { port: 8080, proto: 'tcp' as const, from: parseCidr('192.0.2.101'), until: NOW - 10 },
    { port: 8081, proto: 'tcp' as const, until: NOW - 20 },
  ];
  assert.equal(pruneNotice('h1', [], false), 'h1: no allow has ended; nothing changed.');
  assert.equal(pruneNotice('h1', ended.slice(0, 1), true), 'h1: removed 1 ended allow: 8080/tcp from 192.0.2.101/32.');
  assert.equal(pruneNotice('h1', ended, true), 'h1: removed 2 ended allows: 8080/tcp from 192.0.2.101/32; 8081/tcp from anywhere.');
});
