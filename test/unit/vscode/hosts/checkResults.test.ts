import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckResults } from '../../../../src/vscode/hosts/checkResults';
import { lockedHost } from '../../../support/recordedHosts';
import { AS_THE_RULES_SAY, lockedReport } from '../../../support/verifyReports';

test('the last check of each host is kept, announced, and dropped when the host is removed or reached differently', async () => {
  const checks = new CheckResults();
  const changed: string[] = [];
  const subscription = checks.onDidChange((name) => changed.push(name));
  const report = await lockedReport(AS_THE_RULES_SAY);
  checks.set('h1', { destination: 'h1', report });
  checks.set('h2', { destination: 'root@192.0.2.2', report });
  const web = lockedHost('20').firewall.ports.find((p) => p.container === 'web' && p.hostIp === '0.0.0.0')!;
  assert.equal(checks.forPort('h1', web)?.results[0]?.observed, 'open');
  assert.equal(checks.forPort('h3', web), undefined);
  checks.retain([{ name: 'h1', destination: 'h1' }, { name: 'h2', destination: 'root@192.0.2.22' }]);
  assert.ok(checks.get('h1'));
  assert.equal(checks.get('h2'), undefined, 'h2 is now reached at another address: its check is not of that host');
  assert.deepEqual(changed, ['h1', 'h2', 'h2']);
  subscription.dispose();
  checks.set('h1', { destination: 'h1', report });
  assert.equal(changed.length, 3, 'a disposed listener hears nothing');
});
