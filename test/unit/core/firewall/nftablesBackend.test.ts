import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { changes, planChange, statusOfReading } from '../../../../src/core/hosts/firewallEngine';
import { parseApplyResult } from '../../../../src/core/firewall/applyCommand';
import { ApplyFailed, FirewallReadFailed, LockdownRefused } from '../../../../src/core/firewall/errors';
import { bridgeRules, chainNames, portRules, withMarker } from '../../../../src/core/firewall/layout';
import { parseNftTable } from '../../../../src/core/firewall/nftRead';
import { nftRuleText } from '../../../../src/core/firewall/nftRule';
import { persistCommand } from '../../../../src/core/firewall/persistence';
import { watcherScript } from '../../../../src/core/firewall/watcher';
import { DEFAULT_CHAIN } from '../../../../src/core/validate';
import { lockedNftablesHost, readingOf } from '../../../support/recordedHosts';
import { RECORDING_NONCE } from '../../../../scripts/recordingNonce';

/**
 * Docker 29 with its nftables firewall backend, locked by our own CLI into table ip/ip6
 * docker_firewall (lab/record-locked-fixtures.sh): what nft -j printed back is read into the same
 * model as iptables-save's text, checked rule by rule, and planned from. Then the same recording,
 * edited as a careless admin or an attacker would, must never read as blocked.
 */
const FIXTURES = join(__dirname, '../../../fixtures/nftables/docker-29-nft');
const read = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const report = read('locked-report.txt');
const host = lockedNftablesHost();
const { reading, firewall } = host;

/** The recorded report with our ip table's JSON replaced. */
function withIpTable(edit: (document: { nftables: Record<string, unknown>[] }) => void): string {
  const marker = `### ${RECORDING_NONCE} nft-ip\n`;
  const start = report.indexOf(marker) + marker.length;
  const end = report.indexOf('\n', start);
  const document = JSON.parse(report.slice(start, end)) as { nftables: Record<string, unknown>[] };
  edit(document);
  return `${report.slice(0, start)}${JSON.stringify(document)}${report.slice(end)}`;
}

type NftRule = { rule: { chain: string; comment?: string; expr: unknown[]; handle: number } };
const rules = (document: { nftables: Record<string, unknown>[] }) => document.nftables.filter((o): o is NftRule => 'rule' in o);

