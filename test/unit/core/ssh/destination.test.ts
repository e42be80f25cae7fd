import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidDestination } from '../../../../src/core/errors';
import { formatDestination, isValidHost, parseDestination, type Destination } from '../../../../src/core/ssh/destination';

test('the documented forms parse to exactly their fields', () => {
  const cases: [string, Destination][] = [
    ['h1', { user: undefined, host: 'h1', hostKind: 'dns', port: undefined }],
    ['deploy@h1.example.test', { user: 'deploy', host: 'h1.example.test', hostKind: 'dns', port: undefined }],
    ['root@192.0.2.1:2222', { user: 'root', host: '192.0.2.1', hostKind: 'ipv4', port: 2222 }],
    ['[2001:db8:1::1]:22', { user: undefined, host: '2001:db8:1::1', hostKind: 'ipv6', port: 22 }],
    ['deploy@[2001:db8::1]', { user: 'deploy', host: '2001:db8::1', hostKind: 'ipv6', port: undefined }],
    ['2001:db8::1', { user: undefined, host: '2001:db8::1', hostKind: 'ipv6', port: undefined }],
    ['fe80::1%eth0', { user: undefined, host: 'fe80::1%eth0', hostKind: 'ipv6', port: undefined }],
    ['ssh://deploy@h1:2200', { user: 'deploy', host: 'h1', hostKind: 'dns', port: 2200 }],
    ['h1-deploy', { user: undefined, host: 'h1-deploy', hostKind: 'dns', port: undefined }],
    ['_svc.internal', { user: undefined, host: '_svc.internal', hostKind: 'dns', port: undefined }],
    ['host.example.test.', { user: undefined, host: 'host.example.test.', hostKind: 'dns', port: undefined }],
  ];
  for (const [input, expected] of cases) assert.deepEqual(parseDestination(input), expected, input);
});

test('bad input is refused with a message that says what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['host;id', /not valid/],
    ['host\nid', /control character/],
    ['deploy @h1', /whitespace/],
    ['höst', /non-ASCII/],
    ['@h1', /user name before "@" is empty/],
    ['a@b@c', /more than one "@"/],
    ['-oProxyCommand=x@h1', /user name/],
    ['h1:0', /port "0" is not a number from 1 to 65535/],
    ['h1:65536', /port/],
    ['h1:022', /port/],
    ['h1:', /port/],
    ['999.1.1.1', /not a valid IPv4 address/],
    ['1.2.3', /not a valid IPv4 address/],
    ['2001:db8::1:22:zz', /not a valid IPv6 address/],
    ['[h1]:22', /brackets are only for IPv6/],
    ['[2001:db8::1', /closing "\]"/],
    ['[2001:db8::1]x', /only ":port" may follow/],
    ['-h1', /not valid/],
    ['a..b', /empty label/],
    [`${'a'.repeat(64)}.test`, /at most 63/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => parseDestination(input),
      (error: unknown) => error instanceof InvalidDestination && message.test(error.message) && error.message.includes(JSON.stringify(input)),
      input,
    );
  }
});

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const dnsName = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.')).filter((n) => !/^[0-9.]+$/.test(n));
const user = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,15}$/);
const port = fc.integer({ min: 1, max: 65535 });
const host: fc.Arbitrary<{ host: string; hostKind: Destination['hostKind'] }> = fc.oneof(
  dnsName.map((h) => ({ host: h, hostKind: 'dns' as const })),
  fc.ipV4().map((h) => ({ host: h, hostKind: 'ipv4' as const })),
  fc.ipV6().map((h) => ({ host: h, hostKind: 'ipv6' as const })),
);
const destination: fc.Arbitrary<Destination> = fc.record({
  user: fc.option(user, { nil: undefined }),
  host,
  port: fc.option(port, { nil: undefined }),
}).map(({ user: u, host: h, port: p }) => ({ user: u, host: h.host, hostKind: h.hostKind, port: p }));

test('property: any valid destination survives format → parse with exactly its fields', () => {
  fc.assert(
    fc.property(destination, (d) => {
      assert.deepEqual(parseDestination(formatDestination(d)), d);
    }),
    { numRuns: 500 },
  );
});

/** Characters that mean something to a shell, a config file or a terminal, and unicode look-alikes. */
const hostile = fc.constantFrom(
  ...[';', '|', '&', '$', '`', "'", '"', '\\', '<', '>', '(', ')', '{', '}', '*', '?', '!', '#', '~', '=', ',', '/', ' ', '\t', '\n', '\r', '\0'],
  ...['\u00e9', '\u0430', '\u200b', '\uff0e', '\u2028', '\ud83d\ude00', '\u0301'],
);

test('property: a valid destination with a hostile character put anywhere is refused', () => {
  fc.assert(
    fc.property(destination, hostile, fc.nat(), (d, bad, at) => {
      const text = formatDestination(d);
      const position = at % (text.length + 1);
      const input = text.slice(0, position) + bad + text.slice(position);
      assert.throws(() => parseDestination(input), InvalidDestination, JSON.stringify(input));
    }),
    { numRuns: 1000 },
  );
});

test('property: arbitrary text is either refused or parsed to fields that print back to the same text', () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: fc.constantFrom(...'ab1.:@[]-_%'.split('')), maxLength: 24 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
  );
  fc.assert(
    fc.property(anyText, (input) => {
      let parsed: Destination;
      try {
        parsed = parseDestination(input);
      } catch (error) {
        assert.ok(error instanceof InvalidDestination, String(error));
        return;
      }
      // Accepted: then every field is plain and the whole input is accounted for.
      assert.equal(formatDestination(parsed), input.replace(/^ssh:\/\//, '').replace(/^\[([^\]]*)\]$/, '$1').replace(/\/$/, ''));
      assert.match(parsed.host, /^[A-Za-z0-9_.:%-]+$/);
      if (parsed.user !== undefined) assert.match(parsed.user, /^[A-Za-z_][A-Za-z0-9_.-]*$/);
      if (parsed.port !== undefined) assert.ok(Number.isInteger(parsed.port) && parsed.port >= 1 && parsed.port <= 65535);
    }),
    { numRuns: 2000 },
  );
});

test('isValidHost accepts bare names and addresses only', () => {
  assert.equal(isValidHost('h1.example.test'), true);
  assert.equal(isValidHost('2001:db8::1'), true);
  assert.equal(isValidHost('192.0.2.1'), true);
  assert.equal(isValidHost('root@h1'), false);
  assert.equal(isValidHost('h1:22'), false);
  assert.equal(isValidHost('h1;id'), false);
});
