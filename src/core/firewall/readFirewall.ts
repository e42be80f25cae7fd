import { FirewallReadFailed } from './errors';
import type { RemoteCommand } from '../remote/remoteCommand';
import { parseIptablesSave, type SavedTable } from './iptablesSave';

/**
 * One remote command reads everything the firewall model needs, for both families and both
 * iptables variants, in a single round trip. The script is a constant: nothing user-supplied is
 * interpolated into it.
 */
const SCRIPT = `
export LC_ALL=C
section() { printf '\\n### %s\\n' "$1"; }
section version; iptables --version 2>&1
save() { # family variant command tables-loaded
  section "save$1-$2"; "$3" -c -t filter 2>&1; rc=$?
  # security holds our guard chain; a legacy table is read only where it is loaded (see below).
  if [ $rc = 0 ] && { [ $2 = nft ] || grep -qx security "$4" 2>/dev/null; }; then "$3" -c -t security 2>&1; rc=$?; fi
  printf '\\n### rc %s\\n' "$rc"
}
for v in nft legacy; do
  command -v iptables-$v-save >/dev/null 2>&1 || continue
  # Legacy tables are read only where they are loaded: reading them must not load kernel modules.
  if [ $v = legacy ]; then grep -qx filter /proc/net/ip_tables_names 2>/dev/null || continue; fi
  save 4 $v iptables-$v-save /proc/net/ip_tables_names
  if [ $v = nft ] || grep -qx filter /proc/net/ip6_tables_names 2>/dev/null; then save 6 $v ip6tables-$v-save /proc/net/ip6_tables_names; fi
done
if ! command -v iptables-nft-save >/dev/null 2>&1 && command -v iptables-save >/dev/null 2>&1; then
  save 4 default iptables-save /proc/net/ip_tables_names; save 6 default ip6tables-save /proc/net/ip6_tables_names
fi
section persistence
[ -f /etc/docker-firewall/state ] && cat /etc/docker-firewall/state
command -v systemctl >/dev/null 2>&1 && printf 'systemd %s\\n' "$(systemctl is-enabled docker-firewall.service 2>/dev/null)"
section end
`;

export type IptablesVariant = 'nft' | 'legacy' | 'default';

export interface SavedFamily {
  readonly variant: IptablesVariant;
  readonly filter: SavedTable | undefined;
  readonly security: SavedTable | undefined;
  readonly error?: string | undefined;
}

export interface RawFirewall {
  readonly iptablesVersion: string;
  readonly ipv4: readonly SavedFamily[];
  readonly ipv6: readonly SavedFamily[];
  /** Lines of the persistence section, as printed. */
  readonly persistence: readonly string[];
}

export const readFirewallCommand: RemoteCommand<RawFirewall> = {
  argv: ['sh', '-c', SCRIPT],
  privileged: true,
  parse(result) {
    return parseFirewallReport(result.stdout, result.stderr, result.code);
  },
};

export function parseFirewallReport(stdout: string, stderr: string, code: number | null): RawFirewall {
  const sections = splitSections(stdout);
  if (!sections.has('end')) {
    const reason = stderr.trim().split('\n').pop() ?? `exit status ${String(code)}`;
    throw new FirewallReadFailed(`reading the firewall did not finish: ${reason}`);
  }
  const ipv4: SavedFamily[] = [];
  const ipv6: SavedFamily[] = [];
  for (const [name, body] of sections) {
    const match = /^save([46])-(nft|legacy|default)$/.exec(name);
    if (!match) continue;
    const rcMatch = /\n### rc (\d+)\s*$/.exec(`\n${body}`);
    const text = rcMatch ? `\n${body}`.slice(0, rcMatch.index) : body;
    const failed = rcMatch !== null && rcMatch[1] !== '0';
    const tables = failed ? undefined : parseIptablesSave(text);
    const entry: SavedFamily = {
      variant: match[2] as IptablesVariant,
      filter: tables?.get('filter'),
      security: tables?.get('security'),
      error: failed ? text.trim().split('\n').pop() : undefined,
    };
    (match[1] === '4' ? ipv4 : ipv6).push(entry);
  }
  return {
    iptablesVersion: (sections.get('version') ?? '').trim(),
    ipv4,
    ipv6,
    persistence: (sections.get('persistence') ?? '').split('\n').filter((l) => l.trim() !== ''),
  };
}

function splitSections(stdout: string): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = `\n${stdout}`.split(/\n### (?!rc )([A-Za-z0-9-]+)\n/);
  for (let i = 1; i + 1 < parts.length; i += 2) sections.set(parts[i]!, parts[i + 1]!);
  const last = parts[parts.length - 1];
  if (parts.length % 2 === 0 && last !== undefined) sections.set(last, '');
  return sections;
}
