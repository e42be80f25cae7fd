import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Plan } from '../../../../src/core/firewall/plan';
import { changes, planChange } from '../../../../src/core/hosts/firewallEngine';
import { previewText } from '../../../../src/vscode/ui/previewText';
import { lockedHost, lockedNftablesHost, openHost } from '../../../support/recordedHosts';

for (const [host, major] of [['h1', '20'], ['h2', '28']] as const) {
  test(`the preview of Block External Access on ${host} (Docker ${major}) holds each family’s payload exactly, under comments`, () => {
    const rec = openHost(major);
    const plan = planChange(rec.reading, changes.block());
    const text = previewText({ hostName: host, change: 'Block External Access', chain: 'PRE_DOCKER', plan, variant: rec.reading.tables.variant });
    assert.match(text, new RegExp(`^# Docker Firewall: preview of "Block External Access" on ${host}\\. Nothing has been changed\\.`));
    assert.match(text, /policy after the change: locked, no allows\./);
    for (const family of ['ipv4', 'ipv6'] as const) {
      const payload = plan[family].payload;
      if (payload === undefined) assert.match(text, /# \(no change\)/);
      else assert.ok(text.includes(`\n${payload}\n`), `${family} payload not verbatim`);
    }
    assert.match(text, /# ---- IPv4: iptables-nft-restore -w 10 --noflush ----/);
    // Every line is either a comment, blank, or a line of a payload: iptables-restore could read the file as it is.
    const payloadLines = new Set([plan.ipv4.payload, plan.ipv6.payload].flatMap((p) => p?.split('\n') ?? []));
    for (const line of text.split('\n')) assert.ok(line === '' || line.startsWith('#') || payloadLines.has(line), line);
  });
}

test('a change that changes nothing says so', () => {
  const plan = planChange(openHost('20').reading, changes.block());
  const unchanged: Plan = { ...plan, changed: false, ipv4: { ...plan.ipv4, payload: undefined }, ipv6: { ...plan.ipv6, payload: undefined } };
  assert.match(previewText({ hostName: 'h1', change: 'Apply the Lockdown Again', chain: 'PRE_DOCKER', plan: unchanged, variant: 'nft' }), /Nothing to change/);
});

test('the preview of Remove Lockdown on a recorded lockdown deletes our chains in both families', () => {
  const rec = lockedHost('28');
  const unblockPlan = planChange(rec.reading, changes.unblock());
  const text = previewText({ hostName: 'h1', change: 'Remove Lockdown', chain: 'PRE_DOCKER', plan: unblockPlan, variant: rec.reading.tables.variant });
  assert.match(text, /policy after the change: open \(no lockdown\)/);
  assert.ok(unblockPlan.ipv4.payload !== undefined && text.includes(unblockPlan.ipv4.payload));
  assert.ok(unblockPlan.ipv6.payload !== undefined && text.includes(unblockPlan.ipv6.payload));
  assert.match(text, /-X PRE_DOCKER_PORTS/);
});

test('on Docker’s nftables backend the preview is the one nft batch for both families, exactly', () => {
  const rec = lockedNftablesHost();
  const plan = planChange(rec.reading, changes.allow({ port: 9443, proto: 'tcp' }));
  const text = previewText({ hostName: 'h4', change: 'Allow Port', chain: 'PRE_DOCKER', plan, variant: rec.reading.tables.variant });
  assert.match(text, /ONE nft -f batch, applied whole or not at all/);
  assert.ok(text.includes(`# ---- nft -f - ----\n${plan.payloads.nft!.trimEnd()}\n`), text);
  assert.doesNotMatch(text, /iptables-restore/);
});
