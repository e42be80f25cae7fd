import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bridgeRules, chainNames, portRules, withMarker } from '../../../../src/core/firewall/layout';
import { lockdownScope, socketFamilies } from '../../../../src/core/firewall/scope';
import { isLoopback } from '../../../../src/core/firewall/port';
import { watcherScript } from '../../../../src/core/firewall/watcher';
import { DEFAULT_DOCKER_SOCKET } from '../../../../src/core/docker/dockerSocket';
import { DEFAULT_CHAIN } from '../../../../src/core/validate';
import { FIXTURES, openHost, type DockerMajor } from '../../../support/recordedHosts';
import { RECORDING_NONCE } from '../../../../scripts/recordingNonce';

/**
 * The watcher renders on the host, in sh, what the engine renders in TypeScript: run against the
 * facts of a recorded host (its Engine API answers, its `ss` and its processes, given to the script
 * through a `docker` and an `ss` that answer from the recordings, and a /proc of their own), it
 * must print the very chains renderLayout makes from the same facts, state markers included;
 * otherwise every refresh would look like a hand edit. The real watcher on real Docker is checked
 * from outside by test/reliability/watcher.test.ts.
 */
const script = watcherScript({ chain: DEFAULT_CHAIN, binaries: { ipv4: 'iptables-nft', ipv6: 'ip6tables-nft' }, sshPort: 22, dockerSocket: DEFAULT_DOCKER_SOCKET });

interface ContainerJson {
  Id: string;
  State: string;
  HostConfig?: { NetworkMode?: string };
  Ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
}
interface NetworkJson {
  Id: string;
  Driver: string;
  Options?: Record<string, string> | null;
}

/** A docker command that answers the watcher's calls from the recordings (a fake: a real one is exercised in the reliability suite). */
function fakeDocker(containers: ContainerJson[], networks: NetworkJson[]): string {
  const running = containers.filter((c) => c.State === 'running');
  const inspectLines = Object.fromEntries(
    running.map((c) => [c.Id, (c.Ports ?? []).filter((p) => p.PublicPort !== undefined).map((p) => `${p.IP ?? ''}|${p.PublicPort ?? ''}|${p.PrivatePort}/${p.Type}`)]),
  );
  const data = {
    bridges: networks.filter((n) => n.Driver === 'bridge').map((n) => n.Id),
    networks: Object.fromEntries(networks.map((n) => [n.Id, `${n.Driver} ${n.Options?.['com.docker.network.bridge.name'] ?? ''}`])),
    running: running.map((c) => c.Id),
    hostnet: running.filter((c) => c.HostConfig?.NetworkMode === 'host').map((c) => c.Id),
    inspect: inspectLines,
  };
  return `#!/usr/bin/env node
const data = ${JSON.stringify(data)};
const args = process.argv.slice(2);
const out = (lines) => process.stdout.write(lines.map((l) => l + '\\n').join(''));
if (args[0] === 'network' && args[1] === 'ls') out(data.bridges);
else if (args[0] === 'network' && args[1] === 'inspect') out(args.slice(4).map((id) => id + ' ' + (data.networks[id] ?? 'bridge ')));
else if (args[0] === 'ps' && args.includes('network=host')) out(data.hostnet);
else if (args[0] === 'ps') out(data.running);
else if (args[0] === 'inspect') out(args.slice(3).flatMap((id) => data.inspect[id] ?? []));
else { process.stderr.write('unexpected docker ' + args.join(' ') + '\\n'); process.exit(2); }
`;
}

/** A section of a recorded read report. */
function section(report: string, name: string): string {
  const start = report.indexOf(`### ${RECORDING_NONCE} ${name}\n`);
  assert.ok(start !== -1, name);
  const body = report.slice(start + `### ${RECORDING_NONCE} ${name}\n`.length);
  return body.slice(0, body.indexOf(`\n### ${RECORDING_NONCE} `)).trim();
}

