import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseApplyResult } from '../../../../src/core/firewall/applyCommand';
import { ApplyFailed } from '../../../../src/core/firewall/errors';
import { renderLayout } from '../../../../src/core/firewall/layout';
import { transitionPayload } from '../../../../src/core/firewall/transition';
import { DEFAULT_CHAIN } from '../../../../src/core/validate';

/**
 * Found by test/lab/reliability/concurrency.test.ts: one client unblocked (deleting PRE_DOCKER) while
 * another allowed a port. The allow's iptables-nft-restore had read the tables with PRE_DOCKER still
 * there, and the kernel refused the transaction when it was committed, reported at the COMMIT line.
 * That was taken for a failure (exit 1 with iptables' message) instead of a change to re-plan.
 */
const context = { chain: DEFAULT_CHAIN, dockerUser: true, bridges: ['docker0', 'br-0123456789ab'], sshPort: 22, hostPorts: [] };
const from = renderLayout('ipv4', { locked: true, allows: [{ port: 8080, proto: 'tcp' }] }, context);
const to = renderLayout('ipv4', { locked: true, allows: [{ port: 8080, proto: 'tcp' }, { port: 8081, proto: 'tcp' }] }, context);
const ipv4 = transitionPayload(from, to).join('\n');
const commitLine = ipv4.split('\n').indexOf('COMMIT') + 1;

const failed = (stderr: string) => ({ stdout: '', stderr, code: 3 });

test('a chain deleted by another client, found missing at COMMIT by nf_tables, is a conflict to re-plan', () => {
  // Recorded from the lab (iptables v1.8.9, nf_tables).
  const stderr =
    "iptables-nft-restore v1.8.9 (nf_tables): Chain 'PRE_DOCKER' does not exist\n" +
    `Error occurred at line: ${commitLine}\n` +
    "Try `iptables-nft-restore -h' or 'iptables-nft-restore --help' for more information.\n### failed ipv4\n";
  assert.equal(parseApplyResult(failed(stderr), { ipv4 }).kind, 'conflict');
});

test('the parse-time refusals of -D and -N stay conflicts', () => {
  const deleteLine = ipv4.split('\n').findIndex((l) => l.startsWith('-D ')) + 1;
  assert.equal(parseApplyResult(failed(`iptables-nft-restore: line ${deleteLine} failed: Bad rule (does a matching rule exist in that chain?).\n### failed ipv4\n`), { ipv4 }).kind, 'conflict');
});

test('a missing chain that the payload does not name, or an error at another line, is still a failure', () => {
  const other = "iptables-nft-restore v1.8.9 (nf_tables): Chain 'SOMEONE_ELSES' does not exist\n" + `Error occurred at line: ${commitLine}\n### failed ipv4\n`;
  assert.throws(() => parseApplyResult(failed(other), { ipv4 }), ApplyFailed);
  const appendLine = ipv4.split('\n').findIndex((l) => l.startsWith('-A ')) + 1;
  const match = `iptables-nft-restore v1.8.9 (nf_tables): Couldn't load match \`conntrack':No such file or directory\nError occurred at line: ${appendLine}\n### failed ipv4\n`;
  assert.throws(() => parseApplyResult(failed(match), { ipv4 }), ApplyFailed);
});

test('a failure in a later table says which tables of that family were already changed', () => {
  const payload = ['*filter', ':PRE_DOCKER - [0:0]', '-A PRE_DOCKER -j RETURN', 'COMMIT', '*security', '-A FORWARD -j NOWHERE', 'COMMIT', ''].join('\n');
  const stderr = "iptables-nft-restore v1.8.9 (nf_tables): Chain 'NOWHERE' does not exist\nError occurred at line: 6\n### failed ipv4\n";
  assert.throws(
    () => parseApplyResult({ stdout: '', stderr, code: 3 }, { ipv4: payload }),
    (error: unknown) => error instanceof ApplyFailed && /IPv4 is partly applied: the filter table was changed/.test(error.message),
  );
});

test('an IPv6 failure says whether IPv4 was rolled back', () => {
  const payload = ['*filter', '-A INPUT -j NOWHERE', 'COMMIT', ''].join('\n');
  const failed = (rollback: string) => ({ stdout: '', stderr: `iptables: No chain/target/match by that name.\nError occurred at line: 2\n### failed ipv6\n${rollback}`, code: 4 });
  assert.throws(() => parseApplyResult(failed(''), { ipv4: payload, ipv6: payload }), /IPv4 was rolled back/);
  assert.throws(() => parseApplyResult(failed('### rollback failed ipv4\n'), { ipv4: payload, ipv6: payload }), /IPv4 was changed and could not be rolled back/);
});

test('a host whose iptables cannot load the time match refuses an allow for a while with what to do, not iptables\' words alone', () => {
  const timed = transitionPayload(from, renderLayout('ipv4', { locked: true, allows: [{ port: 8080, proto: 'tcp', until: 1_800_000_000 }] }, context)).join('\n');
  const line = timed.split('\n').findIndex((l) => l.includes('-m time')) + 1;
  // Recorded here: iptables-nft-restore with XTABLES_LIBDIR lacking libxt_time.so, in a throwaway namespace.
  const stderr =
    "iptables-nft-restore v1.8.9 (nf_tables): Couldn't load match `time':No such file or directory\n\n" +
    `Error occurred at line: ${line}\n` +
    "Try `iptables-nft-restore -h' or 'iptables-nft-restore --help' for more information.\n### failed ipv4\n";
  assert.throws(() => parseApplyResult(failed(stderr), { ipv4: timed }), (error: unknown) => {
    assert.ok(error instanceof ApplyFailed);
    assert.match(error.message, /cannot load iptables' time match \(kernel module xt_time\).*allow without --for, or load the module/);
    return true;
  });
  // The same words from a payload without a time match are iptables' own failure, passed on as they are.
  assert.throws(() => parseApplyResult(failed(stderr), { ipv4 }), (error: unknown) => error instanceof ApplyFailed && !error.message.includes('xt_time'));
});
