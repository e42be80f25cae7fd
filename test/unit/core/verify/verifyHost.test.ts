import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Observation, ProbeOutcome, Prober } from '../../../../src/core/verify/observation';
import type { ProbeAddress } from '../../../../src/core/verify/targets';
import { verifyHost, type VerifyInput, type VerifyReport } from '../../../../src/core/verify/verifyHost';
import { lockedHost, openHost } from '../../../support/recordedHosts';

// verifyHost with a stand-in prober that answers from a table, and records every probe it was
// asked for: the recorded lab hosts' ports and policies, seen from the lab's outside machine.

const H1: ProbeAddress = { address: '192.0.2.1', family: 'ipv4', source: 'ssh' };
const H1_V6: ProbeAddress = { address: '2001:db8:1::1', family: 'ipv6', source: 'host' };
const SOURCE = { ipv4: '192.0.2.100', ipv6: '2001:db8:1::100' };

interface FakeNetwork {
  /** `address port/proto` → what a probe sees; anything else is filtered (dropped). */
  readonly answers: Record<string, Observation>;
  /** Addresses whose SSH port stops answering after this many probes of it. */
  readonly sshDiesAfter?: Record<string, number>;
  readonly delayMs?: number;
}

function fakeProber(network: FakeNetwork): Prober & { calls: string[] } {
  const calls: string[] = [];
  const sshProbes: Record<string, number> = {};
  const probe = (proto: 'tcp' | 'udp') => async (address: string, port: number, options: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<ProbeOutcome> => {
    const key = `${address} ${port}/${proto}`;
    calls.push(key);
    if (network.delayMs !== undefined) await sleep(network.delayMs, undefined, { signal: options.signal });
    let observed: Observation = network.answers[key] ?? (proto === 'udp' ? 'open|filtered' : 'filtered');
    if (port === 22 && proto === 'tcp') {
      sshProbes[address] = (sshProbes[address] ?? 0) + 1;
      const dies = network.sshDiesAfter?.[address];
      if (dies !== undefined && (sshProbes[address] ?? 0) > dies) observed = 'filtered';
    }
    const localAddress = address.includes(':') ? SOURCE.ipv6 : SOURCE.ipv4;
    return { observed, detail: observed === 'open' ? 'connected' : 'no answer', ms: 1, localAddress: observed === 'open' ? localAddress : undefined };
  };
  return { tcp: probe('tcp'), udp: probe('udp'), calls };
}

const locked = lockedHost('20').firewall;
const input = (addresses: readonly ProbeAddress[] = [H1], firewall = locked): VerifyInput => ({
  ports: firewall.ports,
  allows: firewall.policy.allows,
  addresses,
  sshPort: 22,
});
const SSH_UP: Record<string, Observation> = { '192.0.2.1 22/tcp': 'open', '2001:db8:1::1 22/tcp': 'open' };
/** What the lab's h1 answers with web (8080) and app (8081, allowed from 192.0.2.100) open, the rest dropped or refused. */
const LOCKED_ANSWERS: Record<string, Observation> = {
  ...SSH_UP,
  '192.0.2.1 8080/tcp': 'open',
  '192.0.2.1 8081/tcp': 'open',
  '192.0.2.1 8082/tcp': 'closed',
  '2001:db8:1::1 8080/tcp': 'open',
  '2001:db8:1::1 5353/udp': 'open',
};

const rows = (report: VerifyReport) => report.results.map((r) => `${r.address} ${r.port}/${r.proto} ${r.expected} ${r.observed} ${r.match ? 'match' : r.severity ?? ''}`);

test('a locked host whose every port behaves as its rules say, from an allowed source: match, and every result says what was expected and seen', async () => {
  const prober = fakeProber({ answers: LOCKED_ANSWERS });
  const report = await verifyHost(input([H1, H1_V6]), { prober, timeoutMs: 50, machine: 'client' });
  assert.equal(report.verdict, 'match', JSON.stringify(rows(report)));
  assert.deepEqual(rows(report), [
    '192.0.2.1 5353/udp unreachable open|filtered match',
    '2001:db8:1::1 5353/udp reachable open match',
    '192.0.2.1 8080/tcp reachable open match',
    '2001:db8:1::1 8080/tcp reachable open match',
    '192.0.2.1 8081/tcp reachable open match',
    '2001:db8:1::1 8081/tcp unreachable filtered match',
    '192.0.2.1 8082/tcp unreachable closed match',
  ]);
  assert.deepEqual(report.from, { machine: 'client', sourceAddresses: ['192.0.2.100', '2001:db8:1::100'] });
  assert.deepEqual(report.mismatches, { errors: 0, warnings: 0 });
  assert.deepEqual(report.addresses.map((a) => [a.address, a.trusted]), [['192.0.2.1', true], ['2001:db8:1::1', true]]);
  assert.equal(report.probes, 7);
});

test('only the host’s own addresses are probed, on its listed ports and its SSH port: nothing else', async () => {
  const prober = fakeProber({ answers: LOCKED_ANSWERS });
  await verifyHost(input([H1, H1_V6]), { prober, timeoutMs: 50 });
  const allowed = new Set(['22/tcp', ...locked.ports.map((p) => `${p.hostPort}/${p.proto}`)]);
  for (const call of prober.calls) {
    const [address, port] = call.split(' ');
    assert.ok(address === H1.address || address === H1_V6.address, call);
    assert.ok(allowed.has(port ?? ''), call);
  }
});

test('a blocked port that answers is an error-level mismatch, listed first', async () => {
  const prober = fakeProber({ answers: { ...LOCKED_ANSWERS, '2001:db8:1::1 8081/tcp': 'open' } });
  const report = await verifyHost(input([H1, H1_V6]), { prober, timeoutMs: 50 });
  assert.equal(report.verdict, 'mismatch');
  assert.deepEqual(report.mismatches, { errors: 1, warnings: 0 });
  assert.equal(rows(report)[0], '2001:db8:1::1 8081/tcp unreachable open error');
  assert.equal(report.results[0]?.bindings[0]?.container, 'app');
});

test('an allowed port that does not answer from here is a warning-level mismatch', async () => {
  const prober = fakeProber({ answers: { ...LOCKED_ANSWERS, '192.0.2.1 8080/tcp': 'filtered' } });
  const report = await verifyHost(input(), { prober, timeoutMs: 50 });
  assert.equal(report.verdict, 'mismatch');
  assert.deepEqual(report.mismatches, { errors: 0, warnings: 1 });
  assert.equal(rows(report)[0], '192.0.2.1 8080/tcp reachable filtered warning');
});

test('a port allowed from a range this machine is not in is expected closed from here', async () => {
  const prober = fakeProber({ answers: { ...LOCKED_ANSWERS, '192.0.2.1 8081/tcp': 'filtered' } });
  const report = await verifyHost(input(), { prober, timeoutMs: 50 });
  // The fake leaves from 192.0.2.100, which 8081's allow names: filtered is a warning there…
  assert.equal(report.results.find((r) => r.port === 8081)?.severity, 'warning');
  // …and from another machine it is what the rules say.
  const elsewhere: Prober = {
    tcp: async (a, p, o) => ({ ...(await prober.tcp(a, p, o)), localAddress: '192.0.2.101' }),
    udp: prober.udp,
  };
  const report2 = await verifyHost(input(), { prober: elsewhere, timeoutMs: 50 });
  const app = report2.results.find((r) => r.port === 8081);
  assert.equal(app?.expected, 'unreachable');
  assert.equal(app?.match, true);
  assert.match(app?.expectedNote ?? '', /allowed from 192\.0\.2\.100\/32 only; this machine left from 192\.0\.2\.101/);
});

test('the positive control: when the SSH port does not answer from here, nothing is probed and the verdict is cannot-probe, never match', async () => {
  const prober = fakeProber({ answers: {} });
  const report = await verifyHost(input(), { prober, timeoutMs: 50 });
  assert.equal(report.verdict, 'cannot-probe');
  assert.match(report.reason ?? '', /the SSH port did not answer from here \(192\.0\.2\.1 port 22: no answer\)/);
  assert.deepEqual(report.results, []);
  assert.deepEqual(prober.calls, ['192.0.2.1 22/tcp']);
});

test('when the SSH port stops answering during the check, the silent ports prove nothing: cannot-probe', async () => {
  const prober = fakeProber({ answers: LOCKED_ANSWERS, sshDiesAfter: { '192.0.2.1': 1 } });
  const report = await verifyHost(input(), { prober, timeoutMs: 50 });
  assert.equal(report.verdict, 'cannot-probe');
  assert.match(report.reason ?? '', /stopped answering during the check/);
  // Only the ports that answered are kept: they are evidence whatever happened next.
  assert.ok(report.results.every((r) => r.observed === 'open'), JSON.stringify(rows(report)));
});

test('…but a blocked port that answered is a mismatch whatever the control did afterwards', async () => {
  const prober = fakeProber({ answers: { ...LOCKED_ANSWERS, '192.0.2.1 5353/udp': 'open' }, sshDiesAfter: { '192.0.2.1': 1 } });
  const report = await verifyHost(input(), { prober, timeoutMs: 50 });
  assert.equal(report.verdict, 'mismatch');
  assert.equal(rows(report)[0], '192.0.2.1 5353/udp unreachable open error');
});

test('an address of the host whose SSH port does not answer from here is listed and skipped; the others are checked', async () => {
  const prober = fakeProber({ answers: { ...LOCKED_ANSWERS, '2001:db8:1::1 22/tcp': 'filtered' } });
  const report = await verifyHost(input([H1, H1_V6]), { prober, timeoutMs: 50 });
  assert.equal(report.verdict, 'match');
  assert.deepEqual(report.addresses.map((a) => [a.address, a.trusted]), [['192.0.2.1', true], ['2001:db8:1::1', false]]);
  assert.ok(!prober.calls.some((c) => c.startsWith('2001:db8:1::1 ') && !c.endsWith(' 22/tcp')), prober.calls.join('\n'));
  assert.ok(report.unprobed.some((u) => /2001:db8:1::1 does not answer on its SSH port from here/.test(u.reason)));
});

test('no address at all: cannot-probe, with why', async () => {
  const report = await verifyHost({ ...input([]), addressProblem: 'h9 does not resolve on this machine' }, { prober: fakeProber({ answers: {} }), timeoutMs: 50 });
  assert.equal(report.verdict, 'cannot-probe');
  assert.equal(report.reason, 'there is no address to probe: h9 does not resolve on this machine');
});

test('probes that outlast the budget are cut, and the verdict is cannot-probe', async () => {
  // Each probe takes 200 ms although told 20: the budget (three rounds of 20 ms plus the controls') runs out.
  const slow = fakeProber({ answers: LOCKED_ANSWERS, delayMs: 200 });
  const fastControl: Prober = { tcp: (a, p, o) => (p === 22 ? fakeProber({ answers: SSH_UP }).tcp(a, p, o) : slow.tcp(a, p, o)), udp: slow.udp };
  const report = await verifyHost(input(), { prober: fastControl, timeoutMs: 20, parallel: 2 });
  assert.equal(report.verdict, 'cannot-probe');
  assert.match(report.reason ?? '', /the budget of \d+ ms ran out with 4 of 4 probes not done/);
  assert.equal(report.budgetMs, (Math.ceil(4 / 2) + 1) * 20 + 2 * 20);
});

test('an open host: every port reachable (a host-network container’s too); the progress counts every probe', async () => {
  const open = openHost('28').firewall;
  const seen: number[] = [];
  const prober = fakeProber({ answers: { ...LOCKED_ANSWERS, '192.0.2.1 5353/udp': 'open', '192.0.2.1 8090/tcp': 'open' } });
  const report = await verifyHost(input([H1], open), { prober, timeoutMs: 50, onProgress: (p) => seen.push(p.done) });
  assert.equal(report.verdict, 'match', JSON.stringify(rows(report)));
  assert.ok(open.ports.some((p) => p.hostPort === 8090 && p.exposure === 'host-network'), 'the recording has a host-network port');
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
});