for (const major of ['20', '28', '29'] as const satisfies readonly DockerMajor[]) {
  describe(`the watcher renders what the engine renders (Docker ${major}, recorded)`, () => {
    const dir = join(FIXTURES, 'docker', `docker-${major}`);
    const report = readFileSync(join(dir, 'report.txt'), 'utf8');
    const { reading } = openHost(major);
    const names = chainNames(DEFAULT_CHAIN);
    const scope = lockdownScope(reading.inventory, reading.facts);
    let sandbox: string;
    const render = (...args: string[]) => {
      const result = spawnSync('sh', ['-c', script, 'docker-firewall-watch', 'render', ...args], {
        encoding: 'utf8',
        env: { PATH: `${join(sandbox, 'bin')}:/usr/bin:/bin`, DOCKER_FIREWALL_PROC: join(sandbox, 'proc'), LC_ALL: 'C' },
      });
      assert.equal(result.status, 0, result.stderr);
      return result.stdout.replace(/\n$/, '').split('\n');
    };

    before(() => {
      sandbox = mkdtempSync(join(tmpdir(), 'dfw-watch-'));
      mkdirSync(join(sandbox, 'bin'));
      const containers = JSON.parse(readFileSync(join(dir, 'containers.json'), 'utf8')) as ContainerJson[];
      const networks = JSON.parse(readFileSync(join(dir, 'networks.json'), 'utf8')) as NetworkJson[];
      writeFileSync(join(sandbox, 'bin', 'docker'), fakeDocker(containers, networks));
      writeFileSync(join(sandbox, 'bin', 'ss'), `#!/bin/sh\ncat <<'SS'\n${section(report, 'sockets')}\nSS\n`);
      for (const name of ['docker', 'ss']) chmodSync(join(sandbox, 'bin', name), 0o755);
      // The processes behind the sockets, as the read found them: their names, and a cgroup naming their container.
      for (const line of section(report, 'processes').split('\n')) {
        const [pid, container, , comm] = line.split(' ');
        mkdirSync(join(sandbox, 'proc', pid!), { recursive: true });
        writeFileSync(join(sandbox, 'proc', pid!, 'comm'), `${comm!}\n`);
        writeFileSync(join(sandbox, 'proc', pid!, 'cgroup'), container === '-' ? '0::/\n' : `0::/system.slice/docker-${container!}.scope\n`);
      }
    });
    after(() => rmSync(sandbox, { recursive: true, force: true }));

    test('docker-proxy sockets keep their ports while Docker lists no running container (dockerd crashed or restarting)', () => {
      const proxied = (reading.facts.sockets ?? []).filter((s) => s.process === 'docker-proxy' && !isLoopback(s.address));
      assert.ok(proxied.length > 0, 'the recording has docker-proxy sockets');
      const down = lockdownScope({ ...reading.inventory, containers: [] }, reading.facts);
      for (const socket of proxied) {
        for (const family of socketFamilies(socket.address)) {
          assert.ok(down[family].hostPorts.some((p) => p.port === socket.port && p.proto === socket.proto), `${family} ${socket.port}/${socket.proto}`);
        }
      }
    });

    test('the chain of bridges, state marker included', () => {
      assert.deepEqual(render('bridges'), withMarker(names.bridges, bridgeRules(scope.ipv4.bridges)).rules);
      assert.ok(scope.ipv4.bridges.includes('appbr0'), 'a bridge named by its option');
    });

    for (const family of ['ipv4', 'ipv6'] as const) {
      test(`the chain of host ports for ${family}, the host-network container's socket among them, never SSH`, () => {
        const expected = withMarker(names.ports, portRules(scope[family].bridges, scope[family].hostPorts, scope.sshPort)).rules;
        assert.deepEqual(render('ports', family === 'ipv4' ? '4' : '6'), expected);
        assert.ok(expected.some((r) => r.includes('--dport 8090 ')), 'hostnet\'s 8090');
        assert.ok(!expected.some((r) => r.includes('--dport 8091 ')), 'the host\'s own socat is a host service, not covered');
      });
    }
  });
}

