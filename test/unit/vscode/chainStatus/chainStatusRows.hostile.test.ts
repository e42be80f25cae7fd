import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DISPLAY_LIMIT } from '../../../../src/core/text/hostText';
import { chainStatusRows, type StatusRow } from '../../../../src/vscode/chainStatus/chainStatusRows';
import { HOSTILE, HOSTILE_COMMENT, hostileLockedHost, RAW_CONTROLS } from '../../../support/hostileHost';
import { snapshotOf } from '../../../support/recordedHosts';
import { renderTooltip, THEME_ICON } from '../../../support/vscodeText';

// Chain Status of a hostile host: a rule in our chain carries a comment with terminal controls,
// backticks, a command link and an icon (test/support/hostileHost.ts).

const flatten = (rows: readonly StatusRow[]): StatusRow[] => rows.flatMap((row) => [row, ...flatten(row.children ?? [])]);

test('every label and description of Chain Status is plain text: one line, no icon, no control character', () => {
  for (const row of flatten(chainStatusRows('h1', snapshotOf(hostileLockedHost())))) {
    for (const text of [row.label, row.description ?? '']) {
      assert.doesNotMatch(text, RAW_CONTROLS, row.id);
      assert.doesNotMatch(text, THEME_ICON, row.id);
      assert.ok(text.length <= DISPLAY_LIMIT.line, row.id);
    }
  }
});

test('every tooltip of Chain Status renders without a link, an image or an icon', async () => {
  for (const row of flatten(chainStatusRows('h1', snapshotOf(hostileLockedHost())))) {
    const rendered = await renderTooltip(row.tooltip ?? '');
    assert.deepEqual(rendered.links, [], row.id);
    assert.deepEqual(rendered.images, [], row.id);
    assert.deepEqual(rendered.icons, [], row.id);
    assert.doesNotMatch(rendered.text, RAW_CONTROLS, row.id);
  }
});

test('the hostile rule is shown whole in its tooltip’s inline code, its controls as escapes', async () => {
  const rule = flatten(chainStatusRows('h1', snapshotOf(hostileLockedHost()))).find((row) => (row.tooltip ?? '').includes('ZWNobyBwd25lZA'));
  assert.ok(rule, 'the hostile rule has a row');
  assert.match(rule.label, /^-p tcp -j RETURN$/);
  const rendered = await renderTooltip(rule.tooltip ?? '');
  const shown = HOSTILE_COMMENT.replace('\u001b', '\\x1b').replace('\u0007', '\\x07').replace('$(', '$ (');
  assert.equal(rendered.codeSpans[0], `-A PRE_DOCKER -p tcp -m comment --comment "${shown}" -j RETURN`);
});

test('a hostile failure message as the Chain Status row is plain and its tooltip safe', async () => {
  const message = `${HOSTILE.commandLink} ${HOSTILE.threeBackticks} ${HOSTILE.clearScreen} ${HOSTILE.huge}`;
  const [row] = chainStatusRows('h1', { status: undefined, loading: false, failure: { message, code: 'DockerRequestFailed', at: new Date() } });
  assert.ok(row);
  assert.doesNotMatch(row.label, RAW_CONTROLS);
  assert.ok(row.label.length <= DISPLAY_LIMIT.line);
  const rendered = await renderTooltip(row.tooltip ?? '');
  assert.deepEqual([rendered.links, rendered.images, rendered.icons], [[], [], []]);
});
