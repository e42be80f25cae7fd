import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseInvocation } from '../../../src/cli/args';
import { InvalidInput } from '../../../src/core/errors';

test('block takes repeated --allow specs and global options', () => {
  const inv = parseInvocation(['--chain', 'MY_CHAIN', '--json', '-i', 'a', '-i', 'b', 'block', 'h1', '--allow', '8080', '--allow', '5353/udp', '--dry-run']);
  assert.ok(inv.command === 'block');
  assert.equal(inv.host, 'h1');
  assert.equal(inv.dryRun, true);
  assert.deepEqual(inv.options.identities, ['a', 'b']);
  assert.equal(inv.options.chain, 'MY_CHAIN');
  assert.deepEqual(inv.allows, [{ port: 8080, proto: 'tcp', from: undefined }, { port: 5353, proto: 'udp', from: undefined }]);
});

test('allow and deny take one PORT[/PROTO] and an optional --from', () => {
  const inv = parseInvocation(['allow', 'deploy@192.0.2.1:22', '8080', '--from', '198.51.100.9']);
  assert.ok(inv.command === 'allow');
  assert.deepEqual(inv.allows, [{ port: 8080, proto: 'tcp', from: { family: 'ipv4', text: '198.51.100.9/32' } }]);
});

test('allow takes --from me and --for DURATION; deny takes --from me; prune takes a host and --dry-run', () => {
  const allow = parseInvocation(['allow', 'h1', '8080/udp', '--from', 'me', '--for', '2h']);
  assert.ok(allow.command === 'allow');
  assert.deepEqual(allow.allows, [{ port: 8080, proto: 'udp', from: 'me', forSeconds: 7200 }]);
  const deny = parseInvocation(['deny', 'h1', '8080', '--from', 'me']);
  assert.ok(deny.command === 'deny');
  assert.deepEqual(deny.allows, [{ port: 8080, proto: 'tcp', from: 'me' }]);
  const prune = parseInvocation(['prune', 'h1', '--dry-run']);
  assert.ok(prune.command === 'prune' && prune.dryRun && prune.allows.length === 0);
});

test('the durations and options the issue names as bad are refused before anything connects', () => {
  for (const duration of ['0', '5s', '1y', '10x']) {
    assert.throws(() => parseInvocation(['allow', 'h1', '8080', '--for', duration]), InvalidInput, duration);
  }
  assert.throws(() => parseInvocation(['deny', 'h1', '8080', '--for', '1h']), /--for goes with allow/);
  assert.throws(() => parseInvocation(['block', 'h1', '--for', '1h']), /--for goes with allow/);
  assert.throws(() => parseInvocation(['verify', 'h1', '--for', '1h']), /--for goes with allow/);
  assert.throws(() => parseInvocation(['allow', 'h1', '8080', '--from', 'myself']), /not an address or CIDR/);
});

test('status, block, unblock, prune, persist and ps take several hosts and --hosts-from, --parallel hosts at once; --check is --dry-run', () => {
  const inv = parseInvocation(['block', 'h1', 'deploy@192.0.2.2:2222', 'h3', '--parallel', '2', '--check', '--allow', '8080']);
  assert.ok(inv.command === 'block');
  assert.deepEqual(inv.hosts, ['h1', 'deploy@192.0.2.2:2222', 'h3']);
  assert.equal(inv.parallel, 2);
  assert.equal(inv.dryRun, true);
  const fromFile = parseInvocation(['status', '--hosts-from', 'fleet.txt']);
  assert.ok(fromFile.command === 'status');
  assert.deepEqual([fromFile.hosts, fromFile.hostsFrom, fromFile.parallel], [[], 'fleet.txt', 8]);
  const allow = parseInvocation(['allow', 'h1', '8080']);
  assert.ok(allow.command === 'allow');
  assert.deepEqual(allow.hosts, ['h1']);
  for (const bad of [
    ['allow', 'h1', '8080', '--hosts-from', 'f'],
    ['deny', 'h1', '8080', '--parallel', '2'],
    ['status', 'h1', '--parallel', '0'],
    ['status', 'h1', '--parallel', '65'],
    ['status', 'h1', ''],
    ['status', '--check'],
    ['status', 'h1', '--check'],
  ]) {
    assert.throws(() => parseInvocation(bad), InvalidInput, bad.join(' '));
  }
});

test('every bad input is an InvalidInput (exit 2) before anything connects', () => {
  const bad = [
    [],
    ['frobnicate', 'h1'],
    ['status'],
    ['allow', 'h1'],
    ['allow', 'h1', '0'],
    ['allow', 'h1', '65536'],
    ['allow', 'h1', '80;id'],
    ['allow', 'h1', '80/icmp'],
    ['allow', 'h1', '80', '--from', '10.0.0.0/33'],
    ['allow', 'h1', '80', 'extra'],
    ['status', 'h1', '--dry-run'],
    ['block', 'h1', '--from', '10.0.0.0/8'],
    ['unblock', 'h1', '--allow', '80'],
    ['--chain', 'FORWARD', 'status', 'h1'],
    ['--bogus', 'status', 'h1'],
  ];
  for (const argv of bad) assert.throws(() => parseInvocation(argv), InvalidInput, argv.join(' '));
});

test('no argument vector makes the parser throw anything but InvalidInput', () => {
  const word = fc.oneof(fc.string(), fc.constantFrom('allow', 'deny', 'block', 'h1', '--from', '--allow', '8080', '--dry-run', '-i', '--chain', '--json'));
  fc.assert(
    fc.property(fc.array(word, { maxLength: 6 }), (argv) => {
      try {
        parseInvocation(argv);
      } catch (error) {
        assert.ok(error instanceof InvalidInput, `${String(error)} for ${JSON.stringify(argv)}`);
      }
    }),
    { numRuns: 1000 },
  );
});

test('an option refused by the parser is shown with its control characters escaped, never raw (a CR would rewrite the terminal line)', () => {
  assert.throws(
    () => parseInvocation(['allow', 'h1', '-\r', '20']),
    (error: unknown) => error instanceof InvalidInput && !error.message.includes('\r') && error.message.includes('\\r'),
  );
});
