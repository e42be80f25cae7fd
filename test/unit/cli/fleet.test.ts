import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostsFile, summary } from '../../../src/cli/fleet';
import { InvalidInput } from '../../../src/core/errors';

test('a --hosts-from file: one host per line, blank lines and # comments left out, a line of two words refused', () => {
  assert.deepEqual(parseHostsFile('# web tier\nweb-1\n  web-2  # the new one\n\ndeploy@192.0.2.7:2222\n', 'fleet.txt'), ['web-1', 'web-2', 'deploy@192.0.2.7:2222']);
  assert.deepEqual(parseHostsFile('', 'empty.txt'), []);
  assert.throws(() => parseHostsFile('web-1 web-2\n', 'fleet.txt'), (e: unknown) => e instanceof InvalidInput && /fleet\.txt: "web-1 web-2" is not one host/.test(e.message));
});

test('the summary counts hosts done and failed, and names each failed one with its exit code', () => {
  assert.equal(summary([{ host: 'a', exit: 0, out: [] }, { host: 'b', exit: 0, out: [] }]), '2 hosts: 2 done, 0 failed');
  assert.equal(summary([{ host: 'a', exit: 0, out: [] }, { host: 'b\x1b[31m', exit: 3, out: [] }, { host: 'c', exit: 1, out: [] }]), '3 hosts: 1 done, 2 failed (b\\x1b[31m: exit 3, c: exit 1)');
});
