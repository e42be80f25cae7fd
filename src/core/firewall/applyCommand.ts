import { ApplyFailed } from './errors';
import type { RemoteCommand } from '../remote/remoteCommand';
import type { IptablesVariant } from './readFirewall';

/**
 * Applies both families' payloads in one round trip. Payloads travel base64-encoded as arguments
 * (a fixed alphabet, so nothing reaches the shell unquoted, and the whole payload has arrived
 * before anything runs). SIGHUP is ignored so that a dropped SSH connection cannot stop the script
 * between the two families; should IPv6 fail after IPv4 was applied, IPv4 is rolled back.
 */
const SCRIPT = `
trap '' HUP PIPE
apply() { [ -z "$2" ] && return 0; printf '%s' "$2" | base64 -d | "$1" -w 10 --noflush; }
apply "$1" "$2" || { echo '### failed ipv4' >&2; exit 3; }
if ! apply "$3" "$4"; then
  echo '### failed ipv6' >&2
  apply "$1" "$5" || echo '### rollback failed ipv4' >&2
  exit 4
fi
echo '### applied'
`;

export interface FamilyPayloads {
  readonly ipv4?: string | undefined;
  readonly ipv6?: string | undefined;
  /** Takes IPv4 back to where it was, used only if IPv6 fails after IPv4 was applied. */
  readonly ipv4Rollback?: string | undefined;
}

export type ApplyOutcome = { readonly kind: 'applied' } | { readonly kind: 'conflict'; readonly detail: string };

export function restoreBinary(variant: IptablesVariant, family: 'ipv4' | 'ipv6'): string {
  const base = family === 'ipv4' ? 'iptables' : 'ip6tables';
  return variant === 'default' ? `${base}-restore` : `${base}-${variant}-restore`;
}

const encode = (payload: string | undefined) => (payload ? Buffer.from(payload, 'utf8').toString('base64') : '');

export function applyCommand(variant: IptablesVariant, payloads: FamilyPayloads): RemoteCommand<ApplyOutcome> {
  return {
    argv: [
      'sh',
      '-c',
      SCRIPT,
      'docker-firewall-apply',
      restoreBinary(variant, 'ipv4'),
      encode(payloads.ipv4),
      restoreBinary(variant, 'ipv6'),
      encode(payloads.ipv6),
      encode(payloads.ipv4Rollback),
    ],
    privileged: true,
    parse: (result) => parseApplyResult(result, payloads),
  };
}

/**
 * A refused -D or -N means the host changed since it was read: a conflict to retry, not a failure.
 * nf_tables names the reason; legacy only says which line failed, so the line is looked up.
 *
 * nf_tables also checks the whole transaction against the kernel's tables once more when it
 * commits: a chain of the payload that another client deleted after iptables-restore had read the
 * tables is only found missing then, and reported at the COMMIT line ("Chain 'PRE_DOCKER' does not
 * exist", "Error occurred at line: N"). That is a conflict too.
 */
export function parseApplyResult(result: { stdout: string; stderr: string; code: number | null }, payloads: FamilyPayloads): ApplyOutcome {
  if (result.code === 0 && result.stdout.includes('### applied')) return { kind: 'applied' };
  const detail = result.stderr.trim() || `exit status ${String(result.code)}`;
  const family = result.stderr.includes('### failed ipv6') ? payloads.ipv6 : payloads.ipv4;
  const failedLine = /line (\d+) failed/.exec(result.stderr) ?? /Error occurred at line: (\d+)/.exec(result.stderr);
  const lines = family?.split('\n') ?? [];
  const line = failedLine ? lines[Number(failedLine[1]) - 1] : undefined;
  if (line !== undefined && (line.startsWith('-D ') || line.startsWith('-N '))) return { kind: 'conflict', detail };
  const vanished = /Chain '([^']+)' does not exist/.exec(result.stderr)?.[1];
  if (line === 'COMMIT' && vanished !== undefined && lines.some((l) => l.split(' ').includes(vanished) || l.startsWith(`:${vanished} `))) {
    return { kind: 'conflict', detail };
  }
  const reason = detail.split('\n').filter((l) => !l.startsWith('###')).join('; ') || detail;
  const failedIpv6 = result.stderr.includes('### failed ipv6');
  const committed = failedLine === null ? [] : committedTables(lines, Number(failedLine[1]));
  const notes: string[] = [];
  if (committed.length > 0) {
    notes.push(`${failedIpv6 ? 'IPv6' : 'IPv4'} is partly applied: the ${committed.join(' and ')} table was changed before the failure (iptables-restore commits table by table)`);
  }
  if (failedIpv6) {
    notes.push(result.stderr.includes('### rollback failed ipv4') ? 'IPv4 was changed and could not be rolled back' : 'IPv4 was rolled back');
  }
  throw new ApplyFailed(notes.length === 0 ? reason : `${reason}. ${notes.join('; ')}. Read the host again to see what is in force.`);
}

/** The tables of a payload committed before its line `failedAt` (1-based): iptables-restore commits each one on its own. */
function committedTables(lines: readonly string[], failedAt: number): string[] {
  const tables: string[] = [];
  let current: string | undefined;
  for (const line of lines.slice(0, failedAt - 1)) {
    if (line.startsWith('*')) current = line.slice(1);
    if (line === 'COMMIT' && current !== undefined) tables.push(current);
  }
  return tables;
}
