import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLabUp, labHost, loadLab, type Lab } from '../../support/lab';
import { dockerFirewall } from '../../support/cli';
import { probeBlocked, probeOpen } from '../../support/probes';
import { needsLab } from '../../support/requirements';

/**
 * Several hosts in one invocation (issue 17): h1 and h2 of the lab and one host that cannot be
 * reached (h1's address on a port where nothing listens: refused at once, no traffic elsewhere).
 * The unreachable host gets its own error and the worst exit code; the others are locked for real
 * (a connection from outside is dropped on each, beside its sshd answering); a second run changes
 * nothing; --parallel 1 and 8 read the same; --hosts-from takes the same hosts from a file.
 */
const skip = needsLab('several hosts at once', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const PORT = 8081;
const HOSTS = ['h1', 'h2'] as const;

interface HostJson {
  host: string;
  exit: number;
  changed?: boolean;
  locked?: boolean;
  ports?: { hostPort: number; hostIp: string; proto: string; exposure: string }[];
  error?: { code: string; message: string };
}

describe('block, status and unblock of h1, h2 and an unreachable host in one run', { skip }, () => {
  let dir: string;
  let unreachable: string;
  const run = async (args: readonly string[]) => {
    const result = await dockerFirewall(['--json', ...args], { lab });
    return { code: result.code, hosts: JSON.parse(result.stdout) as HostJson[], stderr: result.stderr };
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dfw-fleet-'));
    unreachable = `root@${labHost(lab!, 'h1').ipv4}:2`;
  });
  after(async () => {
    await dockerFirewall(['unblock', ...HOSTS], { lab });
    rmSync(dir, { recursive: true, force: true });
  });

  test('block: the reachable hosts are locked (outside connections dropped), the unreachable one has its own error; exit 1, the worst', async () => {
    const { code, hosts } = await run(['block', ...HOSTS, unreachable]);
    assert.equal(code, 1);
    assert.deepEqual(hosts.map((h) => [h.host, h.exit, h.changed ?? null]), [['h1', 0, true], ['h2', 0, true], [unreachable, 1, null]]);
    assert.equal(hosts[2]!.error?.code, 'ConnectionFailed');
    for (const name of HOSTS) assert.equal(await probeBlocked(lab!.outside.ns, labHost(lab!, name), { port: PORT, family: 'ipv4' }), 'timeout', name);
  });

  test('block again: nothing changed on any host (as a fleet tool\'s changed_when reads it), exit 0 without the unreachable host', async () => {
    const { code, hosts } = await run(['block', ...HOSTS]);
    assert.equal(code, 0);
    assert.deepEqual(hosts.map((h) => [h.host, h.changed]), [['h1', false], ['h2', false]]);
  });

  test('--parallel 1 and --parallel 8 read the same', async () => {
    const view = (hosts: HostJson[]) => hosts.map((h) => [h.host, h.exit, h.locked, (h.ports ?? []).map((p) => `${p.hostIp}:${p.hostPort}/${p.proto} ${p.exposure}`).sort()]);
    const one = await run(['--parallel', '1', 'status', ...HOSTS, unreachable]);
    const eight = await run(['--parallel', '8', 'status', ...HOSTS, unreachable]);
    assert.equal(one.code, 1);
    assert.equal(eight.code, 1);
    assert.deepEqual(view(one.hosts), view(eight.hosts));
  });

  test('--hosts-from: the hosts of a file (comments and blank lines left out); unblock opens them again', async () => {
    const file = join(dir, 'fleet.txt');
    writeFileSync(file, `# the lab\n${HOSTS.join('\n')}\n\n`);
    const human = await dockerFirewall(['unblock', '--hosts-from', file], { lab });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^== h1 ==\nLockdown removed\./m);
    assert.match(human.stdout, /^== h2 ==\nLockdown removed\./m);
    assert.match(human.stderr, /2 hosts: 2 done, 0 failed/);
    for (const name of HOSTS) assert.equal(await probeOpen(lab!.outside.ns, labHost(lab!, name), { port: PORT, family: 'ipv4' }), 'open', name);
  });
});
