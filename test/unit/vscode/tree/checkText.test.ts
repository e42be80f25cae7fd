import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PortExposure } from '../../../../src/core/firewall/exposure';
import { allowsFor } from '../../../../src/core/firewall/port';
import { portCheckView } from '../../../../src/vscode/hosts/checkResults';
import { withPortCheck } from '../../../../src/vscode/tree/checkText';
import { portItemText } from '../../../../src/vscode/tree/hostTreeText';
import { lockedHost } from '../../../support/recordedHosts';
import { AS_THE_RULES_SAY, lockedReport } from '../../../support/verifyReports';

const { firewall } = lockedHost('20');
const binding = (container: string, hostIp: string): PortExposure => {
  const found = firewall.ports.find((p) => p.container === container && p.hostIp === hostIp);
  assert.ok(found, `${container} ${hostIp}`);
  return found;
};
/** A port item as the Hosts view draws it after a check. */
async function item(container: string, hostIp: string, answers = AS_THE_RULES_SAY) {
  const port = binding(container, hostIp);
  const report = await lockedReport(answers);
  return withPortCheck(portItemText(port, allowsFor(firewall.policy.allows, port)), portCheckView(report, port));
}
const hhmm = /\d\d:\d\d/.source;

test('a checked port that behaves as its rules say: "checked: …" after its exposure, and the tooltip says when, from where and what', async () => {
  const blocked = await item('dns', '0.0.0.0');
  assert.equal(blocked.description, 'blocked · checked: no reply');
  assert.match(blocked.tooltip ?? '', new RegExp(`\\n\\nChecked ${hhmm} from this machine: no reply on 192\\\\\\.0\\\\\\.2\\\\\\.1 \\(no reply in 50 ms\\)\\.$`));
  assert.deepEqual(blocked.icon, { id: 'lock' });
  assert.equal((await item('web', '0.0.0.0')).description, 'allowed · checked: open');
  assert.equal((await item('admin', '127.0.0.1')).description, 'local only · checked: refused');
});

test('a blocked port that answers: MISMATCH in the description, the error icon, and what to do in the tooltip', async () => {
  const shown = await item('dns', '0.0.0.0', { ...AS_THE_RULES_SAY, '192.0.2.1 5353/udp': 'open' });
  assert.equal(shown.description, 'blocked · MISMATCH: open from here');
  assert.deepEqual(shown.icon, { id: 'error', color: 'list.errorForeground' });
  assert.match(shown.tooltip ?? '', /\$\(error\) \*\*Mismatch\*\*: the rules close this port, yet it answered from this machine\. The lockdown does not hold for it: see Chain Status and Preview Rules\./);
});

test('an allowed port that does not answer from here: a mismatch in the description and the warning icon', async () => {
  const shown = await item('web', '0.0.0.0', { ...AS_THE_RULES_SAY, '192.0.2.1 8080/tcp': 'filtered' });
  assert.equal(shown.description, 'allowed · mismatch: no answer from here');
  assert.deepEqual(shown.icon, { id: 'warning', color: 'list.warningForeground' });
  assert.match(shown.tooltip ?? '', /Something else filters it \(a cloud firewall, this network, this machine\), or the service is down\./);
});

test('a port allowed from a range says which source the expectation was for', async () => {
  const shown = await item('app', '0.0.0.0');
  assert.equal(shown.description, 'allowed from 192.0.2.100/32 · checked: open');
  assert.match(shown.tooltip ?? '', /Expected from here: allowed from 192\\\.0\\\.2\\\.100\/32, which holds this machine's 192\\\.0\\\.2\\\.100\./);
});

test('a binding that was not probed keeps its description; the tooltip says why', async () => {
  const shown = await item('web', '::');
  assert.equal(shown.description, 'allowed');
  assert.match(shown.tooltip ?? '', new RegExp(`Not checked from this machine at ${hhmm}: no IPv6 address of the host is known here\\.$`));
});

test('a check that could not probe leaves descriptions alone and says so in the tooltip', async () => {
  const shown = await item('dns', '0.0.0.0', {});
  assert.equal(shown.description, 'blocked');
  assert.match(shown.tooltip ?? '', /Not checked from this machine at \d\d:\d\d: the SSH port did not answer from here/);
});

test('a check made before the port’s exposure changed is not shown on it', async () => {
  const report = await lockedReport(AS_THE_RULES_SAY);
  const web = binding('web', '0.0.0.0');
  assert.ok(portCheckView(report, web));
  assert.equal(portCheckView(report, { ...web, exposure: 'blocked' }), undefined);
  assert.equal(portCheckView(report, { ...web, container: 'other' }), undefined);
});
