import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInvocation } from '../../../src/cli/args';
import { EXIT, exitCodeFor } from '../../../src/cli/main';
import { allowOnUnlockedHost, denyOnUnlockedHost } from '../../../src/cli/notLocked';
import type { HostNotLocked } from '../../../src/core/firewall/errors';

/** `allow` or `deny` on a host without lockdown: refused with the command that does what was meant. */
function refusal(argv: string[]): HostNotLocked {
  const inv = parseInvocation(argv);
  assert.ok(inv.command === 'allow' || inv.command === 'deny');
  return (inv.command === 'allow' ? allowOnUnlockedHost : denyOnUnlockedHost)(inv.host, inv.allows[0]!, inv.options);
}

test('allow PORT on an unlocked host names the block command that opens that port, and says nothing changed', () => {
  const error = refusal(['allow', 'h1', '8080']);
  assert.equal(
    error.message,
    'h1 is not locked: every published port is already reachable, so there is nothing to allow. ' +
      'Run `docker-firewall block h1 --allow 8080` to lock it with 8080 open. Nothing was changed.',
  );
  assert.equal(exitCodeFor(error), EXIT.notLocked);
  assert.notEqual(EXIT.notLocked, EXIT.failed);
  assert.notEqual(EXIT.notLocked, EXIT.usage);
});

test('a udp port keeps its protocol in the suggested command', () => {
  assert.deepEqual(refusal(['allow', 'deploy@192.0.2.1:2222', '5353/udp']).remedy, ['docker-firewall block deploy@192.0.2.1:2222 --allow 5353/udp']);
});

test('an allow from a source range is a block and then that allow (block --allow takes no range)', () => {
  const error = refusal(['allow', 'h1', '8081', '--from', '192.0.2.100']);
  assert.deepEqual(error.remedy, ['docker-firewall block h1', 'docker-firewall allow h1 8081 --from 192.0.2.100/32']);
  assert.match(error.message, /already reachable from anywhere/);
  assert.match(error.message, /Run `docker-firewall block h1` and then `docker-firewall allow h1 8081 --from 192\.0\.2\.100\/32` to lock it with 8081 open to 192\.0\.2\.100\/32 only\./);
});

test('an allow from me or for a while on an unlocked host: block, then that allow as typed (block --allow takes neither)', () => {
  assert.deepEqual(refusal(['allow', 'h1', '8081', '--from', 'me', '--for', '90m']).remedy, ['docker-firewall block h1', 'docker-firewall allow h1 8081 --from me --for 90m']);
  assert.deepEqual(refusal(['allow', 'h1', '53/udp', '--for', '2d']).remedy, ['docker-firewall block h1', 'docker-firewall allow h1 53/udp --for 2d']);
  assert.match(refusal(['allow', 'h1', '8081', '--from', 'me']).message, /with 8081 open to your address only/);
});

test('the options that pick the host, key and chain are carried over, quoted; --json and --accept-new are not', () => {
  const error = refusal(['--ssh-config', '/tmp/my config', '--known-hosts', 'kh', '-i', 'a', '-i', 'b', '--chain', 'MY_CHAIN', '--json', '--accept-new', 'allow', 'h1', '8080']);
  assert.deepEqual(error.remedy, ["docker-firewall --ssh-config '/tmp/my config' --known-hosts kh -i a -i b --chain MY_CHAIN block h1 --allow 8080"]);
});

test('deny PORT on an unlocked host says the port is reachable and names block, not "nothing changed"', () => {
  const error = refusal(['--chain', 'MY_CHAIN', 'deny', 'h1', '8080']);
  assert.deepEqual(error.remedy, ['docker-firewall --chain MY_CHAIN block h1']);
  assert.match(error.message, /^h1 is not locked: every published port, 8080 among them, is reachable from anywhere/);
  assert.match(error.message, /Run `docker-firewall --chain MY_CHAIN block h1` to block external access to every published port .*Nothing was changed\.$/);
  assert.equal(exitCodeFor(error), EXIT.notLocked);
});
