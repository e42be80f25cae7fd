import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, loadLab, onHost, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson } from '../../support/cli';
import { probe } from '../../support/probes';
import { labReason, unmet } from '../../support/requirements';

/**
 * A real Docker 29 with its nftables firewall backend (no DOCKER-USER chain): until issue 14 gives
 * it a lockdown of its own, Block is refused with the reason, nothing on the host changes (neither
 * iptables nor nftables), and the ports stay what they are, exposed, and are called so.
 */
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const host: LabHost | undefined = lab?.hosts.find((h) => h.firewallBackend === 'nftables');
const skip = unmet(
  'Docker 29 with the nftables backend refused',
  labReason({ outside: true }) || (host === undefined ? `lab ${lab!.name} has no Docker 29-nft host: up --docker 20,28,29,29-nft,28+legacy` : false),
);

interface StatusJson {
  locked: boolean;
  ports: { container: string | null; hostIp: string; hostPort: number; exposure: string }[];
  warnings: { code: string; message: string }[];
}

/** Every table of both tools, counters aside: what a refusal must leave exactly as it was. */
async function firewallText(h: LabHost): Promise<string> {
  const parts: string[] = [];
  for (const argv of [['iptables-save'], ['ip6tables-save'], ['nft', 'list', 'ruleset']]) {
    const result = await onHost(h, argv);
    assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`);
    parts.push(result.stdout.replace(/\[\d+:\d+\]/g, '[]').replace(/counter packets \d+ bytes \d+/g, 'counter').replace(/^#.*$/gm, ''));
  }
  return parts.join('\n');
}

describe(`Docker 29 with the nftables backend (${host?.name ?? 'no such host'})`, { skip }, () => {
  after(async () => {
    await dockerFirewall(['unblock', host!.name]);
  });

  test('block is refused with the reason and what to do, exit 1, and changes nothing on the host', async () => {
    const before = await firewallText(host!);
    const result = await dockerFirewall(['block', host!.name]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /nftables firewall backend, which has no DOCKER-USER chain/);
    assert.match(result.stderr, /Run dockerd with the iptables backend/);
    assert.equal(await firewallText(host!), before);
  });

  test('its ports are called exposed, with the warning, and they do answer from outside', async () => {
    const status = await dockerFirewallJson<StatusJson>(['status', host!.name]);
    assert.equal(status.locked, false);
    assert.deepEqual([...new Set(status.ports.filter((p) => p.container === 'web').map((p) => p.exposure))], ['exposed']);
    assert.ok(status.warnings.some((w) => /nftables firewall backend/.test(w.message)), JSON.stringify(status.warnings));
    for (const family of ['ipv4', 'ipv6'] as const) assert.equal(await probe(lab!.outside.ns, host!, { port: 8080, family }), 'open', family);
  });
});
