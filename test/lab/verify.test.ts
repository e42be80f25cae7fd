import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerFirewall } from '../support/cli';
import { isLabUp, labName, loadLab, onHost, outside, tcpConnect, type Lab, type LabHost, type RunResult } from '../support/lab';
import { needsLab } from '../support/requirements';

/**
 * `docker-firewall verify` against the lab, from its outside namespace (the user's machine): what
 * it reports is checked against what the lab was made to do. Each host is locked with 8080 allowed;
 * then the client's own namespace drops 8080 (a warning), the host redirects a blocked port to its
 * sshd (an error: a blocked port that answers), and the host is reached through a jump host while
 * this machine cannot reach it (the positive control fails: exit 1, never 0).
 */

interface VerifyJson {
  host: string;
  at: string;
  from: { machine: string; sourceAddresses: string[] };
  addresses: { address: string; family: string; source: string; control: { port: number; before: string; after: string | null }; trusted: boolean }[];
  results: { address: string; port: number; proto: string; container?: string; expected: string; observed: string; match: boolean; severity: string | null }[];
  unprobed: { hostIp: string; hostPort: number; proto: string; reason: string }[];
  mismatches: number;
  verdict: string;
  reason: string | null;
  budgetMs: number;
  usedMs: number;
}

const LAB = labName();
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const notUp = needsLab(`lab ${LAB}`, { outside: true });

/** The lab's ssh config and, for each host, an alias by its IPv6 address and one through the other host as a jump host. */
function extraAliases(lab: Lab): string {
  const blocks = lab.hosts.flatMap((h) => {
    const other = lab.hosts.find((o) => o.name !== h.name);
    const common = [`  User root`, `  IdentityFile ${lab.keys.root}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${lab.knownHosts}`, '  StrictHostKeyChecking yes', '  BatchMode yes'];
    return [
      `Host ${h.name}-v6`,
      `  HostName ${h.ipv6}`,
      ...common,
      '',
      ...(other === undefined ? [] : [`Host ${h.name}-via-${other.name}`, `  HostName ${h.ipv4}`, `  ProxyJump ${other.name}`, ...common, '']),
    ];
  });
  return `${readFileSync(lab.sshConfig, 'utf8')}\n${blocks.join('\n')}\n`;
}