test('the ports a created container will publish are read from the hostconfig.json Docker wrote, before it starts', () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'dfw-watch-'));
  try {
    const id = 'c0ffee'.padEnd(64, '0');
    mkdirSync(join(sandbox, 'bin'));
    mkdirSync(join(sandbox, 'docker', 'containers', id), { recursive: true });
    writeFileSync(join(sandbox, 'bin', 'docker'), `#!/bin/sh\n[ "$1" = info ] && { echo '${join(sandbox, 'docker')}'; exit 0; }\necho "unexpected docker $*" >&2; exit 2\n`);
    chmodSync(join(sandbox, 'bin', 'docker'), 0o755);
    // As Docker writes it at create (one line; trimmed to the port bindings and their neighbours).
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {
      '80/tcp': [{ HostIp: '', HostPort: '8080' }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
      '443/tcp': [{ HostIp: '0.0.0.0', HostPort: '8443' }, { HostIp: '::', HostPort: '8443' }],
      '9000/tcp': [{ HostIp: '192.0.2.10', HostPort: '9000' }],
      '9001/udp': [{ HostIp: '2001:db8::10', HostPort: '9001' }],
      '7000/tcp': [{ HostIp: '', HostPort: '' }],
      '7100/tcp': [{ HostIp: '', HostPort: '7100-7102' }],
      '132/sctp': [{ HostIp: '', HostPort: '132' }],
      '9002/tcp': [{ HostIp: '::1', HostPort: '9002' }],
    };
    writeFileSync(join(sandbox, 'docker', 'containers', id, 'hostconfig.json'), JSON.stringify({ Binds: null, NetworkMode: 'appnet', PortBindings: bindings, RestartPolicy: { Name: 'no' } }));
    const result = spawnSync('sh', ['-c', script, 'docker-firewall-watch', 'planned', id], { encoding: 'utf8', env: { PATH: `${join(sandbox, 'bin')}:/usr/bin:/bin`, LC_ALL: 'C' } });
    assert.equal(result.status, 0, result.stderr);
    // Loopback, a port Docker picks at start (none, or a range) and SCTP are left out; an empty address is both families.
    assert.deepEqual(result.stdout.trim().split('\n').sort(), ['4 8080 tcp -', '4 8443 tcp -', '4 9000 tcp 192.0.2.10', '6 8080 tcp -', '6 8443 tcp -', '6 9001 udp 2001:db8::10']);
    const refused = spawnSync('sh', ['-c', script, 'docker-firewall-watch', 'planned', '../x'], { encoding: 'utf8' });
    assert.equal(refused.status, 2, 'a container id that is not hex is refused');
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
});

test('the watcher script is plain POSIX sh', () => {
  const parsed = spawnSync('sh', ['-n', '-c', script]);
  assert.equal(parsed.status, 0, parsed.stderr.toString());
});

test("the watcher's poll calls a socket new only when its protocol and address were not listening before", () => {
  const fn = (name: string): string => {
    const found = new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?\\n\\}\\n`, 'm').exec(script);
    assert.ok(found, name);
    return found[0];
  };
  // The poll's own two functions, run on recorded ss output and on variations of it.
  const program = `nl='\n'\n${fn('seen')}${fn('appeared')}seen "$(cat "$1")"; old=$PO_SEEN; seen "$(cat "$2")"; if appeared "$old" "$PO_SEEN"; then echo new; else echo same; fi\n`;
  const recorded = readFileSync(join(FIXTURES, 'sockets', 'docker-20', 'ss.txt'), 'utf8').trimEnd().split('\n');
  const sandbox = mkdtempSync(join(tmpdir(), 'dfw-poll-'));
  try {
    const verdict = (before: readonly string[], after: readonly string[]): string => {
      writeFileSync(join(sandbox, 'before'), before.join('\n'));
      writeFileSync(join(sandbox, 'after'), after.join('\n'));
      const result = spawnSync('sh', ['-c', program, 'poll', join(sandbox, 'before'), join(sandbox, 'after')], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      return result.stdout.trim();
    };
    const busy = recorded.map((line) => line.replace(/^(tcp\s+LISTEN\s+)0(\s+)/, '$17$2'));
    assert.notDeepEqual(busy, recorded);
    assert.equal(verdict(recorded, recorded), 'same');
    assert.equal(verdict(recorded, busy), 'same', 'a queue that filled is no new socket');
    assert.equal(verdict(recorded, recorded.slice(1)), 'same', 'a socket that went is left to the refreshes');
    assert.equal(verdict(recorded, [...recorded, 'tcp LISTEN 0 4096 *:8093 *:*']), 'new');
    assert.equal(verdict(recorded, ['udp UNCONN 0 0 [::]:8093 [::]:*', ...recorded]), 'new');
    // The address is text, never a pattern: "*:8094" is not "0.0.0.0:8094".
    assert.equal(verdict(['tcp LISTEN 0 5 0.0.0.0:8094 0.0.0.0:*'], ['tcp LISTEN 0 5 *:8094 *:*']), 'new');
    assert.equal(verdict(['tcp LISTEN 0 5 0.0.0.0:8094 0.0.0.0:*'], ['udp UNCONN 0 0 0.0.0.0:8094 0.0.0.0:*']), 'new', 'the same port in another protocol');
    assert.equal(verdict([], recorded), 'new');
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
});
