import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, lockedHost, lockedReport, openHost, recorded } from '../../../support/recordedHosts';
import { RECORDING_NONCE } from '../../../../scripts/recordingNonce';
import { followerRunning, parseFollowerOutcome } from '../../../../src/core/firewall/firewalldFollower';

// firewalld beside Docker (lab test: test/lab/engine/firewalld.test.ts): a reload empties the
// iptables tables, Docker puts back its own chains, and the lockdown is gone. Status says so before
// it happens (a locked host where firewalld runs and nothing follows its reloads) and after (a saved
// lockdown not in force, on a host where firewalld runs). The recorded Docker 28 reports are given
// the sections a host with firewalld prints: its nftables table, and our persistence lines.

const section = (name: string, body: string) => `### ${RECORDING_NONCE} ${name}\n${body}\n`;

/** The report with sections put before its persistence section (and that section's own lines replaced). */
function withSections(report: string, persistence: readonly string[], firewalld = true): string {
  const marker = `### ${RECORDING_NONCE} persistence\n`;
  const at = report.indexOf(marker);
  assert.ok(at > 0, 'the recorded report has a persistence section');
  const after = report.slice(at + marker.length);
  const rest = after.slice(after.indexOf(`### ${RECORDING_NONCE} `));
  const tables = firewalld ? 'table ip filter\ntable ip nat\ntable inet firewalld' : 'table ip filter\ntable ip nat';
  return `${report.slice(0, at)}${section('nft-tables', tables)}${section('persistence', persistence.join('\n'))}${rest}`;
}

const locked = (persistence: readonly string[], firewalld = true) =>
  recorded('Docker 28, locked, firewalld', withSections(lockedReport('28'), persistence, firewalld), lockedHost('28').reading.inventory).firewall;
const warning = (status: ReturnType<typeof locked>, code: string) => status.warnings.find((w) => w.code === code);

test('locked, firewalld running, not persistent: a warning says a reload removes the lockdown, and to make it persistent', () => {
  const status = locked([]);
  assert.equal(status.locked, true);
  assert.match(warning(status, 'firewalld-reload')?.message ?? '', /^firewalld runs on this host: a firewall-cmd --reload .* removes the lockdown's rules .*Make the lockdown persistent/);
});

test('locked and persistent, the follower running (as a process, or its systemd unit active): no firewalld warning', () => {
  for (const follower of ['follower running 4242', 'follower systemd active']) {
    const status = locked(['digest x', follower]);
    assert.equal(status.persistence.state !== 'none' && status.persistence.firewalldFollower, true, follower);
    assert.equal(warning(status, 'firewalld-reload'), undefined, follower);
  }
});

test('locked and persistent, the follower not running (or its unit failed): the warning names it', () => {
  for (const lines of [['digest x'], ['digest x', 'follower systemd failed'], ['digest x', 'follower running x']]) {
    assert.match(warning(locked(lines), 'firewalld-reload')?.message ?? '', /\/usr\/local\/sbin\/docker-firewall-firewalld\) is not running: make the lockdown persistent again/, JSON.stringify(lines));
  }
});

test('no firewalld table: no firewalld warning, even unpersisted', () => {
  assert.equal(warning(locked([], false), 'firewalld-reload'), undefined);
  assert.equal(warning(lockedHost('28').firewall, 'firewalld-reload'), undefined);
});

test('a saved lockdown not in force where firewalld runs: "Lockdown missing after a firewall reload", and what to do', () => {
  const open = readFileSync(join(FIXTURES, 'docker', 'docker-28', 'report.txt'), 'utf8');
  const status = recorded('Docker 28, open, firewalld', withSections(open, ['digest x']), openHost('28').reading.inventory).firewall;
  assert.equal(status.locked, false);
  assert.match(warning(status, 'lockdown-missing')?.message ?? '', /^Lockdown missing after a firewall reload: .*firewalld runs here.*Block again, or run \/usr\/local\/sbin\/docker-firewall-restore/);
  assert.equal(warning(status, 'firewalld-reload'), undefined, 'nothing is locked: the missing lockdown is the warning');
});

test("firewalld's iptables backend (its zone chains in filter) counts as firewalld running", () => {
  const report = lockedReport('28').replace('\nCOMMIT', '\n:INPUT_ZONES - [0:0]\n:FORWARD_IN_ZONES - [0:0]\nCOMMIT');
  const status = recorded('Docker 28, locked, firewalld (iptables backend)', report, lockedHost('28').reading.inventory).firewall;
  assert.ok(warning(status, 'firewalld-reload') !== undefined);
});

test('the persist script says how the follower started; the read says whether it runs', () => {
  assert.equal(parseFollowerOutcome('### systemd\n### firewalld process\n'), 'process');
  assert.equal(parseFollowerOutcome('### firewalld no-monitor'), 'no-monitor');
  assert.equal(parseFollowerOutcome('### firewalld maybe'), undefined);
  assert.equal(followerRunning(['digest x', 'follower running 12']), true);
  assert.equal(followerRunning(['follower systemd activating']), false);
  assert.equal(followerRunning(['running 12']), false, "the watcher's line is not the follower's");
});
