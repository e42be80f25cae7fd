import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePortSpec } from '../../../src/core/firewall/port';
import { InvalidInput } from '../../../src/core/errors';
import { isRecord, parseChainName, parseCidr, parsePort, parseProto } from '../../../src/core/validate';

const nasty = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('80;id', '$(id)', '`id`', '80\nid', '8080 ', '0', '65536', '-1', '1e3', '0x50', '８０', '80/tcp;ls', "8080'", '80/TCP', '80/sctp', '80/'),
);

test('ports are whole numbers from 1 to 65535, anything else is refused with a message', () => {
  assert.equal(parsePort('1'), 1);
  assert.equal(parsePort('65535'), 65535);
  for (const bad of ['0', '65536', '80;id', '', ' ', '1.5', '0x50', '８０', '-1']) {
    assert.throws(() => parsePort(bad), (e: unknown) => e instanceof InvalidInput && /1 to 65535/.test(e.message), bad);
  }
});

test('a port spec is PORT or PORT/PROTO with tcp by default', () => {
  assert.deepEqual(parsePortSpec('8080'), { port: 8080, proto: 'tcp' });
  assert.deepEqual(parsePortSpec('5353/udp'), { port: 5353, proto: 'udp' });
  assert.deepEqual(parsePortSpec('53/UDP'), { port: 53, proto: 'udp' });
  assert.throws(() => parsePortSpec('80/sctp'), /tcp or udp/);
  assert.throws(() => parseProto('icmp'), /tcp or udp/);
});

test('any string is either refused or yields a canonical port spec', () => {
  fc.assert(
    fc.property(nasty, (input) => {
      try {
        const spec = parsePortSpec(input);
        assert.ok(Number.isInteger(spec.port) && spec.port >= 1 && spec.port <= 65535);
        assert.ok(spec.proto === 'tcp' || spec.proto === 'udp');
      } catch (error) {
        assert.ok(error instanceof InvalidInput, String(error));
        assert.ok(!error.message.includes('\n'), 'messages show control characters escaped');
      }
    }),
    { numRuns: 2000 },
  );
});

test('CIDRs are normalised to the network iptables prints back', () => {
  assert.deepEqual(parseCidr('203.0.113.5/24'), { family: 'ipv4', text: '203.0.113.0/24' });
  assert.deepEqual(parseCidr('198.51.100.7'), { family: 'ipv4', text: '198.51.100.7/32' });
  assert.deepEqual(parseCidr('2001:DB8:1::1/64'), { family: 'ipv6', text: '2001:db8:1::/64' });
  assert.deepEqual(parseCidr('0.0.0.0/0'), { family: 'ipv4', text: '0.0.0.0/0' });
  for (const bad of ['203.0.113.0/33', '10.0.0.0/24;id', '010.0.0.1', '0x7f.1', '1.2.3', 'fe80::1%eth0', '::/129', 'example.com', '1.2.3.4/24/1', '']) {
    assert.throws(() => parseCidr(bad), InvalidInput, bad);
  }
});

test('any string is either refused as a CIDR or yields one of strict shape', () => {
  fc.assert(
    fc.property(fc.oneof(nasty, fc.ipV4().map((ip) => `${ip}/24`), fc.ipV6()), (input) => {
      try {
        const cidr = parseCidr(input);
        assert.match(cidr.text, cidr.family === 'ipv4' ? /^[0-9.]+\/\d{1,2}$/ : /^[0-9a-f:.]+\/\d{1,3}$/);
      } catch (error) {
        assert.ok(error instanceof InvalidInput, String(error));
      }
    }),
    { numRuns: 2000 },
  );
});

test('chain names are short identifiers that are not built-in or Docker chains', () => {
  assert.equal(parseChainName('PRE_DOCKER'), 'PRE_DOCKER');
  for (const bad of ['', 'FORWARD', 'DOCKER-USER', 'a b', 'x;id', 'A'.repeat(22), '1ABC', 'PRE\nDOCKER']) {
    assert.throws(() => parseChainName(bad), InvalidInput, bad);
  }
  fc.assert(
    fc.property(nasty, (input) => {
      try {
        assert.match(parseChainName(input), /^[A-Za-z][A-Za-z0-9_-]{0,20}$/);
      } catch (error) {
        assert.ok(error instanceof InvalidInput);
      }
    }),
  );
});

test('a record is a JSON object: not null, an array or a scalar', () => {
  for (const value of [{}, { a: 1 }, JSON.parse('{"__proto__":[]}') as unknown]) assert.equal(isRecord(value), true, JSON.stringify(value));
  for (const value of [null, undefined, [], [{}], 'x', 1, true]) assert.equal(isRecord(value), false, JSON.stringify(value));
});
