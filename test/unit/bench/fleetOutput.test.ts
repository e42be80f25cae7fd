import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adHocSucceeded, cliHosts, recapCounts } from '../../../bench/lib/fleetOutput';

// Lines as ansible-core 2.14 prints them (ad-hoc results, and a playbook's recap).
test('ad-hoc: only hosts whose command exited 0 count', () => {
  const out = ['h1 | CHANGED | rc=0 >>', 'CONTAINER ID   IMAGE', 'h2 | FAILED | rc=1 >>', 'permission denied', 'h3 | UNREACHABLE! => {', 'h4 | CHANGED | rc=0 >>', ''].join('\n');
  assert.equal(adHocSucceeded(out), 2);
});

test('playbook recap: hosts that changed, and hosts that failed or were unreachable', () => {
  const out = [
    'PLAY RECAP *********************************************************************',
    'h1                         : ok=1    changed=1    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0   ',
    'h2                         : ok=1    changed=0    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0   ',
    'h3                         : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0   ',
    'h4                         : ok=0    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0   ',
  ].join('\n');
  assert.deepEqual(recapCounts(out), { changed: 1, failed: 2 });
});

test("the CLI's --json array: hosts that answered, changed, and each error with its host", () => {
  const out = JSON.stringify([
    { host: 'h1', changed: true, exit: 0 },
    { host: 'h2', changed: false, exit: 0 },
    { host: 'h3', exit: 1, error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 192.0.2.3:22' } },
  ]);
  assert.deepEqual(cliHosts(out), { ok: 2, changed: 1, errors: ['h3: connect ECONNREFUSED 192.0.2.3:22'] });
});
