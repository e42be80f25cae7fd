import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePortInput, parseSource, portSpecProblem, sourceProblem } from '../../../../src/vscode/ui/inputValidation';

test('a port, or port/protocol, is accepted; the box says what is wrong otherwise', () => {
  assert.equal(portSpecProblem('8080'), undefined);
  assert.equal(portSpecProblem(' 5353/udp '), undefined);
  assert.match(portSpecProblem('http') ?? '', /not a port/);
  assert.match(portSpecProblem('70000') ?? '', /out of range/);
  assert.match(portSpecProblem('53/icmp') ?? '', /tcp or udp/);
});

test('a typed port remembers whether its protocol was given', () => {
  assert.deepEqual(parsePortInput('8080'), { port: 8080, proto: 'tcp', explicitProto: false });
  assert.deepEqual(parsePortInput('53/UDP'), { port: 53, proto: 'udp', explicitProto: true });
});

test('an empty source means anywhere; addresses and ranges are canonical', () => {
  assert.equal(sourceProblem(''), undefined);
  assert.equal(parseSource('  '), undefined);
  assert.equal(sourceProblem('203.0.113.9/24'), undefined);
  assert.deepEqual(parseSource('203.0.113.9/24'), { family: 'ipv4', text: '203.0.113.0/24' });
  assert.deepEqual(parseSource('2001:db8::1'), { family: 'ipv6', text: '2001:db8::1/128' });
  assert.match(sourceProblem('203.0.113.0/33') ?? '', /not an address or CIDR/);
  assert.match(sourceProblem('10.0.0.1; reboot') ?? '', /not an address or CIDR/);
});