describe(`docker-firewall verify against lab ${LAB}, from ${lab?.outside.ns ?? 'its outside namespace'}`, { skip: notUp }, () => {
  let dir: string;
  let sshConfig: string;
  const cli = (args: readonly string[]): Promise<RunResult> => dockerFirewall(args, { global: ['--ssh-config', sshConfig] });
  const verify = async (alias: string, json = true): Promise<{ result: RunResult; report: VerifyJson | undefined }> => {
    const result = await cli([...(json ? ['--json'] : []), 'verify', alias]);
    return { result, report: json && result.stdout.trim().startsWith('{') ? (JSON.parse(result.stdout) as VerifyJson) : undefined };
  };
  // Every host: a 29-nft host is locked in nftables tables of our own.
  const lockable = () => lab!.hosts;
  const unblockAll = async (): Promise<void> => {
    for (const host of lockable()) {
      const r = await cli(['unblock', host.name]);
      assert.equal(r.code, 0, r.stderr);
    }
  };
  const rows = (report: VerifyJson | undefined) => report?.results.map((r) => `${r.address} ${r.port}/${r.proto} ${r.expected} ${r.observed} ${r.match ? 'match' : r.severity ?? ''}`) ?? [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dfw-verify-'));
    sshConfig = join(dir, 'ssh_config');
    writeFileSync(sshConfig, extraAliases(lab!));
    await unblockAll();
    for (const host of lockable()) {
      const r = await cli(['block', host.name, '--allow', '8080']);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    await unblockAll();
    rmSync(dir, { recursive: true, force: true });
  });

  // Row by row on Docker 20.10 and 28; the nftables host (29-nft) is verified in the run of several hosts below.
  for (const host of lab?.hosts.filter((h) => h.flavor === '20' || h.flavor === '28') ?? []) {
    describe(`${host.name} (Docker ${host.dockerMajor}) locked with 8080 allowed`, () => {
      test('over IPv4 (the address SSH uses): every blocked port closed or filtered, 8080 open, exit 0', async () => {
        const { result, report } = await verify(host.name);
        assert.equal(result.code, 0, `${result.stderr}\n${rows(report).join('\n')}`);
        assert.ok(report);
        assert.equal(report.verdict, 'match');
        assert.equal(report.mismatches, 0);
        // The address SSH uses, then the host's own global IPv6 address (from its read): both answer on SSH.
        assert.deepEqual(report.addresses.map((a) => [a.address, a.source, a.control.before, a.control.after, a.trusted]), [
          [host.ipv4, 'ssh', 'open', 'open', true],
          [host.ipv6, 'host', 'open', 'open', true],
        ]);
        assert.deepEqual(report.from.sourceAddresses, [lab!.outside.ipv4, lab!.outside.ipv6]);
        assert.deepEqual(rows(report).filter((r) => r.startsWith(`${host.ipv4} `)), [
          `${host.ipv4} 5353/udp unreachable open|filtered match`,
          `${host.ipv4} 8080/tcp reachable open match`,
          `${host.ipv4} 8081/tcp unreachable filtered match`,
          // Published on the host's loopback: refused on its LAN address.
          `${host.ipv4} 8082/tcp unreachable closed match`,
        ]);
        // docker-proxy's [::] bindings, on the host's IPv6 address.
        assert.deepEqual(rows(report).filter((r) => r.startsWith(`${host.ipv6} `)), [
          `${host.ipv6} 5353/udp unreachable open|filtered match`,
          `${host.ipv6} 8080/tcp reachable open match`,
          `${host.ipv6} 8081/tcp unreachable filtered match`,
        ]);
        assert.deepEqual(report.unprobed.map((u) => `${u.hostIp} ${u.hostPort}/${u.proto}`).sort(), []);
        // The same from this test's own probes: the blocked port silent beside the SSH port answering.
        assert.deepEqual(await Promise.all([tcpConnect(lab!.outside.ns, host.ipv4, 8081), tcpConnect(lab!.outside.ns, host.ipv4, 22)]), ['timeout', 'open']);
      });

      test('over IPv6 (an alias by the host’s IPv6 address): the [::] bindings, docker-proxy’s, are checked too, exit 0', async () => {
        const { result, report } = await verify(`${host.name}-v6`);
        assert.equal(result.code, 0, `${result.stderr}\n${rows(report).join('\n')}`);
        assert.deepEqual(rows(report).filter((r) => r.startsWith(`${host.ipv6} `)), [
          `${host.ipv6} 5353/udp unreachable open|filtered match`,
          `${host.ipv6} 8080/tcp reachable open match`,
          `${host.ipv6} 8081/tcp unreachable filtered match`,
        ]);
        assert.deepEqual(report?.addresses.map((a) => [a.address, a.source]), [[host.ipv6, 'ssh'], [host.ipv4, 'host']]);
      });

      test('with 8080 dropped in the client’s own namespace: exit 5, and 8080 is a warning (something else filters it)', async () => {
        const rule = ['OUTPUT', '-p', 'tcp', '-d', host.ipv4, '--dport', '8080', '-j', 'DROP'];
        const added = await outside(['iptables', '-I', ...rule]);
        assert.equal(added.code, 0, added.stderr);
        try {
          const { result, report } = await verify(host.name);
          assert.equal(result.code, 5, result.stderr);
          assert.equal(report?.verdict, 'mismatch');
          assert.equal(report?.mismatches, 1);
          assert.equal(rows(report)[0], `${host.ipv4} 8080/tcp reachable filtered warning`);
          const human = await verify(host.name, false);
          assert.equal(human.result.code, 5, human.result.stderr);
          const table = human.result.stdout.split('\n').filter((l) => /^ {2}(WARNING|ERROR|ok) /.test(l));
          assert.match(table[0] ?? '', new RegExp(`^ {2}WARNING +${host.ipv4.replace(/\./g, '\\.')} +8080/tcp +web +reachable +filtered `));
          assert.match(human.result.stdout, /^MISMATCH: 1 port the rules open does not answer from here \(WARNING: something else filters it/m);
        } finally {
          const removed = await outside(['iptables', '-D', ...rule]);
          assert.equal(removed.code, 0, removed.stderr);
        }
      });

      test('with a blocked port redirected to sshd on the host (past the lockdown, which the status cannot see): exit 5, an error', async () => {
        const rule = ['PREROUTING', '-t', 'nat', '-p', 'tcp', '-d', host.ipv4, '--dport', '8081', '-j', 'REDIRECT', '--to-ports', '22'];
        const added = await onHost(host, ['iptables', '-I', ...rule]);
        assert.equal(added.code, 0, added.stderr);
        try {
          const { result, report } = await verify(host.name);
          assert.equal(result.code, 5, result.stderr);
          assert.equal(rows(report)[0], `${host.ipv4} 8081/tcp unreachable open error`);
          assert.equal(report?.results[0]?.container, 'app');
        } finally {
          const removed = await onHost(host, ['iptables', '-D', ...rule]);
          assert.equal(removed.code, 0, removed.stderr);
        }
      });
    });
  }

  describe('several hosts in one run', () => {
    test('verify the Docker 20.10 host, the nftables host and an unreachable host (one from --hosts-from): one document per host in order, each its own verdict, exit 1, the worst; the same three lines on a terminal', async () => {
      const locked = lab!.hosts.filter((h) => h.flavor === '20' || h.flavor === '29-nft').map((h) => h.name);
      assert.equal(locked.length, 2, 'the lab has a Docker 20.10 and a Docker 29 nftables host');
      const unreachable = `root@${lab!.hosts[0]!.ipv4}:2`;
      const file = join(dir, 'hosts.txt');
      writeFileSync(file, `# the fleet\n${unreachable}\n`);
      const result = await cli(['--json', 'verify', ...locked, '--hosts-from', file]);
      assert.equal(result.code, 1, result.stderr);
      const documents = JSON.parse(result.stdout) as (Partial<VerifyJson> & { host: string; exit: number; error?: { code: string } })[];
      assert.deepEqual(documents.map((d) => [d.host, d.exit, d.verdict ?? d.error?.code]), [
        [locked[0], 0, 'match'],
        [locked[1], 0, 'match'],
        [unreachable, 1, 'ConnectionFailed'],
      ]);
      assert.ok(documents.slice(0, 2).every((d) => (d.results?.length ?? 0) > 0 && d.mismatches === 0));
      const human = await cli(['verify', ...locked, unreachable]);
      assert.equal(human.code, 1);
      assert.deepEqual(human.stdout.split('\n').filter((l) => l.startsWith('== ')), [`== ${locked[0]} ==`, `== ${locked[1]} ==`, `== ${unreachable} (exit 1) ==`]);
      assert.match(human.stderr, new RegExp(`3 hosts: 2 done, 1 failed \\(${unreachable.replaceAll('.', '\\.')}: exit 1\\)`));
    });
  });

  const [h1, h2] = lab?.hosts ?? [];
  describe('the host unreachable from here', { skip: h1 === undefined || h2 === undefined ? 'needs two lab hosts' : false }, () => {
    const jumped = () => `${h1!.name}-via-${h2!.name}`;
    const dropToH1 = (host: LabHost) => ['OUTPUT', '-d', host.ipv4, '-j', 'DROP'];
    const dropToH1v6 = (host: LabHost) => ['OUTPUT', '-d', host.ipv6, '-j', 'DROP'];

    test('through the jump host, with the host reachable from here too: exit 0 (the jump itself works)', async () => {
      const { result, report } = await verify(jumped());
      assert.equal(result.code, 0, `${result.stderr}\n${result.stdout}`);
      assert.equal(report?.verdict, 'match');
    });

    test('through the jump host, with every packet from here to the host dropped: the positive control fails, exit 1, never 0', async () => {
      const added = await outside(['iptables', '-I', ...dropToH1(h1!)]);
      assert.equal(added.code, 0, added.stderr);
      // Its IPv6 address too, which the host's read names as one of its own.
      const added6 = await outside(['ip6tables', '-I', ...dropToH1v6(h1!)]);
      assert.equal(added6.code, 0, added6.stderr);
      try {
        const { result, report } = await verify(jumped());
        assert.equal(result.code, 1, `${result.stderr}\n${result.stdout}`);
        assert.equal(report?.verdict, 'cannot-probe');
        assert.deepEqual(report?.results, []);
        assert.deepEqual(report?.addresses.map((a) => [a.address, a.control.before, a.trusted]), [[h1!.ipv4, 'filtered', false], [h1!.ipv6, 'filtered', false]]);
        assert.match(report?.reason ?? '', /the SSH port did not answer from here/);
        const human = await verify(jumped(), false);
        assert.equal(human.result.code, 1);
        assert.match(human.result.stdout, new RegExp(`^Cannot probe from here: .* SSH reaches ${jumped()} through the jump host ${h2!.name}`, 'm'));
        // Reached directly, the host cannot even be read: exit 1 too.
        const direct = await verify(h1!.name);
        assert.equal(direct.result.code, 1, direct.result.stderr);
      } finally {
        const removed = await outside(['iptables', '-D', ...dropToH1(h1!)]);
        const removed6 = await outside(['ip6tables', '-D', ...dropToH1v6(h1!)]);
        assert.equal(removed.code, 0, removed.stderr);
        assert.equal(removed6.code, 0, removed6.stderr);
      }
    });
  });
});
