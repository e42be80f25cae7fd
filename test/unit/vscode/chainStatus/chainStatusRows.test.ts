import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FirewallStatus } from '../../../../src/core/firewall/status';
import { chainStatusRows, hookSummary, ruleLabel, ruleSummary, type StatusRow } from '../../../../src/vscode/chainStatus/chainStatusRows';
import { UNKNOWN_SNAPSHOT } from '../../../../src/vscode/hosts/hostSnapshot';
import { lockedHost, lockedNftablesHost, openHost, snapshotOf } from '../../../support/recordedHosts';

const rec = openHost('28');
const labels = (rows: readonly StatusRow[]) => rows.map((r) => r.label);
const find = (rows: readonly StatusRow[], label: string): StatusRow => {
  const row = rows.find((r) => r.label === label);
  assert.ok(row, `no row ${label} in ${labels(rows).join(', ')}`);
  return row;
};

const locked = lockedHost('28');
/** The recorded lockdown, to vary one field at a time. */
const lockedStatus = (): FirewallStatus => locked.firewall;

test('an open host: lockdown off, no hook, no rules, no allows, not persistent, the Docker version', () => {
  const rows = chainStatusRows('h2', snapshotOf(rec));
  assert.deepEqual(labels(rows), ['Lockdown', 'IPv4', 'IPv6', 'Allows', 'Persistence', 'Docker']);
  assert.equal(find(rows, 'Lockdown').description, 'off');
  assert.equal(find(rows, 'IPv4').description, 'not hooked · 0 rules');
  assert.equal(find(rows, 'Allows').description, 'none');
  assert.equal(find(rows, 'Persistence').description, 'not persistent');
  assert.match(find(rows, 'Docker').description ?? '', /^28\.5\.2\+dfsg4 · API 1\.\d+/);
});

