import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DISPLAY_LIMIT } from '../../../../src/core/text/hostText';
import { containerItemText, errorItemText, hostItemText, portItemText } from '../../../../src/vscode/tree/hostTreeText';
import type { ItemText } from '../../../../src/vscode/tree/treeText';
import { HOSTILE, HOSTILE_NAME, hostileLockedHost, RAW_CONTROLS } from '../../../support/hostileHost';
import { snapshotOf } from '../../../support/recordedHosts';
import { renderTooltip, THEME_ICON } from '../../../support/vscodeText';

// The Hosts tree of a hostile host (test/support/hostileHost.ts): names, images, networks and
// messages from the host may not break out of their place in a label or a tooltip.

const host = hostileLockedHost();
const containers = host.reading.inventory.containers;

/** A label or description: plain text, one line, no icon, no control character, not too long. */
function assertPlain(text: string | undefined, max: number, what: string): void {
  if (text === undefined) return;
  assert.doesNotMatch(text, RAW_CONTROLS, what);
  assert.doesNotMatch(text, THEME_ICON, what);
  assert.doesNotMatch(text, /\n/, what);
  assert.ok(text.length <= max, `${what}: ${text.length} characters`);
}

/** A tooltip as VS Code renders it: no link, no image, no icon but ours. */
async function assertSafeTooltip(item: ItemText, what: string, ourIcons: readonly string[] = []): Promise<void> {
  const rendered = await renderTooltip(item.tooltip ?? '');
  assert.deepEqual(rendered.links, [], what);
  assert.deepEqual(rendered.images, [], what);
  assert.deepEqual(rendered.icons, ourIcons, what);
  assert.doesNotMatch(rendered.text, RAW_CONTROLS, what);
}

test('the hostile host is read through the pipeline with its names intact', () => {
  assert.ok(containers.some((c) => c.name === HOSTILE_NAME));
  assert.ok(containers.some((c) => c.name === HOSTILE.huge));
  assert.ok(host.firewall.ports.some((p) => p.container === HOSTILE_NAME));
});

test('container labels and descriptions are plain, escaped, one line and capped', async () => {
  for (const container of containers) {
    const item = containerItemText(container, host.firewall.ports.filter((p) => p.container === container.name));
    assertPlain(item.label, DISPLAY_LIMIT.name, `label of ${container.id}`);
    assertPlain(item.description, 2 * DISPLAY_LIMIT.name + 3, `description of ${container.id}`);
    await assertSafeTooltip(item, `tooltip of ${container.id}`);
  }
  const web = containers.find((c) => c.name === HOSTILE_NAME);
  assert.ok(web);
  const item = containerItemText(web, []);
  assert.equal(item.label, 'web[Fix it] (command:workbench.action.terminal.new)\\x1b[2J\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x9b31mreport\\u202egnp.exe');
  assert.equal(item.description, '``` [docs] (https://evil.example) ``` · running');
});

test('no backticks in an image or network name get out of its inline code in the tooltip', async () => {
  const web = containers.find((c) => c.name === HOSTILE_NAME);
  assert.ok(web);
  const rendered = await renderTooltip(containerItemText(web, []).tooltip ?? '');
  assert.ok(rendered.codeSpans.includes(HOSTILE.threeBackticks), rendered.codeSpans.join(' | '));
  assert.ok(rendered.codeSpans.some((span) => span.startsWith(`${HOSTILE.twoBackticks} `)), rendered.codeSpans.join(' | '));
  assert.deepEqual(rendered.images, []);
  assert.deepEqual(rendered.links, []);
});

test('port items of a hostile container are plain in the label and safe in the tooltip', async () => {
  for (const port of host.firewall.ports) {
    const item = portItemText(port, host.firewall.policy.allows);
    assertPlain(item.label, DISPLAY_LIMIT.name, `port ${port.hostPort}`);
    await assertSafeTooltip(item, `port ${port.hostPort} of ${port.container.slice(0, 20)}`);
  }
});

test('the host item keeps our one icon (warnings) and no other', async () => {
  await assertSafeTooltip(hostItemText({ name: 'h1', destination: 'h1' }, snapshotOf(host)), 'host h1', ['$(warning)']);
});

test('an error child made of a hostile message is plain in its label and safe in its tooltip', async () => {
  const message = `Could not read h1: ${HOSTILE.stderrLink}${HOSTILE.osc52}${HOSTILE.icon}${HOSTILE.huge}`;
  const item = errorItemText(message);
  assertPlain(item.label, DISPLAY_LIMIT.line, 'error label');
  await assertSafeTooltip(item, 'error tooltip');
  const unreachable = hostItemText({ name: 'h1', destination: 'h1' }, { status: undefined, loading: false, failure: { message, code: 'RemoteCommandFailed', at: new Date() } });
  await assertSafeTooltip(unreachable, 'unreachable host');
});
