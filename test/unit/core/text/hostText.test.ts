import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  capLength,
  DISPLAY_LIMIT,
  escapeControls,
  forDisplay,
  forTerminal,
  markdownCode,
  markdownText,
  terminalLines,
} from '../../../../src/core/text/hostText';
import { HOSTILE, RAW_CONTROLS } from '../../../support/hostileHost';
import { NOTIFICATION_LINK, renderTooltip, THEME_ICON } from '../../../support/vscodeText';

const EVERY_HOSTILE = Object.entries(HOSTILE);

test('terminal text shows C0, C1, DEL and bidi overrides as visible escapes, and nothing else changes', () => {
  assert.equal(forTerminal(HOSTILE.clearScreen), '\\x1b[2J');
  assert.equal(forTerminal(HOSTILE.osc52), '\\x1b]52;c;ZWNobyBwd25lZA==\\x07');
  assert.equal(forTerminal(HOSTILE.c1), '\\x9b31m');
  assert.equal(forTerminal(HOSTILE.rlo), 'report\\u202egnp.exe');
  assert.equal(forTerminal('a\tb\r\nc\u007f\u0000\u2028'), 'a\\tb\\r\\nc\\x7f\\x00\\u2028');
  // What is not a control stays as it is: brackets, backticks, backslashes, accents, emoji.
  assert.equal(forTerminal('[x](command:y) ``a`` \\x1b café 🐳'), '[x](command:y) ``a`` \\x1b café 🐳');
});

test('escaping is idempotent: text escaped once is not escaped again', () => {
  for (const [name, text] of EVERY_HOSTILE) assert.equal(escapeControls(escapeControls(text)), escapeControls(text), name);
});

test('terminalLines keeps our line breaks and escapes everything else, line by line', () => {
  assert.equal(terminalLines(`one ${HOSTILE.clearScreen}\ntwo\r`), 'one \\x1b[2J\ntwo\\r');
});

test('display text holds no control character, no link VS Code would make and no theme icon', () => {
  for (const [name, text] of EVERY_HOSTILE) {
    const shown = forDisplay(`Could not read h1: ${text}`, DISPLAY_LIMIT.message);
    assert.doesNotMatch(shown, RAW_CONTROLS, name);
    assert.doesNotMatch(shown, NOTIFICATION_LINK, name);
    assert.doesNotMatch(shown, THEME_ICON, name);
    assert.doesNotMatch(shown, /\n/, name);
  }
  assert.equal(forDisplay(HOSTILE.commandLink, 100), '[Fix it] (command:workbench.action.terminal.new)');
  assert.equal(forDisplay(HOSTILE.icon, 100), '$ (zap) urgent');
  assert.equal(forDisplay(`a\nb\tc ${HOSTILE.clearScreen}`, 100), 'a b c \\x1b[2J');
});

test('a link split by a message around it is broken too: the stderr line closes what the message opened', () => {
  const message = `[Could not read h1: ${HOSTILE.stderrLink}`;
  assert.match(message, NOTIFICATION_LINK);
  assert.doesNotMatch(forDisplay(message, DISPLAY_LIMIT.message), NOTIFICATION_LINK);
});

test('display text is cut to its limit with an ellipsis, never in the middle of a surrogate pair', () => {
  const shown = forDisplay(HOSTILE.huge, DISPLAY_LIMIT.name);
  assert.equal(shown.length, DISPLAY_LIMIT.name);
  assert.ok(shown.endsWith('n…'));
  assert.equal(forDisplay('short', DISPLAY_LIMIT.name), 'short');
  // Escapes lengthen the text: the limit holds for what is shown.
  assert.equal(forDisplay('\u001b'.repeat(1000), 20).length, 20);
  assert.equal(capLength('ab🐳cd', 4), 'ab…');
  assert.equal(capLength('abc', 3), 'abc');
});

test('Markdown text renders as plain text: no link, image, autolink or icon, and reads as the host wrote it', async () => {
  for (const [name, text] of EVERY_HOSTILE) {
    const rendered = await renderTooltip(`Status: ${markdownText(text, DISPLAY_LIMIT.message)}`);
    assert.deepEqual(rendered.links, [], name);
    assert.deepEqual(rendered.images, [], name);
    assert.deepEqual(rendered.icons, [], name);
    assert.equal(rendered.text.trim(), `Status: ${forDisplay(text, DISPLAY_LIMIT.message)}`, name);
  }
  const autolinks = await renderTooltip(markdownText('see https://evil.example/x, www.evil.example, <command:foo> and mail@evil.example', 500));
  assert.deepEqual(autolinks.links, []);
});

test('inline code cannot be closed by backticks in the text: the fence is longer than any run of them', async () => {
  for (const text of ['a`b', 'a``b', HOSTILE.twoBackticks, HOSTILE.threeBackticks, '`start', 'end`', '````', ` ${HOSTILE.commandLink} `]) {
    const span = markdownCode(text, DISPLAY_LIMIT.message);
    const rendered = await renderTooltip(`Image ${span} · after`);
    assert.deepEqual(rendered.codeSpans, [text], `${text} → ${span}`);
    assert.deepEqual(rendered.links, [], text);
    assert.deepEqual(rendered.images, [], text);
    assert.ok(rendered.text.includes(' · after'), text);
  }
  assert.equal(markdownCode('PRE_DOCKER', 100), '`PRE_DOCKER`');
  assert.equal(markdownCode(HOSTILE.twoBackticks, 100), '``` net`` ![x](https://evil.example/pixel.png) `` ```');
});

test('inline code shows control characters as escapes, cannot show an icon, and is cut to its limit', async () => {
  const rendered = await renderTooltip(markdownCode(`-m comment --comment "${HOSTILE.osc52}${HOSTILE.icon}\n\n[x](command:y)"`, DISPLAY_LIMIT.message));
  assert.deepEqual(rendered.codeSpans, ['-m comment --comment "\\x1b]52;c;ZWNobyBwd25lZA==\\x07$ (zap) urgent  [x](command:y)"']);
  assert.deepEqual(rendered.icons, []);
  assert.deepEqual(rendered.links, []);
  const huge = await renderTooltip(markdownCode(HOSTILE.huge, DISPLAY_LIMIT.line));
  assert.equal(huge.codeSpans[0]?.length, DISPLAY_LIMIT.line);
});
