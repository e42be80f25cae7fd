import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DISPLAY_LIMIT } from '../../../../src/core/text/hostText';
import { blockConfirmation, distinctPorts, unblockConfirmation } from '../../../../src/vscode/ui/confirmations';
import { portChoices } from '../../../../src/vscode/ui/portChoices';
import { HOSTILE, HOSTILE_NAME, hostileLockedHost, RAW_CONTROLS } from '../../../support/hostileHost';
import { THEME_ICON } from '../../../support/vscodeText';

// Container names from a hostile host in the Allow Port QuickPick (which renders $(icon)) and in
// the modal confirmations (plain text, but not for control characters, overrides or 100 KB names).

const host = hostileLockedHost();
const port = (container: string) => ({ container, hostIp: '0.0.0.0', hostPort: 9000, containerPort: 80, proto: 'tcp' as const, exposure: 'exposed' as const, reason: '', origin: 'published' as const, path: 'dnat' as const, paths: ['dnat' as const] });

test('QuickPick choices name hostile containers without icons, controls or a 100 KB description', () => {
  const ports = [...host.firewall.ports, port(HOSTILE.icon), port(HOSTILE.huge)];
  for (const choice of portChoices(ports, host.firewall.policy.allows)) {
    for (const text of [choice.label, choice.description, choice.detail]) {
      assert.doesNotMatch(text, RAW_CONTROLS, choice.label);
      assert.doesNotMatch(text, THEME_ICON, choice.label);
      assert.ok(text.length <= DISPLAY_LIMIT.message, choice.label);
    }
  }
  assert.equal(portChoices([port(HOSTILE.icon)], [])[0]?.description, '$ (zap) urgent');
});

test('the modal confirmations list hostile containers as plain, capped text', () => {
  const ports = [...host.firewall.ports, port(HOSTILE.huge)];
  for (const line of distinctPorts(ports)) {
    assert.doesNotMatch(line, RAW_CONTROLS);
    assert.ok(line.length < 2 * DISPLAY_LIMIT.name + 20, `${line.length}`);
  }
  const block = blockConfirmation('h1', ports.map((p) => ({ ...p, exposure: 'exposed' as const })), { locked: true, allows: [] });
  assert.doesNotMatch(block.detail, RAW_CONTROLS);
  assert.ok(block.detail.includes('8080/tcp (web[Fix it] (command:workbench.action.terminal.new)\\x1b[2J'), block.detail);
  assert.doesNotMatch(unblockConfirmation('h1', host.firewall.ports, host.firewall.policy).detail, RAW_CONTROLS);
  assert.ok(host.firewall.ports.some((p) => p.container === HOSTILE_NAME));
});
