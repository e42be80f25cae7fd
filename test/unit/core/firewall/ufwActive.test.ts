import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lockedHost, lockedReport, recorded } from '../../../support/recordedHosts';

// ufw on a Docker host (lab test: test/lab/engine/ufw.test.ts): its deny applies to ports reached
// through INPUT (docker-proxy, host sockets) and not to the ports Docker forwards, so an allow on
// the INPUT path needs ufw's allow too. Status says so when ufw is on and such ports exist. The
// recorded Docker 28 host (its IPv6 ports come through docker-proxy) is given ufw's chains as
// `ufw enable` leaves them (rules in ufw-before-input) or as `ufw disable` does (chains left empty).

const UFW_ON = [':ufw-before-input - [0:0]', '-A INPUT -j ufw-before-input', '-A ufw-before-input -i lo -j ACCEPT', '-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'];
const UFW_OFF = [':ufw-before-input - [0:0]', '-A INPUT -j ufw-before-input'];

/** The locked Docker 28 report with lines added to the IPv4 filter table, before its COMMIT. */
function withFilterLines(lines: readonly string[]) {
  const report = lockedReport('28');
  const filter = report.indexOf('*filter');
  const commit = report.indexOf('\nCOMMIT', filter);
  const host = lockedHost('28');
  return recorded('Docker 28, locked, with ufw', `${report.slice(0, commit)}\n${lines.join('\n')}${report.slice(commit)}`, host.reading.inventory);
}

test('ufw on: a warning names the ports reached through INPUT and what else they need; ports Docker forwards are not named', () => {
  const { firewall } = withFilterLines(UFW_ON);
  const warning = firewall.warnings.find((w) => w.code === 'ufw-active');
  assert.ok(warning !== undefined, JSON.stringify(firewall.warnings.map((w) => w.code)));
  assert.match(warning.message, /^ufw is active on this host\. Ports reached through INPUT \(\[::\]:\d+\/(tcp|udp)/);
  assert.match(warning.message, /ufw allow PORT\/PROTO/);
  assert.doesNotMatch(warning.message, /0\.0\.0\.0:/, 'IPv4 ports here are forwarded by Docker');
  assert.equal(firewall.locked, true, 'ufw changes nothing of the lockdown itself');
});

test('ufw disabled (its chains left empty) or absent: no warning', () => {
  assert.equal(withFilterLines(UFW_OFF).firewall.warnings.some((w) => w.code === 'ufw-active'), false);
  assert.equal(lockedHost('28').firewall.warnings.some((w) => w.code === 'ufw-active'), false);
});
