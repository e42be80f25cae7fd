import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInvocation, USAGE } from '../../../src/cli/args';
import { EXIT, VERIFY_EXIT } from '../../../src/cli/main';
import { verifyJson } from '../../../src/cli/verify';
import { formatVerify, progressLine } from '../../../src/cli/verifyFormat';
import { InvalidInput } from '../../../src/core/errors';
import { lockedReport } from '../../support/verifyReports';

test('verify HOST takes --timeout and --parallel, with defaults of 1500 ms and 32', () => {
  const inv = parseInvocation(['--json', '--ssh-config', 'c', 'verify', 'h1', '--timeout', '800', '--parallel', '4']);
  assert.ok(inv.command === 'verify');
  assert.deepEqual([inv.host, inv.timeoutMs, inv.parallel, inv.options.json, inv.options.sshConfig], ['h1', 800, 4, true, 'c']);
  const plain = parseInvocation(['verify', 'deploy@192.0.2.1']);
  assert.ok(plain.command === 'verify');
  assert.deepEqual([plain.timeoutMs, plain.parallel], [1500, 32]);
});

test('verify takes several hosts and --hosts-from (verified one after another; --parallel stays probes at once)', () => {
  const inv = parseInvocation(['--json', 'verify', 'h1', 'deploy@192.0.2.2', '--parallel', '8']);
  assert.ok(inv.command === 'verify');
  assert.deepEqual([inv.host, inv.hosts, inv.hostsFrom, inv.parallel], ['h1', ['h1', 'deploy@192.0.2.2'], undefined, 8]);
  const fromFile = parseInvocation(['verify', '--hosts-from', 'fleet.txt']);
  assert.ok(fromFile.command === 'verify');
  assert.deepEqual([fromFile.host, fromFile.hosts, fromFile.hostsFrom], ['', [], 'fleet.txt']);
  assert.throws(() => parseInvocation(['history', 'h1', 'h2']), /Unexpected argument "h2"/);
});

test('verify refuses what it does not take, and other commands refuse --timeout, and one-host ones --parallel: exit 2 before anything connects', () => {
  for (const argv of [
    ['verify'],
    ['verify', 'h1', ''],
    ['verify', 'h1', '--dry-run'],
    ['verify', 'h1', '--allow', '80'],
    ['verify', 'h1', '--from', '10.0.0.0/8'],
    ['verify', 'h1', '--timeout', '0'],
    ['verify', 'h1', '--timeout', '1e3'],
    ['verify', 'h1', '--timeout', '600001'],
    ['verify', 'h1', '--parallel', '0'],
    ['verify', 'h1', '--parallel', '257'],
    ['verify', 'h1', '--parallel', '-1'],
    ['status', 'h1', '--timeout', '100'],
    ['allow', 'h1', '8080', '--parallel', '4'],
    ['verify', 'h1', '--check'],
  ]) {
    assert.throws(() => parseInvocation(argv), InvalidInput, argv.join(' '));
  }
});

test('the usage names verify and its exit codes; verify’s verdicts map to 0, 5 and 1', () => {
  assert.match(USAGE, /docker-firewall \[options\] verify HOST\.\.\. \[--timeout MS\] \[--parallel N\]/);
  assert.match(USAGE, /5 verify found a port that does not\nbehave as the rules say/);
  assert.equal(EXIT.mismatch, 5);
  assert.deepEqual(VERIFY_EXIT, { match: 0, mismatch: 5, 'cannot-probe': 1 });
});

const reportFor = lockedReport;

