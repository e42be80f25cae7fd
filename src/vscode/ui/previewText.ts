import { restoreBinary } from '../../core/firewall/applyCommand';
import type { Plan } from '../../core/firewall/plan';
import { describeAllow } from '../../core/firewall/policy';
import type { IptablesVariant } from '../../core/firewall/readFirewall';

/**
 * The text of a Preview Rules document: each family's payload exactly as it would be fed to
 * iptables-restore (or the one nft batch, on Docker's nftables backend), under `#` comments (which
 * both ignore). Pure, unit-tested.
 */
export function previewText(input: { hostName: string; change: string; chain: string; plan: Plan; variant: IptablesVariant | undefined }): string {
  const { hostName, change, chain, plan, variant } = input;
  const policy = plan.policy.locked
    ? `locked${plan.policy.allows.length > 0 ? `, allowing ${plan.policy.allows.map(describeAllow).join('; ')}` : ', no allows'}`
    : 'open (no lockdown)';
  const lines = [
    `# Docker Firewall: preview of "${change}" on ${hostName}. Nothing has been changed.`,
    `# Chain ${chain}; policy after the change: ${policy}.`,
  ];
  if (!plan.changed) {
    lines.push('#', '# Nothing to change: the rules in force already are what this change would write.');
    return `${lines.join('\n')}\n`;
  }
  if (plan.payloads.nft !== undefined) {
    // Docker's nftables backend: our own table in each family, both in one nft batch.
    lines.push('# Docker uses its nftables backend here: the lockdown is a table of our own in each family, and both', '# families go to the host as ONE nft -f batch, applied whole or not at all.', '', '# ---- nft -f - ----');
    lines.push(plan.payloads.nft.trimEnd());
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    '# Each family is one iptables-restore --noflush run, which commits table by table: each table is changed',
    '# whole or not at all. Should a later table fail, the earlier one stays changed (a read shows it);',
    '# should IPv6 fail, IPv4 is rolled back.',
  );
  for (const family of ['ipv4', 'ipv6'] as const) {
    const title = family === 'ipv4' ? 'IPv4' : 'IPv6';
    const binary = variant === undefined ? '' : `: ${restoreBinary(variant, family)} -w 10 --noflush`;
    const payload = plan[family].payload;
    lines.push('', `# ---- ${title}${binary} ----`);
    lines.push(payload === undefined ? '# (no change)' : payload);
  }
  return `${lines.join('\n')}\n`;
}
