import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInvocation } from '../../../src/cli/args';
import { formatPorts, formatStatus } from '../../../src/cli/format';
import { psJson, statusJson } from '../../../src/cli/json';
import { errorLine } from '../../../src/cli/main';
import { runCommand } from '../../../src/cli/runCommand';
import { DockerRequestFailed, RemoteCommandFailed } from '../../../src/core/errors';
import type { FirewallEngine } from '../../../src/core/hosts/firewallEngine';
import { DISPLAY_LIMIT } from '../../../src/core/text/hostText';
import { HOSTILE, HOSTILE_COMMENT, HOSTILE_NAME, hostileLockedHost, RAW_CONTROLS } from '../../support/hostileHost';

// The CLI's human output in a terminal: a rule comment with ESC[2J or an OSC 52 sequence must not
// clear the screen or write the clipboard. `--json` is the exact data, for programs.

const host = hostileLockedHost();
/** The engine, as far as ps and status use it: the hostile host's reading. */
const engine = { status: () => Promise.resolve({ inventory: host.reading.inventory, firewall: host.firewall, raw: host.reading }) } as unknown as FirewallEngine;

async function output(argv: string[]): Promise<string> {
  const inv = parseInvocation(argv);
  assert.ok(inv.command !== 'help' && inv.command !== 'verify' && inv.command !== 'history');
  const lines: string[] = [];
  await runCommand(inv, engine, 'h1', { out: (text) => lines.push(text) });
  return lines.join('\n');
}

test('status shows the host’s control characters as visible escapes, in the port table and the rules', () => {
  const text = formatStatus('h1', host.reading.inventory.docker.version, host.firewall);
  assert.doesNotMatch(text, RAW_CONTROLS);
  assert.ok(text.includes('web[Fix it](command:workbench.action.terminal.new)\\x1b[2J\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x9b31mreport\\u202egnp.exe  0.0.0.0:8080/tcp'), text);
  assert.ok(text.includes('--comment "\\x1b]52;c;ZWNobyBwd25lZA==\\x07net``'), text);
});

test('a table column is not padded to a 100 KB name: cells are cut and the columns stay aligned', () => {
  const ports = [...host.firewall.ports, { ...host.firewall.ports[0]!, container: HOSTILE.huge }];
  const lines = formatPorts(ports).split('\n');
  assert.ok(lines.every((line) => line.length < 2 * DISPLAY_LIMIT.name), `${Math.max(...lines.map((l) => l.length))}`);
  const start = lines[0]?.indexOf('PUBLISHED') ?? -1;
  assert.ok(start > 0);
  for (const line of lines) assert.match(line.slice(start - 2, start + 1), /^ {2}\S$/, `the PUBLISHED column starts at ${start}: ${line.slice(0, start + 20)}`);
});

test('ps and status print no raw control character; --json carries the exact strings', async () => {
  for (const command of ['ps', 'status']) {
    const human = await output([command, 'h1']);
    assert.doesNotMatch(human, RAW_CONTROLS, command);
    assert.ok(human.includes('\\x1b[2J'), command);
  }
  const status = await output(['--json', 'status', 'h1']);
  assert.equal(status, JSON.stringify(statusJson('h1', host.reading.inventory, host.firewall), null, 2));
  const parsed = JSON.parse(status) as { ports: { container: string }[]; rules: { ipv4: { spec: string }[] } };
  assert.ok(parsed.ports.some((p) => p.container === HOSTILE_NAME));
  assert.ok(parsed.rules.ipv4.some((r) => r.spec.includes(`--comment "${HOSTILE_COMMENT}"`)));
  const ps = await output(['--json', 'ps', 'h1']);
  assert.equal(ps, JSON.stringify(psJson('h1', host.reading.inventory, host.firewall), null, 2));
  assert.ok((JSON.parse(ps) as { containers: { name: string }[] }).containers.some((c) => c.name === HOSTILE.huge));
});

test('the error line is one line with the host’s controls escaped', () => {
  const failed = new RemoteCommandFailed('h1', 'iptables-save', 1, `${HOSTILE.osc52}${HOSTILE.clearScreen}\nsecond line`);
  assert.equal(errorLine(failed, 'h1'), 'docker-firewall: h1: iptables-save on h1 exited with status 1: \\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x1b[2J\\nsecond line');
  const docker = new DockerRequestFailed('h1', 500, `${HOSTILE.c1}${HOSTILE.rlo}`);
  assert.doesNotMatch(errorLine(docker, 'h1'), RAW_CONTROLS);
  assert.doesNotMatch(errorLine(docker, 'h1'), /\n/);
});
