import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allow } from '../../../../src/core/firewall/policy';
import { parseCidr } from '../../../../src/core/validate';
import { allowEndText, allowLine, hostNow, isForClient, nextRedrawSeconds, utcText } from '../../../../src/vscode/tree/allowTimeText';

// 2026-12-05T04:13:00Z on the host.
const NOW = Date.UTC(2026, 11, 5, 4, 13, 0) / 1000;
const web = (over: Partial<Allow> = {}): Allow => ({ port: 8080, proto: 'tcp', ...over });

test('"now" is the host clock at the read plus the time counted here since, whatever the skew between the clocks', () => {
  const readAt = new Date('2030-01-01T00:00:00Z'); // this machine's clock: years ahead of the host's
  assert.equal(hostNow(NOW, readAt, readAt.getTime()), NOW);
  assert.equal(hostNow(NOW, readAt, readAt.getTime() + 90_000), NOW + 90);
  // A clock that stepped back here never moves the host's time back before the read.
  assert.equal(hostNow(NOW, readAt, readAt.getTime() - 5_000), NOW);
});

test('an allow is "for you" only when its source is exactly the address the host sees this client at', () => {
  assert.equal(isForClient(web({ from: parseCidr('192.0.2.101') }), '192.0.2.101'), true);
  assert.equal(isForClient(web({ from: parseCidr('192.0.2.101/32') }), '::ffff:192.0.2.101'), true, 'an IPv4-mapped client address is its IPv4 one');
  assert.equal(isForClient(web({ from: parseCidr('2001:db8:1::101') }), '2001:db8:1:0::101'), true);
  assert.equal(isForClient(web({ from: parseCidr('192.0.2.0/24') }), '192.0.2.101'), false, 'a range holding the address is not the address');
  assert.equal(isForClient(web({ from: parseCidr('192.0.2.100') }), '192.0.2.101'), false);
  assert.equal(isForClient(web(), '192.0.2.101'), false, 'from anywhere');
  assert.equal(isForClient(web({ from: parseCidr('192.0.2.101') }), undefined), false, 'the host did not say');
  assert.equal(isForClient(web({ from: parseCidr('192.0.2.101') }), 'not an address'), false);
});

test('the end reads "until 05:00 UTC · 47 min left", with the date when it is another day, and "ended at …" after it', () => {
  assert.equal(allowEndText(NOW + 47 * 60, NOW), 'until 05:00 UTC · 47 min left');
  assert.equal(allowEndText(NOW + 46 * 60 + 1, NOW), 'until 04:59 UTC · 47 min left', 'minutes left count up');
  assert.equal(allowEndText(NOW + 86400, NOW), 'until 2026-12-06 04:13 UTC · 24 h left');
  assert.equal(allowEndText(NOW - 60, NOW), 'ended at 04:12 UTC');
  assert.equal(allowEndText(NOW, NOW), 'ended at 04:13 UTC', 'the kernel stops matching at datestop itself');
  assert.equal(utcText(NOW - 86400, NOW), '2026-12-04 04:13 UTC');
});

test('a tooltip line names the source, says it is yours, and gives the end in UTC and local time', () => {
  const line = allowLine(web({ from: parseCidr('192.0.2.101'), until: NOW + 600 }), { now: NOW, clientAddress: '192.0.2.101' });
  assert.match(line, /^8080\/tcp from 192\.0\.2\.101\/32 \(your address\), until 2026-12-05 04:23:00 UTC \(\d\d:\d\d:\d\d local time\), 10 min left: then the host closes it by itself$/);
  assert.equal(allowLine(web(), { now: NOW }), '8080/tcp from anywhere');
  assert.match(allowLine(web({ until: NOW - 1 }), { now: NOW }), /^8080\/tcp from anywhere, ended at 2026-12-05 04:12:59 UTC .*or Clean Up Expired, removes its rule$/);
});

test('the views are redrawn at the nearest end, and at least on every whole minute before it', () => {
  assert.equal(nextRedrawSeconds([web(), web({ from: parseCidr('192.0.2.1') })], NOW), undefined, 'no allow ends');
  assert.equal(nextRedrawSeconds([web({ until: NOW - 5 })], NOW), undefined, 'what has ended changes no more');
  assert.equal(nextRedrawSeconds([web({ until: NOW + 25 })], NOW), 25, 'the end itself');
  assert.equal(nextRedrawSeconds([web({ until: NOW + 47 * 60 })], NOW), 60, '"47 min left" turns into "46 min left" a minute later');
  assert.equal(nextRedrawSeconds([web({ until: NOW + 47 * 60 + 20 })], NOW), 20, '"48 min left" turns into "47 min left" in 20 s');
  assert.equal(nextRedrawSeconds([web({ until: NOW + 3600 }), web({ from: parseCidr('192.0.2.1'), until: NOW + 61 })], NOW), 1, 'the nearest of several');
  assert.equal(nextRedrawSeconds([web({ until: NOW + 0.2 })], NOW), 1, 'never a busy loop');
});
