// The lab itself: what it builds must behave like real Docker hosts on a LAN.
// Needs root and the lab "dfw" up with two hosts: npm run lab -- up --docker 20,28
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REPO_ROOT,
  type Lab,
  type LabHost,
  httpGet,
  inContainer,
  isLabUp,
  labCommand,
  loadLab,
  onHost,
  outside,
  run,
  sshFromOutside,
  startHttpServer,
  tcpConnect,
  udpRequest,
} from '../support/lab';

const LAB = 'dfw';
const lab: Lab | undefined = isLabUp(LAB) ? loadLab(LAB) : undefined;
const notUp = lab === undefined ? `lab ${LAB} is not up (no .lab/${LAB}/state.json): run npm run lab -- up --docker 20,28` : false;

/** "[2001:db8:1::1]" for URLs. */
const urlHost = (address: string): string => (address.includes(':') ? `[${address}]` : address);

describe(`lab ${LAB}`, { skip: notUp }, () => {
  test('has a Docker 20.10 host and a Docker 28 host, as --docker 20,28 asks', () => {
    assert.ok(lab);
    assert.deepEqual(
      lab.hosts.map((h) => [h.name, h.dockerMajor]),
      [
        ['h1', 20],
        ['h2', 28],
      ],
    );
    assert.match(lab.hosts[0]?.docker ?? '', /^20\.10\./);
    assert.match(lab.hosts[1]?.docker ?? '', /^28\./);
  });

  for (const host of lab?.hosts ?? []) {
    hostTests(lab as Lab, host);
  }
});