describe('Docker 29 with the nftables backend, locked (recorded)', () => {
  test('the lockdown is read back from our own table: backend nftables, four allows, nothing drifted', () => {
    assert.equal(firewall.backend, 'nftables');
    assert.equal(firewall.locked, true);
    assert.deepEqual(
      firewall.policy.allows.map((a) => `${a.port}${a.endPort === undefined ? '' : `-${a.endPort}`}/${a.proto} ${a.from?.text ?? 'any'}${a.until === undefined ? '' : ' until'}`),
      ['5353/udp 2001:db8:1::100/128', '8080/tcp any', '8081/tcp 192.0.2.100/32', '9000-9010/tcp 198.51.100.0/24 until'],
    );
    for (const family of [firewall.ipv4, firewall.ipv6]) {
      assert.equal(family.drift, 'none', family.family);
      assert.equal(family.check.forward?.ok, true, family.family);
      assert.equal(family.check.input.ok, true, family.family);
      assert.equal(family.check.guard, undefined, 'no guard: a drop in our base chain is final');
      assert.deepEqual(family.hooks.map((h) => `${h.from} ${h.spec}`), ['forward -j PRE_DOCKER', 'input -j PRE_DOCKER_INPUT']);
    }
    assert.deepEqual(firewall.warnings.map((w) => w.code), ['not-persistent']);
  });

  test('every published port reads as what the rules make it', () => {
    const exposure = (port: number, hostIp: string) => firewall.ports.find((p) => p.hostPort === port && p.hostIp === hostIp)?.exposure;
    assert.equal(exposure(8080, '0.0.0.0'), 'allowed');
    assert.equal(exposure(8080, '::'), 'allowed');
    assert.equal(exposure(8081, '0.0.0.0'), 'allowed', 'from 192.0.2.100 only');
    assert.equal(exposure(8081, '::'), 'blocked', 'the IPv4 source does not open IPv6');
    assert.equal(exposure(5353, '0.0.0.0'), 'blocked');
    assert.equal(exposure(5353, '::'), 'allowed');
  });

  test('the counters nft printed are the rules\' counters', () => {
    const total = firewall.ipv4.rules.reduce((sum, r) => sum + r.packets, 0);
    assert.ok(total > 0, 'the recording saw traffic');
  });

  test('planning the policy in force again changes nothing: what we render is what nft gave back', () => {
    assert.equal(planChange(reading, changes.reapply()).changed, false);
  });

  test('a change is one nft batch for both families, refused whole if the table or a chain moved since the read', () => {
    const plan = planChange(reading, changes.allow({ port: 9443, proto: 'tcp' }));
    const batch = plan.payloads.nft ?? '';
    assert.equal(plan.payloads.ipv4, undefined);
    assert.match(batch, /^delete rule ip docker_firewall PRE_DOCKER handle \d+$/m);
    assert.match(batch, /^delete rule ip docker_firewall PRE_DOCKER_PORTS handle \d+$/m);
    assert.match(batch, /^delete table ip handle \d+$/m);
    assert.match(batch, /^delete table ip6 handle \d+$/m);
    assert.match(batch, /meta l4proto tcp ct original proto-dst 9443 counter return comment "docker-firewall:v1 allow tcp\/9443"/);
    // The markers are deleted before their table; the new table follows the deletion.
    const ip = batch.split('\n');
    assert.ok(ip.findIndex((l) => l.startsWith('delete rule ip ')) < ip.findIndex((l) => l.startsWith('delete table ip ')));
    assert.ok(ip.findIndex((l) => l.startsWith('delete table ip ')) < ip.indexOf('table ip docker_firewall {'));
  });

  test('unblock deletes our two tables by handle, and nothing of Docker\'s', () => {
    const batch = planChange(reading, changes.unblock()).payloads.nft ?? '';
    assert.doesNotMatch(batch, /docker-bridges/);
    assert.doesNotMatch(batch, /^table /m);
    assert.equal(batch.split('\n').filter((l) => /^delete table ip6? handle \d+$/.test(l)).length, 2);
  });

  test('a host without our table gets it with create: refused if someone made it meanwhile', () => {
    const open = readingOf(withIpTable(() => undefined).replace(/### 5ec0de\S* nft-ip\n[^\n]*\n\n### \S* nftrc-ip\n0\n/, '').replace('table ip docker_firewall\n', ''), reading.inventory);
    const plan = planChange(open, changes.reapply());
    assert.match(plan.payloads.nft ?? '', /^create table ip docker_firewall$/m);
  });
});

describe('a tampered nftables table never reads as blocked', () => {
  const statusOf = (text: string) => statusOfReading(readingOf(text, reading.inventory));

  test('an accept slipped into our forward chain under an allow\'s comment: the chain is not ours, its ports are not called blocked', () => {
    const text = withIpTable((d) => {
      const allow = rules(d).find((r) => r.rule.chain === 'PRE_DOCKER' && r.rule.comment?.includes('allow tcp/8081'))!;
      allow.rule.expr = [{ match: { op: '==', left: { meta: { key: 'l4proto' } }, right: 'tcp' } }, { counter: { packets: 0, bytes: 0 } }, { accept: null }];
    });
    const status = statusOf(text);
    assert.equal(status.ipv4.drift, 'modified');
    assert.equal(status.ipv4.check.forward?.ok, false);
    assert.ok(status.ports.filter((p) => p.hostIp === '0.0.0.0' && p.path === 'dnat').every((p) => p.exposure !== 'blocked'), JSON.stringify(status.ports));
  });

  test('our forward base chain moved after Docker\'s (priority 10): no hook of ours, nothing called blocked on that path', () => {
    const text = withIpTable((d) => {
      const chain = d.nftables.find((o) => 'chain' in o && (o.chain as { name: string }).name === 'forward') as { chain: { prio: number } };
      chain.chain.prio = 10;
    });
    const status = statusOf(text);
    assert.equal(status.ipv4.check.forward?.ok, false);
    assert.match(JSON.stringify(status.warnings), /nothing in our nftables forward chain jumps to PRE_DOCKER/);
    assert.equal(status.ports.find((p) => p.hostPort === 5353 && p.hostIp === '0.0.0.0')?.exposure === 'blocked', false);
  });

  test('a comment carrying a newline and a rule of its own stays one comment of one rule', () => {
    const text = withIpTable((d) => {
      const marker = rules(d).find((r) => r.rule.chain === 'forward')!;
      marker.rule.comment = 'x"\n[0:0] -A forward -j PRE_DOCKER\n"';
      marker.rule.expr = [{ counter: { packets: 0, bytes: 0 } }];
    });
    const status = statusOf(text);
    assert.equal(status.ipv4.check.forward?.ok, false, 'the real jump is gone: the comment does not stand in for it');
  });

  test('a set in our table, or JSON of another table, fails the read instead of being skipped', () => {
    const withSet = withIpTable((d) => d.nftables.push({ set: { family: 'ip', table: 'docker_firewall', name: 'allowed', type: 'ipv4_addr', handle: 99 } }));
    assert.throws(() => readingOf(withSet, reading.inventory), (e) => e instanceof FirewallReadFailed && /holds a set/.test(e.message));
    const json = read('locked-nft-ip.json');
    assert.throws(() => parseNftTable(json, 'ipv4', 'other_table'), FirewallReadFailed);
    assert.throws(() => parseNftTable('not json', 'ipv4', 'docker_firewall'), FirewallReadFailed);
    assert.throws(() => parseNftTable(JSON.stringify({ nftables: [{ chain: { family: 'ip', table: 'docker_firewall', name: 'a b', handle: 1 } }] }), 'ipv4', 'docker_firewall'), FirewallReadFailed);
  });
});

describe('nftables: refusals, conflicts and persistence', () => {
  test('Docker says nftables but its tables are not there: refused, nothing planned', () => {
    const text = report.replace(/^table ip6? docker-bridges\n/gm, '');
    assert.throws(() => planChange(readingOf(text, reading.inventory), changes.reapply()), (e) => e instanceof LockdownRefused && /ip docker-bridges\) are not there/.test(e.message));
  });

  test('a host without the nft command: refused with how to install it', () => {
    const text = report.replace(new RegExp(`### ${RECORDING_NONCE} nft-tables\\n[\\s\\S]*?(?=### ${RECORDING_NONCE} persistence)`), '');
    const noNft = readingOf(text, reading.inventory);
    assert.equal(noNft.tables.nftAvailable, false);
    assert.throws(() => planChange(noNft, changes.block()), (e) => e instanceof LockdownRefused && /apt install nftables/.test(e.message));
    assert.ok(statusOfReading(noNft).warnings.some((w) => w.code === 'nftables-backend'));
  });

  test('nft refusing a delete by handle or a create is a conflict to retry; anything else fails the change, none of it applied', () => {
    const payloads = { nft: 'delete table ip handle 7\n' };
    const stale = { stdout: '', code: 1, stderr: '/dev/stdin:1:24-24: Error: Could not process rule: No such file or directory\ndelete table ip handle 7\n                       ^\n### failed ipv4' };
    assert.equal(parseApplyResult(stale, payloads).kind, 'conflict');
    const made = { stdout: '', code: 1, stderr: '/dev/stdin:1:17-31: Error: Could not process rule: File exists\ncreate table ip docker_firewall\n                ^^^^^^^^^^^^^^^\n### failed ipv4' };
    assert.equal(parseApplyResult(made, payloads).kind, 'conflict');
    const syntax = { stdout: '', code: 1, stderr: '/dev/stdin:9:5-8: Error: syntax error, unexpected junk\n### failed ipv4' };
    assert.throws(() => parseApplyResult(syntax, payloads), (e) => e instanceof ApplyFailed && /applied none of it/.test(e.message));
  });

  test('persist saves both tables as one batch that replaces them whole, restored by nft -f, without a dockerd drop-in', () => {
    const plan = planChange(reading, changes.reapply());
    const files = persistCommand(undefined, DEFAULT_CHAIN, plan.ipv4.wanted, plan.ipv6.wanted).files;
    const rules = files.find((f) => f.path.endsWith('/rules.nft'))!;
    for (const ip of ['ip', 'ip6']) {
      const lines = rules.content.split('\n');
      const at = (line: string) => lines.indexOf(line);
      assert.ok(at(`table ${ip} docker_firewall {`) >= 0 && at(`table ${ip} docker_firewall {`) < at(`delete table ${ip} docker_firewall`), ip);
      assert.ok(lines.lastIndexOf(`table ${ip} docker_firewall {`) > at(`delete table ${ip} docker_firewall`), ip);
    }
    assert.match(files.find((f) => f.path.endsWith('docker-firewall-restore'))!.content, /exec nft -f \/etc\/docker-firewall\/rules\.nft/);
    assert.equal(files.some((f) => f.path.includes('docker.service.d')), false);
  });
});

describe('the watcher says the rules of its two chains in nft\'s words as the engine does', () => {
  const script = watcherScript({ chain: DEFAULT_CHAIN, binaries: 'nft', sshPort: 22, dockerSocket: '/var/run/docker.sock' });
  const toNft = script.slice(script.indexOf('to_nft() {'), script.indexOf('\n}\n', script.indexOf('to_nft() {')) + 3);
  const names = chainNames(DEFAULT_CHAIN);
  for (const family of ['ipv4', 'ipv6'] as const) {
    test(`${family}: bridges, host ports (on one address and on all), and the state marker`, () => {
      const address = family === 'ipv4' ? '192.0.2.1' : '2001:db8:1::1';
      const lines = [
        ...withMarker(names.bridges, bridgeRules(['docker0', 'br-0123456789ab'])).rules,
        ...withMarker(names.ports, portRules(['docker0'], [{ port: 8080, proto: 'tcp' }, { port: 5353, proto: 'udp', address }], 22)).rules,
      ];
      const said = execFileSync('sh', ['-c', `${toNft}\nto_nft "$1"`, 'sh', family === 'ipv4' ? 'ip' : 'ip6'], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
      assert.deepEqual(said.trimEnd().split('\n'), lines.map((l) => nftRuleText(l, family)));
    });
  }
});

describe('a lockdown left in iptables from before Docker used nftables', () => {
  test('is named in a warning (it still filters, and the nftables lockdown does not remove it)', () => {
    const marker = `### ${RECORDING_NONCE} save4-nft\n`;
    const at = report.indexOf(':OUTPUT ACCEPT [0:0]\n', report.indexOf(marker)) + ':OUTPUT ACCEPT [0:0]\n'.length;
    const text = `${report.slice(0, at)}:PRE_DOCKER_INPUT - [0:0]\n[0:0] -A INPUT -j PRE_DOCKER_INPUT\n${report.slice(at)}`;
    const status = statusOfReading(readingOf(text, reading.inventory));
    const warning = status.warnings.find((w) => w.code === 'iptables-leftover');
    assert.match(warning?.message ?? '', /still in iptables \(iptables-nft -t filter PRE_DOCKER_INPUT\)/);
    assert.equal(firewall.warnings.some((w) => w.code === 'iptables-leftover'), false, 'none on the recorded host');
  });
});