test('a locked host: warnings first, where the hooks sit, each chain’s rules with packet and byte counters, the allows', () => {
  const rows = chainStatusRows('h1', snapshotOf(locked));
  assert.deepEqual(labels(rows), ['Warnings', 'Lockdown', 'IPv4', 'IPv6', 'Allows', 'Persistence', 'Docker']);
  assert.deepEqual(find(rows, 'Warnings').children?.map((r) => r.id.split('/').pop()), ['not-persistent']);
  assert.equal(find(rows, 'Lockdown').description, 'on · chain PRE_DOCKER');
  const ipv4 = find(rows, 'IPv4');
  assert.equal(ipv4.description, 'hooked at INPUT #1, DOCKER-USER #1, security FORWARD #1 · 38 rules');
  assert.deepEqual(labels(ipv4.children ?? []), [
    'INPUT #1',
    'DOCKER-USER #1',
    'security FORWARD #1',
    'PRE_DOCKER',
    'PRE_DOCKER_INPUT',
    'PRE_DOCKER_NET',
    'PRE_DOCKER_PORTS',
    'PRE_DOCKER_GUARD (security)',
    'PRE_DOCKER_NET (security)',
  ]);
  const forward = find(ipv4.children ?? [], 'PRE_DOCKER').children ?? [];
  assert.deepEqual(labels(forward), [
    'replies (established, related)',
    'allow 8080/tcp from anywhere',
    'allow 8081/tcp from 192.0.2.100/32',
    'the rest: on to Docker’s bridges',
    'state marker',
  ]);
  // When this was recorded, one connection each to 8080 (allowed) and 8081 (allowed from 192.0.2.100, where it came from) got through.
  assert.equal(forward[1]?.description, '1 pkts · 60 B');
  assert.match(forward[1]?.tooltip ?? '', /^`-A PRE_DOCKER -p tcp -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -m comment --comment "docker-firewall:v1 allow tcp\/8080" -j RETURN`/);
  const bridges = labels(find(ipv4.children ?? [], 'PRE_DOCKER_NET').children ?? []);
  assert.ok(bridges.includes('from containers on appbr0') && bridges.includes('block new connections to docker0'), bridges.join(', '));
  const input = labels(find(ipv4.children ?? [], 'PRE_DOCKER_INPUT').children ?? []);
  assert.ok(input.includes('the SSH port (22/tcp) stays open') && input.includes('the rest: on to the host ports'), input.join(', '));
  assert.ok(labels(find(ipv4.children ?? [], 'PRE_DOCKER_PORTS').children ?? []).includes('block 8080/tcp'));
  assert.match(find(ipv4.children ?? [], 'security FORWARD #1').tooltip ?? '', /^Rule 1 of `security FORWARD`/);
  assert.match(find(ipv4.children ?? [], 'PRE_DOCKER_GUARD (security)').tooltip ?? '', /runs after filter .* got past Docker's own rules/);
  assert.match(find(ipv4.children ?? [], 'PRE_DOCKER').tooltip ?? '', /jumped to first from `DOCKER-USER`/);
  const ipv6 = find(rows, 'IPv6');
  const v6input = labels(find(ipv6.children ?? [], 'PRE_DOCKER_INPUT').children ?? []);
  assert.ok(v6input.includes('allow 5353/udp from 2001:db8:1::100/128'), v6input.join(', '));
  // The recording was made from the lab's client 192.0.2.100: the allow from it is this client's.
  assert.deepEqual(labels(find(rows, 'Allows').children ?? []), ['5353/udp from 2001:db8:1::100/128', '8080/tcp from anywhere', '8081/tcp from 192.0.2.100/32 (you)']);
  assert.equal(find(rows, 'Persistence').description, 'not persistent');
});

test('a hook that is not first in DOCKER-USER is flagged', () => {
  const firewall = lockedStatus();
  const rows = chainStatusRows('h2', snapshotOf({ ...rec, firewall: { ...firewall, ipv4: { ...firewall.ipv4, hooks: [{ from: 'DOCKER-USER', spec: '-j PRE_DOCKER', position: 3 }] } } }));
  const hook = find(find(rows, 'IPv4').children ?? [], 'DOCKER-USER #3');
  assert.equal(hook.icon?.id, 'warning');
  assert.match(hook.tooltip ?? '', /Rules above it are not filtered/);
});

test('an unreadable IPv6 and drift are visible on the family rows', () => {
  const firewall = lockedStatus();
  const rows = chainStatusRows(
    'h2',
    snapshotOf({ ...rec, firewall: { ...firewall, ipv4: { ...firewall.ipv4, drift: 'modified' }, ipv6: { ...firewall.ipv6, readable: false } } }),
  );
  assert.match(find(rows, 'IPv4').description ?? '', /changed by hand$/);
  assert.equal(find(rows, 'IPv6').description, 'not readable');
});

test('persistence reads saved, outdated or not persistent', () => {
  const firewall = lockedStatus();
  const persistence = (p: FirewallStatus['persistence']) => find(chainStatusRows('h2', snapshotOf({ ...rec, firewall: { ...firewall, persistence: p } })), 'Persistence').description;
  assert.equal(persistence({ state: 'current', systemd: 'enabled', savedDigest: 'x', firewalldFollower: false }), 'saved, systemd unit enabled');
  assert.equal(persistence({ state: 'outdated', systemd: 'absent', savedDigest: 'x', firewalldFollower: false }), 'saved rules outdated, no systemd');
});

test('before the first read, while reading, and after a failure', () => {
  assert.deepEqual(chainStatusRows('h2', UNKNOWN_SNAPSHOT), []);
  assert.deepEqual(labels(chainStatusRows('h2', { ...UNKNOWN_SNAPSHOT, loading: true })), ['Reading h2…']);
  const failed = chainStatusRows('h2', { status: undefined, loading: false, failure: { message: 'Could not connect to h2', code: 'ConnectionFailed', at: new Date() } });
  assert.equal(failed[0]?.label, 'Could not connect to h2');
  assert.equal(failed[0]?.contextValue, 'statusError');
});

test('row ids are unique', () => {
  const ids: string[] = [];
  const walk = (rows: readonly StatusRow[]) => rows.forEach((r) => (ids.push(r.id), walk(r.children ?? [])));
  walk(chainStatusRows('h2', snapshotOf({ ...rec, firewall: lockedStatus() })));
  assert.equal(new Set(ids).size, ids.length);
});

test('a rule that is not ours shows as written, without any comment of ours', () => {
  assert.equal(ruleLabel({ spec: '-s 10.0.0.0/8 -j ACCEPT', args: ['-s', '10.0.0.0/8', '-j', 'ACCEPT'], role: undefined }), '-s 10.0.0.0/8 -j ACCEPT');
});

test('rule summaries drop only our comment; hook summaries name chain and position', () => {
  assert.equal(ruleSummary('-p udp -m comment --comment "docker-firewall:v1 allow udp/53 from=10.0.0.0/8" -j RETURN'), '-p udp -j RETURN');
  assert.equal(ruleSummary('-s 10.0.0.0/8 -j ACCEPT'), '-s 10.0.0.0/8 -j ACCEPT');
  assert.equal(hookSummary([]), 'not hooked');
  assert.equal(hookSummary([{ from: 'DOCKER-USER', spec: '-j PRE_DOCKER', position: 1 }, { from: 'INPUT', spec: '-j PRE_DOCKER_PROXY', position: 2 }]), 'hooked at DOCKER-USER #1, INPUT #2');
});

test('allows that end show until when and how long is left, an ended one says so, and the allows-ended warning offers Clean Up Expired', () => {
  // The host's clock is pinned (12:00 UTC) so the texts do not depend on when the test runs.
  const now = Date.UTC(2026, 11, 5, 12, 0, 0) / 1000;
  const firewall = { ...lockedStatus(), now };
  const readAt = snapshotOf(locked).status?.readAt.getTime() ?? 0;
  const rowsWith = (ends: readonly (number | undefined)[], warnings: FirewallStatus['warnings']) => {
    const allows = firewall.policy.allows.map((a, i) => ({ ...a, until: ends[i] }));
    return chainStatusRows('h1', snapshotOf({ ...locked, firewall: { ...firewall, policy: { ...firewall.policy, allows }, warnings } }), readAt);
  };
  const warning = { code: 'allows-ended' as const, message: 'An allow has ended: 5353/udp from 2001:db8:1::100/128.' };
  const rows = rowsWith([now - 60, now + 47 * 60, undefined], [warning]);
  const shown = find(rows, 'Allows');
  assert.equal(shown.description, '3 · 1 ended');
  assert.deepEqual(
    (shown.children ?? []).map((r) => [r.label, r.description, r.icon?.id]),
    [
      ['5353/udp from 2001:db8:1::100/128', 'ended at 11:59 UTC', 'lock'],
      ['8080/tcp from anywhere', 'until 12:47 UTC · 47 min left', 'unlock'],
      ['8081/tcp from 192.0.2.100/32 (you)', '', 'unlock'],
    ],
  );
  // An end on another UTC day than the host's clock carries its date.
  const tomorrow = find(rowsWith([undefined, now + 12 * 3600 + 5 * 60, undefined], []), 'Allows');
  assert.equal(tomorrow.children?.[1]?.description, 'until 2026-12-06 00:05 UTC · 12 h 5 min left');
  const warningRow = (find(rows, 'Warnings').children ?? [])[0];
  assert.equal(warningRow?.contextValue, 'statusWarning+allows-ended+prunable');
  assert.equal(warningRow?.hostName, 'h1', 'Clean Up Expired on the row knows its host');
  assert.match(warningRow?.tooltip ?? '', /Clean Up Expired removes their rules/);
});

test('a host locked in nftables (Docker 29’s nftables backend): hooked at our base chains, no guard, each rule’s tooltip in nft’s words', () => {
  const rows = chainStatusRows('h4', snapshotOf(lockedNftablesHost()));
  assert.match(find(rows, 'Lockdown').tooltip ?? '', /the lockdown is in tables `ip docker_firewall` and `ip6 docker_firewall`/);
  const ipv6 = find(rows, 'IPv6');
  assert.match(ipv6.description ?? '', /^hooked at nftables forward #1, nftables input #1 · \d+ rules$/);
  assert.match(ipv6.tooltip ?? '', /the lockdown is table `ip6 docker_firewall`/);
  assert.deepEqual(labels(ipv6.children ?? []), ['nftables forward #1', 'nftables input #1', 'PRE_DOCKER', 'PRE_DOCKER_NET', 'PRE_DOCKER_INPUT', 'PRE_DOCKER_PORTS']);
  const forward = find(ipv6.children ?? [], 'PRE_DOCKER').children ?? [];
  const allow = forward.find((r) => r.label === 'allow 5353/udp from 2001:db8:1::100/128');
  assert.match(allow?.tooltip ?? '', /^`chain PRE_DOCKER: ip6 saddr 2001:db8:1::100 meta l4proto udp ct original proto-dst 5353 counter return comment "docker-firewall:v1 allow udp\/5353 from=2001:db8:1::100\/128"`/);
});