function hostTests(lab: Lab, host: LabHost): void {
  const out = lab.outside.ns;
  describe(`${host.name} (Docker ${host.docker})`, () => {
    test('8080 and 8081 answer from outside over IPv4 and IPv6 (IPv6 through docker-proxy on [::])', async () => {
      for (const address of [host.ipv4, host.ipv6]) {
        for (const [port, container] of [
          [8080, 'web'],
          [8081, 'app'],
        ] as const) {
          const res = await httpGet(out, `http://${urlHost(address)}:${port}/`);
          assert.equal(res.status, 200);
          assert.equal(res.body.trim(), `host=${host.name} container=${container}`, `${address}:${port}`);
        }
      }
      const listening = await onHost(host, ['ss', '-Hltnp', 'sport = :8080']);
      assert.match(listening.stdout, /\[::\]:8080 .*docker-proxy/, 'docker-proxy listens on [::]:8080');
    });

    test('5353/udp answers every datagram from outside, over IPv4 and IPv6', async () => {
      for (const address of [host.ipv4, host.ipv6]) {
        for (let i = 0; i < 3; i++) {
          const reply = await udpRequest(out, address, 5353, `query ${i}\n`);
          assert.equal(reply?.trim(), `host=${host.name} container=dns`, `${address} datagram ${i}`);
        }
      }
    });

    test('127.0.0.1:8082 does not answer from outside but does on the host', async () => {
      assert.notEqual(await tcpConnect(out, host.ipv4, 8082), 'open');
      assert.notEqual(await tcpConnect(out, host.ipv6, 8082), 'open');
      const res = await httpGet(host.ns, 'http://127.0.0.1:8082/');
      assert.equal(res.body.trim(), `host=${host.name} container=admin`);
    });

    test('worker reaches app by name over appnet', async () => {
      const res = await inContainer(host, 'worker', ['timeout', '5', 'wget', '-qO-', 'http://app/']);
      assert.equal(res.stdout.trim(), `host=${host.name} container=app`, res.stderr);
    });

    test('worker reaches a server in the outside namespace (egress through NAT)', async () => {
      const port = 9500 + Number(host.name.slice(1));
      const server = await startHttpServer(out, lab.outside.ipv4, port, `outside answers ${host.name}\n`);
      try {
        const res = await inContainer(host, 'worker', ['timeout', '5', 'wget', '-qO-', server.url]);
        assert.equal(res.stdout.trim(), `outside answers ${host.name}`, res.stderr);
      } finally {
        await server.close();
      }
    });

    test('SSH as root, deploy and nosudo logs in with the lab known_hosts and strict checking', async () => {
      for (const [alias, user] of [
        [host.name, 'root'],
        [`${host.name}-deploy`, 'deploy'],
        [`${host.name}-nosudo`, 'nosudo'],
        [`${host.name}-sudopw`, 'sudopw'],
      ] as const) {
        const res = await sshFromOutside(alias, 'id -un; hostname', { lab });
        assert.equal(res.code, 0, `${alias}: ${res.stderr}`);
        assert.deepEqual(res.stdout.trim().split('\n'), [user, `${lab.name}-${host.name}`]);
      }
    });

    test('SSH refuses the host when its key is not in known_hosts', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lab-kh-'));
      try {
        const empty = join(dir, 'known_hosts');
        writeFileSync(empty, '');
        const res = await outside(['ssh', '-F', lab.sshConfig, '-o', `UserKnownHostsFile=${empty}`, host.name, 'true'], { lab });
        assert.notEqual(res.code, 0);
        assert.match(res.stderr, /Host key verification failed/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('docker works for deploy (group docker) and is denied for nosudo', async () => {
      const deploy = await sshFromOutside(`${host.name}-deploy`, "docker version --format '{{.Server.Version}}'", { lab });
      assert.equal(deploy.code, 0, deploy.stderr);
      assert.equal(deploy.stdout.trim(), host.docker);
      const nosudo = await sshFromOutside(`${host.name}-nosudo`, 'docker ps', { lab });
      assert.notEqual(nosudo.code, 0);
      assert.match(nosudo.stderr, /permission denied/);
    });

    test('sudo: deploy needs no password, nosudo has none, sudopw only with its password', async () => {
      assert.equal((await sshFromOutside(`${host.name}-deploy`, 'sudo -n true', { lab })).code, 0);
      const nosudo = await sshFromOutside(`${host.name}-nosudo`, 'sudo -n true', { lab });
      assert.notEqual(nosudo.code, 0);
      const noPassword = await sshFromOutside(`${host.name}-sudopw`, 'sudo -n true', { lab });
      assert.notEqual(noPassword.code, 0);
      assert.match(noPassword.stderr, /a password is required/);
      const password = readFileSync(lab.sudoPasswordFile, 'utf8').trim();
      const withPassword = await sshFromOutside(`${host.name}-sudopw`, "sudo -S -p '' id -u", { lab, input: `${password}\n` });
      assert.equal(withPassword.code, 0, withPassword.stderr);
      assert.equal(withPassword.stdout.trim(), '0');
    });

    test(`DOCKER-USER exists in iptables${host.dockerMajor >= 27 ? ' and ip6tables' : ', and ip6tables is untouched'}`, async () => {
      const v4 = await onHost(host, ['iptables-save', '-t', 'filter']);
      assert.match(v4.stdout, /^-A FORWARD -j DOCKER-USER$/m);
      const v6 = await onHost(host, ['ip6tables-save']);
      if (host.dockerMajor >= 27) assert.match(v6.stdout, /^-A FORWARD -j DOCKER-USER$/m);
      else assert.doesNotMatch(v6.stdout, /DOCKER/);
    });
  });
}

// A second lab next to the first: up, then down must leave nothing behind.
const TEMP_LAB = 'dfwt';
const notRoot = process.getuid?.() === 0 ? false : 'needs root';

describe(`a separate lab (${TEMP_LAB}) next to it`, { skip: notRoot }, () => {
  // Whatever an assertion below says, the temporary lab does not outlive the test.
  after(async () => {
    await labCommand(['down'], { name: TEMP_LAB });
  });
  test('comes up with one Docker 20 host, and down leaves no namespace, process, mount or file', { timeout: 5 * 60_000 }, async () => {
    await labCommand(['down'], { name: TEMP_LAB }); // leftovers of an earlier interrupted run
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
