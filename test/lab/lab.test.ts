// The lab itself: what it builds must behave like real Docker hosts on a LAN.
// Needs root and the lab up (LAB_NAME, default dfw), e.g. npm run lab -- up --docker 20,28; its
// Docker 29, 29-nft and iptables-legacy hosts are checked too when the lab has them:
// LAB_NAME=lab29 bash lab/lab.sh up --docker 20,28,29,29-nft,28+legacy, then
// LAB_NAME=lab29 ip netns exec lab29-out node scripts/run-node-tests.mjs test/lab/lab.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
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
const FULL_MATRIX = '--docker 20,28,29,29-nft,28+legacy';

/** "[2001:db8:1::1]" for URLs. */
const urlHost = (address: string): string => (address.includes(':') ? `[${address}]` : address);

/** The --docker list the lab was brought up with, one item per host (the last one repeats). */
function askedFlavors(lab: Lab): string[] {
  const options = join(lab.labDir, 'options');
  const line = existsSync(options) ? readFileSync(options, 'utf8').split('\n').find((l) => l.startsWith('docker=')) : undefined;
  const items = (line ?? 'docker=20').slice('docker='.length).split(',');
  return lab.hosts.map((_, i) => items[Math.min(i, items.length - 1)] ?? '');
}

const VERSION_OF_MAJOR: Readonly<Record<number, RegExp>> = { 20: /^20\.10\./, 28: /^28\./, 29: /^29\./ };

/** GET path on a host's own Docker socket, as JSON. */
async function engineGet(host: LabHost, path: string): Promise<unknown> {
  const res = await onHost(host, ['curl', '-sf', '--max-time', '10', '--unix-socket', host.dockerSocket, `http://localhost${path}`]);
  assert.equal(res.code, 0, `GET ${path} on ${host.name}: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

/** FirewallBackend.Driver of GET /info, or undefined when Docker reports none (20.10). */
async function firewallDriver(host: LabHost): Promise<unknown> {
  const info = (await engineGet(host, '/info')) as { FirewallBackend?: { Driver?: unknown } };
  return info.FirewallBackend?.Driver;
}

describe(`lab ${LAB}`, { skip: notUp }, () => {
  test('every host runs the Docker its --docker item asks for', () => {
    assert.ok(lab);
    const asked = askedFlavors(lab);
    for (const [i, host] of lab.hosts.entries()) {
      assert.equal(host.name, `h${i + 1}`);
      assert.equal(host.flavor, asked[i], `${host.name} is the --docker item ${asked[i]}`);
      assert.equal(host.dockerMajor, Number(host.flavor.replace(/[-+].*$/, '')), host.name);
      assert.match(host.docker, VERSION_OF_MAJOR[host.dockerMajor] ?? /^$/, host.name);
      assert.equal(host.firewallBackend, host.flavor.includes('-nft') ? 'nftables' : 'iptables', host.name);
      assert.equal(host.iptablesVariant, host.flavor.endsWith('+legacy') ? 'legacy' : 'nft', host.name);
    }
  });

  for (const host of lab?.hosts ?? []) {
    hostTests(lab as Lab, host);
  }
});

/** Hosts of the kinds the larger matrix adds; each is checked when the lab has one. */
const KINDS = [
  { title: 'a Docker 29 host (iptables backend)', flavor: '29', pick: (h: LabHost) => h.dockerMajor === 29 && h.firewallBackend === 'iptables' },
  { title: 'a Docker 29 host (nftables backend)', flavor: '29-nft', pick: (h: LabHost) => h.firewallBackend === 'nftables' },
  { title: 'an iptables-legacy host', flavor: '28+legacy', pick: (h: LabHost) => h.iptablesVariant === 'legacy' },
] as const;

for (const kind of KINDS) {
  const host = lab?.hosts.find(kind.pick);
  const skip = notUp !== false ? notUp : host === undefined ? `lab ${LAB} has no ${kind.title.replace(/^an? /, '')}: add ${kind.flavor} to --docker (e.g. up ${FULL_MATRIX})` : false;
  describe(`lab ${LAB}: ${kind.title}`, { skip }, () => {
    if (host === undefined) return;
    if (kind.flavor === '29') docker29Tests(host);
    else if (kind.flavor === '29-nft') docker29NftTests(host);
    else legacyTests(lab as Lab, host);
  });
}

function docker29Tests(host: LabHost): void {
  test(`${host.name}: GET /info says FirewallBackend.Driver iptables`, async () => {
    assert.equal(await firewallDriver(host), 'iptables');
  });

  test(`${host.name}: FORWARD jumps to DOCKER-USER, then DOCKER-FORWARD (CT, INTERNAL, BRIDGE), no isolation chains, in both families`, async () => {
    for (const save of ['iptables-save', 'ip6tables-save']) {
      const filter = (await onHost(host, [save, '-t', 'filter'])).stdout;
      const forward = filter.split('\n').filter((l) => l.startsWith('-A FORWARD '));
      assert.deepEqual(forward.slice(0, 2), ['-A FORWARD -j DOCKER-USER', '-A FORWARD -j DOCKER-FORWARD'], save);
      assert.deepEqual(
        filter.split('\n').filter((l) => /^-A DOCKER-FORWARD -j /.test(l)),
        ['-A DOCKER-FORWARD -j DOCKER-CT', '-A DOCKER-FORWARD -j DOCKER-INTERNAL', '-A DOCKER-FORWARD -j DOCKER-BRIDGE'],
        save,
      );
      assert.doesNotMatch(filter, /DOCKER-ISOLATION/, save);
      assert.doesNotMatch(filter, /^-A DOCKER-USER -j RETURN$/m, `${save}: Docker 29 puts no RETURN in DOCKER-USER`);
    }
    const raw = (await onHost(host, ['iptables-save', '-t', 'raw'])).stdout;
    assert.match(raw, /^-A PREROUTING -d 127\.0\.0\.1\/32 ! -i lo -p tcp -m tcp --dport 8082 -j DROP$/m);
  });
}

function docker29NftTests(host: LabHost): void {
  test(`${host.name}: GET /info says FirewallBackend.Driver nftables`, async () => {
    assert.equal(await firewallDriver(host), 'nftables');
  });

  test(`${host.name}: Docker's rules are nftables tables ip and ip6 docker-bridges; iptables holds nothing of Docker's`, async () => {
    const tables = await onHost(host, ['nft', 'list', 'tables']);
    assert.equal(tables.code, 0, tables.stderr);
    for (const table of ['table ip docker-bridges', 'table ip6 docker-bridges']) assert.ok(tables.stdout.split('\n').includes(table), table);
    const ruleset = (await onHost(host, ['nft', 'list', 'ruleset'])).stdout;
    assert.match(ruleset, /chain filter-FORWARD \{\n\s+type filter hook forward priority filter; policy accept;/);
    assert.match(ruleset, /chain nat-PREROUTING \{\n\s+type nat hook prerouting priority dstnat; policy accept;/);
    assert.match(ruleset, /dport 8080 counter packets \d+ bytes \d+ dnat to 172\.17\.0\.\d+:80/);
    for (const save of ['iptables-save', 'ip6tables-save']) {
      assert.doesNotMatch((await onHost(host, [save])).stdout, /DOCKER/, `${save} on a nftables-backend host`);
    }
  });
}

function legacyTests(lab: Lab, host: LabHost): void {
  test(`${host.name}: iptables --version says legacy, for root, in an SSH session and under sudo`, async () => {
    assert.match((await onHost(host, ['iptables', '--version'])).stdout, /^iptables v[\d.]+ \(legacy\)$/m);
    assert.match((await onHost(host, ['ip6tables', '--version'])).stdout, /^ip6tables v[\d.]+ \(legacy\)$/m);
    const ssh = await sshFromOutside(`${host.name}-deploy`, 'iptables --version; sudo -n iptables --version; sudo -n iptables-save --version', { lab });
    assert.equal(ssh.code, 0, ssh.stderr);
    assert.deepEqual(
      ssh.stdout.trim().split('\n').map((l) => /\((legacy|nf_tables)\)/.exec(l)?.[1]),
      ['legacy', 'legacy', 'legacy'],
      ssh.stdout,
    );
  });

  test(`${host.name}: Docker wrote its rules with iptables-legacy; iptables-nft sees none`, async () => {
    const legacy = await onHost(host, ['iptables-legacy-save', '-t', 'filter']);
    assert.match(legacy.stdout, /^-A FORWARD -j DOCKER-USER$/m);
    const nft = await onHost(host, ['iptables-nft-save']);
    assert.doesNotMatch(nft.stdout, /DOCKER/);
    assert.match(nft.stderr, /iptables-legacy tables present/);
  });

  test(`${host.name}: the security table (the guard's) is there with iptables-legacy, in both families`, async () => {
    for (const bin of ['iptables', 'ip6tables']) {
      const res = await onHost(host, [bin, '-w', '-t', 'security', '-S', 'FORWARD']);
      assert.equal(res.code, 0, `${bin}: ${res.stderr}`);
      assert.match(res.stdout, /^-P FORWARD ACCEPT$/m, bin);
    }
  });
}