test('the table lists mismatches first, marked ERROR and WARNING, then says why and the budget used', async () => {
  // 8081 is allowed from 192.0.2.100 only, where this machine is: open, as the rules say.
  const report = await reportFor({ '192.0.2.1 22/tcp': 'open', '192.0.2.1 5353/udp': 'open', '192.0.2.1 8081/tcp': 'open', '192.0.2.1 8082/tcp': 'closed' });
  const text = formatVerify('h1', report, {});
  const lines = text.split('\n');
  assert.match(lines[0] ?? '', /^h1, checked from this machine \(laptop, leaving from 192\.0\.2\.100\) at \d{4}-/);
  assert.equal(lines[1], '  192.0.2.1: SSH port 22 answered before and after the probes');
  const table = lines.filter((l) => /^ {2}(RESULT|ERROR|WARNING|ok) /.test(l));
  assert.match(table[0] ?? '', /^ {2}RESULT +ADDRESS +PORT +CONTAINER +EXPECTED +OBSERVED +DETAIL$/);
  assert.match(table[1] ?? '', /^ {2}ERROR +192\.0\.2\.1 +5353\/udp +dns +unreachable +open /);
  assert.match(table[2] ?? '', /^ {2}WARNING +192\.0\.2\.1 +8080\/tcp +web +reachable +filtered +no answer in 50 ms$/);
  assert.ok(table.slice(3).every((l) => l.startsWith('  ok ')), table.join('\n'));
  assert.match(text, /^ {2}\[::\]:5353\/udp \(dns\), \[::\]:8080\/tcp \(web\), \[::\]:8081\/tcp \(app\): no IPv6 address of the host is known here$/m);
  assert.match(text, /^MISMATCH: 1 port the rules close ANSWERS from here \(ERROR: the lockdown does not hold for it\); 1 port the rules open does not answer from here \(WARNING: something else filters it/m);
  assert.match(lines.at(-1) ?? '', /^4 probes \(32 at once, 50 ms each\): \d+\.\d s of a 0\.2 s budget\.$/);
});

test('without an answer on the SSH port: no table, and the verdict says nothing from here can be trusted (and names the jump host)', async () => {
  const report = await reportFor({});
  const text = formatVerify('h1', report, { proxyJump: 'bastion' });
  assert.ok(!text.includes('RESULT'), text);
  assert.match(text, /192\.0\.2\.1: SSH port 22 did not answer \(no answer in 50 ms\): not probed/);
  assert.match(text, /^Cannot probe from here: the SSH port did not answer from here .* SSH reaches h1 through the jump host bastion/m);
  assert.match(text, /0\.0\.0\.0:8080\/tcp \(web\)/, 'every binding is listed as not probed');
});

test('--json has host, at, from, addresses, results with expected, observed and match, and the mismatch count', async () => {
  const report = await reportFor({ '192.0.2.1 22/tcp': 'open', '192.0.2.1 8080/tcp': 'open', '192.0.2.1 8081/tcp': 'open', '192.0.2.1 5353/udp': 'open' });
  const json = verifyJson('h1', report, { hostName: '192.0.2.1', port: 22, proxyJump: undefined });
  assert.deepEqual(Object.keys(json).slice(0, 7), ['schema', 'host', 'at', 'from', 'ssh', 'addresses', 'results']);
  assert.equal(json.host, 'h1');
  assert.equal(json.at, report.at.toISOString());
  assert.deepEqual(json.from, { machine: 'laptop', sourceAddresses: ['192.0.2.100'] });
  assert.deepEqual(json.addresses, [{ address: '192.0.2.1', family: 'ipv4', source: 'ssh', control: { port: 22, before: 'open', after: 'open' }, trusted: true }]);
  assert.deepEqual(json.results[0], { address: '192.0.2.1', port: 5353, proto: 'udp', container: 'dns', expected: 'unreachable', observed: 'open', match: false, severity: 'error', detail: 'replied (5 bytes)' });
  assert.equal(json.mismatches, 1);
  assert.equal(json.verdict, 'mismatch');
  assert.equal(typeof json.budgetMs, 'number');
});

test('the progress line counts probes against the budget', () => {
  assert.equal(progressLine('h1', { done: 12, total: 40, elapsedMs: 1234, budgetMs: 4500 }), 'verify h1: 12/40 probes, 1.2 s of a 4.5 s budget');
});
