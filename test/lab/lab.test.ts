// The lab itself: what it builds must behave like real Docker hosts on a LAN.
// Needs root and the lab (LAB_NAME) up with two hosts: npm run lab -- up --docker 20,28
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Lab,
  type LabHost,
  httpGet,
  inContainer,
  isLabUp,
  labName,
  loadLab,
  onHost,
  outside,
  sshFromOutside,
  startHttpServer,
  tcpConnect,
  udpRequest,
} from '../support/lab';

import { needsLab } from '../support/requirements';

const LAB = labName();
const notUp = needsLab(`lab ${LAB}`, { outside: true });
const lab: Lab | undefined = isLabUp(LAB) ? loadLab(LAB) : undefined;

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
