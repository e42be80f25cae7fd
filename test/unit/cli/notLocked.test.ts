import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInvocation } from '../../../src/cli/args';
import { EXIT, exitCodeFor } from '../../../src/cli/main';
import { HostNotLocked, lockWithAllowCommands } from '../../../src/cli/notLocked';

/** `allow` on a host without lockdown: refused with the command that does what was meant. */
function refusal(argv: string[]): HostNotLocked {
  const inv = parseInvocation(argv);
  assert.ok(inv.command === 'allow');
  const allow = inv.allows[0]!;
  return new HostNotLocked(inv.host, allow, lockWithAllowCommands(inv.host, allow, inv.options));
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

test('the options that pick the host, key and chain are carried over, quoted; --json and --accept-new are not', () => {
  const error = refusal(['--ssh-config', '/tmp/my config', '--known-hosts', 'kh', '-i', 'a', '-i', 'b', '--chain', 'MY_CHAIN', '--json', '--accept-new', 'allow', 'h1', '8080']);
  assert.deepEqual(error.remedy, ["docker-firewall --ssh-config '/tmp/my config' --known-hosts kh -i a -i b --chain MY_CHAIN block h1 --allow 8080"]);
});
