import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withAllow, withoutAllow } from '../../../../src/core/firewall/policy';
import { CheckResults, policyKey } from '../../../../src/vscode/hosts/checkResults';
import { lockedHost } from '../../../support/recordedHosts';
import { AS_THE_RULES_SAY, lockedReport } from '../../../support/verifyReports';

const { firewall } = lockedHost('20');
const web = firewall.ports.find((p) => p.container === 'web' && p.hostIp === '0.0.0.0')!;
const admin = firewall.ports.find((p) => p.container === 'admin')!;

test('the last check of each host is kept, announced, and dropped when the host is removed or reached differently', async () => {
  const checks = new CheckResults();
  const changed: string[] = [];
  const subscription = checks.onDidChange((name) => changed.push(name));
  const report = await lockedReport(AS_THE_RULES_SAY);
  const policy = policyKey(firewall.policy);
  checks.set('h1', { destination: 'h1', policy, report });
  checks.set('h2', { destination: 'root@192.0.2.2', policy, report });
  assert.equal(checks.forPort('h1', web, firewall.policy)?.results[0]?.observed, 'open');
  assert.equal(checks.forPort('h3', web, firewall.policy), undefined);
  checks.retain([{ name: 'h1', destination: 'h1' }, { name: 'h2', destination: 'root@192.0.2.22' }]);
  assert.ok(checks.get('h1'));
  assert.equal(checks.get('h2'), undefined, 'h2 is now reached at another address: its check is not of that host');
  assert.deepEqual(changed, ['h1', 'h2', 'h2']);
  subscription.dispose();
  checks.set('h1', { destination: 'h1', policy, report });
  assert.equal(changed.length, 3, 'a disposed listener hears nothing');
});

test('a check is shown only under the rules it was made against: after a change, not even on a port whose word did not change', async () => {
  const checks = new CheckResults();
  checks.set('h1', { destination: 'h1', policy: policyKey(firewall.policy), report: await lockedReport(AS_THE_RULES_SAY) });
  assert.ok(checks.forPort('h1', admin, firewall.policy));
  const allowOne = withAllow(firewall.policy, { port: 9999, proto: 'tcp', from: undefined });
  assert.equal(checks.forPort('h1', admin, allowOne), undefined);
  assert.equal(checks.forPort('h1', admin, { locked: false, allows: [] }), undefined);
  // The same rules read again (allows in another order) are the same rules.
  const reordered = { ...firewall.policy, allows: [...firewall.policy.allows].reverse() };
  assert.ok(checks.forPort('h1', admin, reordered));
  assert.ok(checks.forPort('h1', admin, withoutAllow(allowOne, { port: 9999, proto: 'tcp', from: undefined })));
});

test('rules read from the host that differ from the check’s drop it for good: the same rules applied again do not bring it back', async () => {
  const checks = new CheckResults();
  checks.set('h1', { destination: 'h1', policy: policyKey(firewall.policy), report: await lockedReport(AS_THE_RULES_SAY) });
  checks.noteRules('h1', firewall.policy);
  assert.ok(checks.get('h1'), 'the same rules read again keep it');
  checks.noteRules('h1', { locked: false, allows: [] });
  assert.equal(checks.get('h1'), undefined);
  checks.noteRules('h1', firewall.policy);
  assert.equal(checks.forPort('h1', admin, firewall.policy), undefined);
});
