import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerRequestFailed } from '../../../src/core/errors';
import { errorFromFailedCommand } from '../../../src/core/remote/classifyStderr';
import { DISPLAY_LIMIT } from '../../../src/core/text/hostText';
import { blockAgainAction, failureMessage, failureNotice, HOST_ACTIONS, logLines, reasonOf, unexpectedFailureNotice } from '../../../src/vscode/failure';
import { HOSTILE, RAW_CONTROLS } from '../../support/hostileHost';
import { NOTIFICATION_LINK, THEME_ICON } from '../../support/vscodeText';

// What a hostile host (or a trojaned sudo) can put into the error the user sees: the last stderr line
// of a remote command, Docker's error `message`. The notification must not carry a link VS Code would
// make clickable, an icon, or a control character; the log keeps the text, controls made visible.

const failedRead = errorFromFailedCommand(`sudo: unable to resolve host\n${HOSTILE.commandLink} ${HOSTILE.clearScreen}\n`, 1, { host: 'h1', user: 'deploy', command: ['iptables-save'] });
const dockerRefusal = new DockerRequestFailed('h1', 500, `${HOSTILE.commandLink} ${HOSTILE.icon} ${HOSTILE.c1}${HOSTILE.rlo}`);

test('the error notification of a failed remote command carries no clickable command link', () => {
  assert.match(failureMessage('read the firewall', 'h1', failedRead), NOTIFICATION_LINK, 'the hostile line reaches the message');
  const notice = failureNotice(HOST_ACTIONS.readFirewall, 'h1', failedRead);
  assert.doesNotMatch(notice, NOTIFICATION_LINK);
  assert.doesNotMatch(notice, RAW_CONTROLS);
  assert.equal(notice, 'Could not read the firewall on h1: iptables-save on h1 exited with status 1: [Fix it] (command:workbench.action.terminal.new) \\x1b[2J');
});

test('Docker’s error message cannot put a link, an icon or a control character into a notification', () => {
  for (const notice of [failureNotice(HOST_ACTIONS.listPublishedPorts, 'h1', dockerRefusal), unexpectedFailureNotice(dockerRefusal)]) {
    assert.doesNotMatch(notice, NOTIFICATION_LINK);
    assert.doesNotMatch(notice, THEME_ICON);
    assert.doesNotMatch(notice, RAW_CONTROLS);
    assert.match(notice, /\[Fix it\] \(command:workbench\.action\.terminal\.new\) \$ \(zap\) urgent \\x9b31mreport\\u202egnp\.exe$/);
  }
});

test('a notification is one line of at most 1000 characters, whatever the host sent', () => {
  const huge = new DockerRequestFailed('h1', 500, `${HOSTILE.huge}\n${HOSTILE.huge}`);
  const notice = failureNotice(HOST_ACTIONS.readFirewall, 'h1', huge);
  assert.ok(notice.length <= DISPLAY_LIMIT.message);
  assert.ok(notice.endsWith('…'));
  assert.doesNotMatch(notice, /\n/);
});

test('every action fails with the sentence the log says, "Could not <verb> on <host>: <reason>"', () => {
  const error = new Error('no route to host');
  for (const action of [...Object.values(HOST_ACTIONS), blockAgainAction('8080/tcp from anywhere')]) {
    assert.equal(failureNotice(action, 'h1', error), failureMessage(action.verb, 'h1', error), action.verb);
  }
  assert.equal(failureNotice(blockAgainAction('8080/tcp from anywhere'), 'h1', error), 'Could not block 8080/tcp from anywhere again on h1: no route to host');
});

test('the log keeps the host’s text, links included, with control characters made visible', () => {
  const logged = failureMessage('list containers', 'h1', dockerRefusal);
  assert.ok(logged.includes(HOSTILE.commandLink));
  assert.doesNotMatch(logged, RAW_CONTROLS);
  assert.ok(logged.endsWith('\\x9b31mreport\\u202egnp.exe'));
  assert.equal(reasonOf(`line one\n${HOSTILE.osc52}`), 'line one\\n\\x1b]52;c;ZWNobyBwd25lZA==\\x07');
  assert.equal(logLines(`Error: x ${HOSTILE.clearScreen}\n    at f (a.ts:1:1)`), 'Error: x \\x1b[2J\n    at f (a.ts:1:1)');
});
