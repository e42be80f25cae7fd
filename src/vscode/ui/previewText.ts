import * as l10n from '@vscode/l10n';
import { restoreBinary } from '../../core/firewall/applyCommand';
import type { Plan } from '../../core/firewall/plan';
import { describeAllow } from '../../core/firewall/policy';
import type { IptablesVariant } from '../../core/firewall/readFirewall';

/**
 * The text of a Preview Rules document: each family's payload exactly as it would be fed to
 * iptables-restore (or the one nft batch, on Docker's nftables backend), under `#` comments (which
 * both ignore). Pure, unit-tested.
 */

/** Text as `#` comment lines, one per line of it (translations keep the line breaks of the English). */
const comment = (text: string): string[] => text.split('\n').map((line) => (line === '' ? '#' : `# ${line}`));

export function previewText(input: { hostName: string; change: string; chain: string; plan: Plan; variant: IptablesVariant | undefined }): string {
  const { hostName, change, chain, plan, variant } = input;
  const policy = !plan.policy.locked
    ? l10n.t('open (no lockdown)')
    : plan.policy.allows.length > 0
      ? l10n.t('locked, allowing {0}', plan.policy.allows.map(describeAllow).join('; '))
      : l10n.t('locked, no allows');
  const lines = [
    ...comment(l10n.t('Docker Firewall: preview of "{0}" on {1}. Nothing has been changed.', change, hostName)),
    ...comment(l10n.t('Chain {0}; policy after the change: {1}.', chain, policy)),
  ];
  if (!plan.changed) {
    lines.push('#', ...comment(l10n.t('Nothing to change: the rules in force already are what this change would write.')));
    return `${lines.join('\n')}\n`;
  }
  if (plan.payloads.nft !== undefined) {
    // Docker's nftables backend: our own table in each family, both in one nft batch.
    lines.push(
      ...comment(
        l10n.t('Docker uses its nftables backend here: the lockdown is a table of our own in each family, and both\nfamilies go to the host as ONE nft -f batch, applied whole or not at all.'),
      ),
      '',
      '# ---- nft -f - ----',
    );
    lines.push(plan.payloads.nft.trimEnd());
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    ...comment(
      l10n.t(
        'Each family is one iptables-restore --noflush run, which commits table by table: each table is changed\nwhole or not at all. Should a later table fail, the earlier one stays changed (a read shows it);\nshould IPv6 fail, IPv4 is rolled back.',
      ),
    ),
  );
  for (const family of ['ipv4', 'ipv6'] as const) {
    const title = family === 'ipv4' ? 'IPv4' : 'IPv6';
    const binary = variant === undefined ? '' : `: ${restoreBinary(variant, family)} -w 10 --noflush`;
    const payload = plan[family].payload;
    lines.push('', `# ---- ${title}${binary} ----`);
    lines.push(payload === undefined ? `# ${l10n.t('(no change)')}` : payload);
  }
  return `${lines.join('\n')}\n`;
}
