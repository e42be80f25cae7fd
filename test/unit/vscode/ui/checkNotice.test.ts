import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNotice } from '../../../../src/vscode/ui/checkNotice';
import { AS_THE_RULES_SAY, lockedReport } from '../../../support/verifyReports';

test('a blocked port that answers: an error naming it, with Show Chain Status and Preview Rules', async () => {
  const notice = checkNotice('h1', await lockedReport({ ...AS_THE_RULES_SAY, '192.0.2.1 5353/udp': 'open', '192.0.2.1 8080/tcp': 'filtered' }), false);
  assert.deepEqual(notice, {
    level: 'error',
    message: 'h1: a port the rules block answers from this machine: 5353/udp (dns) on 192.0.2.1. The lockdown does not hold for it. Also, 1 allowed port does not answer from here: 8080/tcp (web) on 192.0.2.1.',
    actions: ['Show Chain Status', 'Preview Rules'],
  });
});

test('an allowed port that does not answer from here: a warning, with the same actions', async () => {
  const notice = checkNotice('h1', await lockedReport({ ...AS_THE_RULES_SAY, '192.0.2.1 8080/tcp': 'filtered', '192.0.2.1 8081/tcp': 'closed' }), false);
  assert.equal(notice?.level, 'warning');
  assert.equal(
    notice?.message,
    'h1: 2 allowed ports do not answer from this machine: 8080/tcp (web) on 192.0.2.1, 8081/tcp (app) on 192.0.2.1. Something else filters them (a cloud firewall, this network), or the service is down.',
  );
  assert.deepEqual(notice?.actions, ['Show Chain Status', 'Preview Rules']);
});

test('a check that could not probe is a warning that says why; one that matched is said only when asked for', async () => {
  const untrusted = checkNotice('h1', await lockedReport({}), false);
  assert.equal(untrusted?.level, 'warning');
  assert.match(untrusted?.message ?? '', /^Could not check h1 from this machine: the SSH port did not answer from here/);
  const matched = await lockedReport(AS_THE_RULES_SAY);
  assert.equal(checkNotice('h1', matched, false), undefined, 'after a change the port items say it; no toast');
  assert.deepEqual(checkNotice('h1', matched, true), {
    level: 'info',
    message: 'h1: checked from this machine, every port behaves as the rules say (4 probes, reachability from here only).',
    actions: [],
  });
});
