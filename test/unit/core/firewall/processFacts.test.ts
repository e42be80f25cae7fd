import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PROCESS_FACTS } from '../../../../src/core/firewall/readFirewall';
import { parseProcesses } from '../../../../src/core/firewall/hostFacts';

/**
 * The read's process lines (readFirewall.ts), run by this machine's sh and awk on this machine's
 * /proc: real processes, the same files a host's awk reads. Containers are not made here; the lab
 * tests (hostNetwork) see container ids through the whole read.
 */
function processLines(pids: readonly number[]): string {
  const result = spawnSync('sh', ['-c', PROCESS_FACTS], { input: pids.map(String).join('\n') + '\n', encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

test('process facts: pid, no container, the owner uid and the name of each process, one line per pid', () => {
  const uid = /^Uid:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]!;
  const name = readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim();
  const out = processLines([process.pid, 1]);
  assert.equal(out.split('\n')[0], `${process.pid} - ${uid} ${name}`);
  const parsed = parseProcesses(out);
  assert.equal(parsed.unreadable, 0);
  assert.deepEqual(parsed.processes.get(process.pid), { pid: process.pid, containerId: undefined, uid: Number(uid), comm: name });
  assert.ok(parsed.processes.has(1));
});

test('process facts: what is not printable in a name becomes "?"; a process that is gone is a line the parser leaves out and counts', async () => {
  // A shell that renames itself (its own /proc comm) and then waits on its stdin.
  const child = spawn('sh', ['-c', 'printf "web srv\\001" > /proc/$$/comm; echo ready; read x'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const gone = 2 ** 22 + 1; // above the kernel's pid_max ceiling: no such process
    const out = processLines([child.pid!, gone]);
    assert.match(out, new RegExp(`^${child.pid!} - \\d+ web\\?srv\\?$`, 'm'));
    assert.match(out, new RegExp(`^${gone} - - $`, 'm'));
    const parsed = parseProcesses(out);
    assert.equal(parsed.processes.get(child.pid!)?.comm, 'web?srv?');
    assert.equal(parsed.processes.has(gone), false);
    assert.equal(parsed.unreadable, 1);
  } finally {
    child.stdin.end();
    child.kill();
  }
});