function hostTests(lab: Lab, host: LabHost): void {
  const out = lab.outside.ns;
  const flavor = host.flavor === String(host.dockerMajor) ? '' : `, ${host.flavor}`;
  describe(`${host.name} (Docker ${host.docker}${flavor})`, () => {
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

    test(`GET /info names the firewall backend the lab set up (${host.dockerMajor === 20 ? 'none on 20.10' : host.firewallBackend})`, async () => {
      assert.equal(await firewallDriver(host), host.dockerMajor === 20 ? undefined : host.firewallBackend);
    });

    test(`iptables --version says ${host.iptablesVariant === 'nft' ? 'nf_tables' : 'legacy'}, as state.json does`, async () => {
      const res = await onHost(host, ['iptables', '--version']);
      assert.match(res.stdout, host.iptablesVariant === 'nft' ? /\(nf_tables\)/ : /\(legacy\)/);
    });

    if (host.firewallBackend === 'nftables') {
      test('no DOCKER-USER: Docker keeps its rules in nftables, iptables has none of them', async () => {
        assert.doesNotMatch((await onHost(host, ['iptables-save'])).stdout, /DOCKER/);
        assert.doesNotMatch((await onHost(host, ['ip6tables-save'])).stdout, /DOCKER/);
        assert.match((await onHost(host, ['nft', 'list', 'tables'])).stdout, /^table ip docker-bridges$/m);
      });
    } else {
      test(`DOCKER-USER exists in iptables${host.dockerMajor >= 27 ? ' and ip6tables' : ', and ip6tables is untouched'}`, async () => {
        const v4 = await onHost(host, ['iptables-save', '-t', 'filter']);
        assert.match(v4.stdout, /^-A FORWARD -j DOCKER-USER$/m);
        const v6 = await onHost(host, ['ip6tables-save']);
        if (host.dockerMajor >= 27) assert.match(v6.stdout, /^-A FORWARD -j DOCKER-USER$/m);
        else assert.doesNotMatch(v6.stdout, /DOCKER/);
      });
    }
  });
}
