import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseFirewallReport, SOCKET_FACTS } from '../../../../src/core/firewall/readFirewall';

/**
 * The read's sockets and processes sections (readFirewall.ts), run by this machine's sh and awk on
 * this machine's /proc: real processes, the same files a host's awk reads, behind `ss -Hlntup`
 * lines written here. Containers are not made here; the lab tests (hostNetwork) see container ids
 * through the whole read.
 */
const NONCE = '0123456789abcdef';

function socketSections(ssLines: readonly string[]): { stdout: string; facts: ReturnType<typeof parseFirewallReport>['facts'] } {
  const script = `n=${NONCE}\n${SOCKET_FACTS}\nprintf '\\n### %s end\\n' "$n"`;
  const result = spawnSync('sh', ['-c', script], { input: ssLines.map((l) => `${l}\n`).join(''), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  assert.equal(result.status, 0, result.stderr);
  return { stdout: result.stdout, facts: parseFirewallReport(`### ${NONCE} sockets\n${result.stdout}`, '', 0, NONCE).facts };
}

const listening = (port: number, users: string) => `tcp   LISTEN 0      4096         0.0.0.0:${port}      0.0.0.0:*    users:(${users})`;

test('socket facts: the ss lines as they came, then each process holding a socket once: no container, its owner and its name', () => {
  const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
  const name = readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim();
  const lines = [listening(8080, `("node",pid=${process.pid},fd=4)`), listening(8081, `("node",pid=${process.pid},fd=5),("init",pid=1,fd=3)`)];
  const { stdout, facts } = socketSections(lines);
  assert.equal(stdout.split('\n').slice(0, 2).join('\n'), lines.join('\n'));
  assert.deepEqual(facts.sockets?.map((s) => [s.port, s.pids]), [[8080, [process.pid]], [8081, [process.pid, 1]]]);
  assert.deepEqual([...facts.processes.keys()], [process.pid, 1]);
  assert.deepEqual(facts.processes.get(process.pid), { pid: process.pid, containerId: undefined, uid, comm: name });
  assert.deepEqual(facts.unreadable, { sockets: 0, processes: 0, addresses: 0 });
});

test('socket facts: what is not printable in a name becomes "?"; a process that is gone is a line the parser leaves out and counts', async () => {
  // A shell that renames itself (its own /proc comm) and then waits on its stdin.
  const child = spawn('sh', ['-c', 'printf "web srv\\001" > /proc/$$/comm; echo ready; read x'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const gone = 2 ** 22 + 1; // above the kernel's pid_max ceiling: no such process
    const { stdout, facts } = socketSections([listening(9000, `("web srv",pid=${child.pid!},fd=3)`), listening(9001, `("x",pid=${gone},fd=3)`)]);
    assert.match(stdout, new RegExp(`^${child.pid!} - \\d+ web\\?srv\\?$`, 'm'));
    assert.match(stdout, new RegExp(`^${gone} - - $`, 'm'));
    assert.equal(facts.processes.get(child.pid!)?.comm, 'web?srv?');
    assert.equal(facts.processes.has(gone), false);
    assert.equal(facts.unreadable.processes, 1);
  } finally {
    child.stdin.end();
    child.kill();
  }
});

test('socket facts: at most 5000 socket lines and 2000 processes are reported, whatever the host lists', () => {
  const lines = Array.from({ length: 5003 }, (_, i) => listening(1 + (i % 60000), `("p",pid=${2 ** 22 + 2 + i},fd=3)`));
  const { facts } = socketSections(lines);
  assert.equal(facts.sockets?.length, 5000);
  assert.equal(facts.unreadable.processes, 2000);
});
