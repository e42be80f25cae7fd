// A second lab beside the first: up, then down must leave nothing behind. This runs from the root
// namespaces, not from the lab's outside namespace: `ip netns exec` mounts a sysfs of its own over
// /sys, and dockerd started from there finds no cgroup hierarchy (see shared notes, lab.md).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { REPO_ROOT, type Lab, httpGet, isLabUp, labCommand, labName, loadLab, run, sshFromOutside } from '../support/lab';
import { needsRoot } from '../support/requirements';

const LAB = labName();
const lab: Lab | undefined = isLabUp(LAB) ? loadLab(LAB) : undefined;

// A second lab next to the first: up, then down must leave nothing behind. Its name is new for each
// run (LAB_NAME allows 12 letters and digits), so two runs on one machine cannot take each other's.
const TEMP_LAB = `t${randomBytes(5).toString('hex')}`;

describe(`a separate lab (${TEMP_LAB}) next to it`, { skip: needsRoot('a separate lab') }, () => {
  // Whatever an assertion below says, the temporary lab does not outlive the test.
  after(async () => {
    await labCommand(['down'], { name: TEMP_LAB });
  });
  test('comes up with one Docker 20 host, and down leaves no namespace, process, mount or file', { timeout: 5 * 60_000 }, async () => {
    const up = await labCommand(['up', '--hosts', '1', '--docker', '20'], { name: TEMP_LAB });
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const temp = loadLab(TEMP_LAB);
    const host = temp.hosts[0];
    assert.ok(host);
    assert.deepEqual(temp.hosts.map((h) => h.dockerMajor), [20]);
    assert.equal((await httpGet(temp.outside.ns, `http://${host.ipv4}:8080/`)).body.trim(), 'host=h1 container=web');
    assert.equal((await sshFromOutside('h1-deploy', 'docker ps --quiet | wc -l', { lab: temp })).stdout.trim(), '5');
    if (lab !== undefined) {
      // The users are shared: the second lab must not have changed the first one's sudo password.
      assert.equal(readFileSync(temp.sudoPasswordFile, 'utf8'), readFileSync(lab.sudoPasswordFile, 'utf8'));
    }

    const pids = await labProcesses(TEMP_LAB);
    assert.ok(pids.length >= 8, `expected holder, sshd, dockerd, containerd, shims..., found ${pids.length}`);

    const down = await labCommand(['down'], { name: TEMP_LAB });
    assert.equal(down.code, 0, `${down.stdout}\n${down.stderr}`);

    assert.deepEqual(await labNamespaces(TEMP_LAB), []);
    assert.deepEqual(pids.filter(isRunning), [], 'processes of the lab still running');
    assert.deepEqual(processesSeeing(join(REPO_ROOT, '.lab', TEMP_LAB)), [], 'processes still mounting the lab folder');
    assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(`${TEMP_LAB}-`), 'mounts left in the root namespace');
    assert.deepEqual(cgroupDirs(TEMP_LAB), []);
    assert.equal(existsSync(join(REPO_ROOT, '.lab', TEMP_LAB)), false);
    if (lab !== undefined) assert.ok(isLabUp(LAB), `lab ${LAB} is still up`);

    const again = await labCommand(['down'], { name: TEMP_LAB });
    assert.equal(again.code, 0, `down on a lab that is down: ${again.stderr}`);
  });
});

async function labNamespaces(name: string): Promise<string[]> {
  const res = await run(['ip', 'netns', 'list']);
  return res.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((ns) => ns.startsWith(`${name}-`));
}

/** Every process in the lab's namespaces and in its containers' cgroups. */
async function labProcesses(name: string): Promise<number[]> {
  const pids = new Set<number>();
  for (const ns of await labNamespaces(name)) {
    const res = await run(['ip', 'netns', 'pids', ns]);
    for (const pid of res.stdout.split('\n').filter(Boolean)) pids.add(Number(pid));
  }
  for (const dir of cgroupDirs(name)) {
    const res = await run(['find', dir, '-name', 'cgroup.procs', '-exec', 'cat', '{}', '+']);
    for (const pid of res.stdout.split('\n').filter(Boolean)) pids.add(Number(pid));
  }
  return [...pids].sort((a, b) => a - b);
}

function cgroupDirs(name: string): string[] {
  const root = '/sys/fs/cgroup';
  const found: string[] = [];
  const look = (dir: string, depth: number): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (new RegExp(`^${name}-h[0-9]+$`).test(entry)) found.push(join(dir, entry));
      else if (depth > 0 && !entry.includes('.')) look(join(dir, entry), depth - 1);
    }
  };
  look(root, 1);
  return found;
}

/** A zombie has already ended: only its parent's wait is missing. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function processesSeeing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/mountinfo`, 'utf8').includes(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
