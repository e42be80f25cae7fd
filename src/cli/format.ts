import type { FirewallStatus, StatusRule } from '../core/firewall/status';
import type { PortExposure, PortOrigin } from '../core/firewall/exposure';
import { describeAllow } from '../core/firewall/policy';
import { remainingText } from '../core/firewall/expiry';
import { endpointText } from '../core/firewall/port';
import { hookLocation } from '../core/firewall/layout';
import { nftTableName } from '../core/firewall/nftRule';
import type { Plan } from '../core/firewall/plan';
import { capLength, DISPLAY_LIMIT, forTerminal, terminalLines } from '../core/text/hostText';

/**
 * Human-readable renderings for the terminal; --json output is built in json.ts. Host text (names,
 * rule text, versions, messages) may hold terminal controls (`ESC[2J`, OSC 52): every rendering here
 * shows them as visible escapes (forTerminal), cells before their widths are measured; table cells are
 * cut to DISPLAY_LIMIT (the whole text is in `--json`).
 */
export function table(rows: readonly (readonly string[])[]): string {
  // A padded column is as wide as its widest cell: a host's 100 KB name must not pad every line to it.
  rows = rows.map((row) => row.map((cell, i) => capLength(forTerminal(cell), i === row.length - 1 ? DISPLAY_LIMIT.message : DISPLAY_LIMIT.name)));
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

/** The CONTAINER cell of a port that belongs to no container of the host's Docker. */
const OWNER_OF_SOCKET: Readonly<Record<PortOrigin, string>> = {
  published: '',
  'host-network': '',
  rootless: '(rootless Docker)',
  'host-service': '(host)',
};

export function formatPorts(ports: readonly PortExposure[]): string {
  if (ports.length === 0) return '  (no published ports)';
  const rows = [['CONTAINER', 'PUBLISHED', 'TO', 'EXPOSURE'], ...ports.map((p) => [p.container || OWNER_OF_SOCKET[p.origin], endpointText(p), String(p.containerPort), p.exposure])];
  return indent(table(rows));
}

function formatRules(rules: readonly StatusRule[]): string {
  if (rules.length === 0) return '  (none)';
  const rows = [['PKTS', 'BYTES', 'CHAIN', 'RULE'], ...rules.map((r) => [String(r.packets), String(r.bytes), r.chain, r.spec])];
  return indent(table(rows));
}

/** Where the lockdown lives on the host, as status says it. */
export function lockdownBackendText(status: FirewallStatus): string {
  if (status.backend === 'nftables') return `nftables (Docker's nftables backend: the lockdown is in table ${nftTableName(status.chain)} of ip and ip6)`;
  return `${status.iptablesVariant ? `iptables-${status.iptablesVariant}` : "no iptables variant holds Docker's chains"} (${status.iptablesVersion})`;
}

export function formatStatus(host: string, dockerVersion: string, status: FirewallStatus): string {
  const hooks = status.ipv4.hooks.map((h) => `rule ${h.position} of ${hookLocation(h)}`).join(', ');
  const lines = [
    `${host}: Docker ${dockerVersion}, ${lockdownBackendText(status)}`,
    `Lockdown: ${status.locked ? 'on' : 'off'} (chain ${status.chain}${hooks ? `, ${hooks}` : ''})`,
    `Allows: ${status.policy.allows.length === 0 ? 'none' : status.policy.allows.map((a) => `${describeAllow(a)}${a.until === undefined ? '' : ` (${remainingText(a.until, status.now)})`}`).join('; ')}`,
    `Persistence: ${formatPersistence(status)}`,
    `Watcher: ${formatWatcher(status)}`,
    'Ports:',
    formatPorts(status.ports),
    `IPv4 rules (${rulesWhere(status, 'ipv4')}):`,
    formatRules(status.ipv4.rules),
    `IPv6 rules (${rulesWhere(status, 'ipv6')}):`,
    formatRules(status.ipv6.rules),
  ];
  if (status.warnings.length > 0) lines.push('Warnings:', ...status.warnings.map((w) => `  ! ${forTerminal(w.message)}`));
  return terminalLines(lines.join('\n'));
}

function formatWatcher({ watcher }: FirewallStatus): string {
  if (watcher.noDocker) return 'not wanted (no Docker socket)';
  if (!watcher.running) return 'not running';
  return `running (${watcher.via === 'systemd' ? 'systemd' : 'own session'})${watcher.current === false ? ', NOT the current script' : ''}`;
}

function rulesWhere(status: FirewallStatus, family: 'ipv4' | 'ipv6'): string {
  if (status.backend === 'nftables') return `nftables table ${family === 'ipv4' ? 'ip' : 'ip6'} ${nftTableName(status.chain)}`;
  return `DOCKER-USER ${status[family].dockerUser ? 'present' : 'absent'}`;
}

function formatPersistence(status: FirewallStatus): string {
  const p = status.persistence;
  if (p.state === 'none') return 'not persistent';
  const systemd = p.systemd === 'enabled' ? 'systemd unit enabled' : p.systemd === 'absent' ? `no systemd: run /usr/local/sbin/docker-firewall-restore at boot` : 'systemd unit disabled';
  return `${p.state === 'current' ? 'saved, up to date' : 'saved, OUT OF DATE'} (${systemd})`;
}

export function formatPlan(host: string, plan: Plan, commandLine: string): string {
  if (!plan.changed) return `${host}: nothing to change, the rules in force are already what this asks for.`;
  const lines = [`Would run on ${host}:`, `  ${commandLine}`, ''];
  for (const family of [plan.ipv4, plan.ipv6]) {
    if (family.payload === undefined) continue;
    const what = plan.payloads.nft !== undefined ? `nft -f batch, ${family.family === 'ipv4' ? 'IPv4' : 'IPv6'} part (one transaction for both)` : `${family.family === 'ipv4' ? 'iptables' : 'ip6tables'}-restore --noflush payload`;
    lines.push(`${what}:`, indent(family.payload.trimEnd()), '');
  }
  return terminalLines(lines.join('\n').trimEnd());
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
