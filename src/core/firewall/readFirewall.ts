import * as l10n from '@vscode/l10n';
import { randomBytes } from 'node:crypto';
import { DEFAULT_DOCKER_SOCKET, DOCKER_SOCKET_PATH } from '../docker/dockerSocket';
import { FirewallReadFailed } from './errors';
import { WATCH_PID, WATCH_SCRIPT } from './watcher';
import { READ_FOLLOWER } from './firewalldFollower';
import type { RemoteCommand } from '../remote/remoteCommand';
import { hostFactsFrom, type HostFacts } from './hostFacts';
import { parseIptablesSave, type SavedTable } from './iptablesSave';
import { SSH_CONNECTION_FUNCTION } from '../remote/sshConnectionScript';
import { parseNftTable, type NftFamilyRead } from './nftRead';
import { nftTableName } from './nftRule';
import { DEFAULT_CHAIN, type ChainName, type Family } from '../validate';
import { HISTORY_TAIL_FUNCTION, HISTORY_VIEW_LINES, HISTORY_VIEW_READ_SIZE } from '../history/historyScript';

/**
 * The sockets and processes sections from \`ss -Hlntup\` on stdin, in one awk: its first 5000 lines
 * as they are (the sockets section), then the processes section (\`section\`'s marker, with the
 * nonce in \`$n\`): one line per process that holds a socket, the first 2000 of them, \`PID CONTAINER
 * UID NAME\` (\`-\` for what cannot be read). CONTAINER is the Docker container whose cgroup holds it
 * (the last part of a cgroup path, without docker- and .scope, as the watcher reads it); NAME is
 * /proc/PID/comm, its lines joined, cut at 32 octets (LC_ALL=C, as the kernel cuts it), with what is
 * not printable as "?". One process for all of it: a shell loop reading three files per process
 * cost about a millisecond a process, and each program started (grep, cut, sort, head) several on a
 * busy host. No single quote inside (it is single-quoted in the read script).
 */
export const SOCKET_FACTS = `awk -v n="$n" '
NR <= 5000 {
  print
  s = $0
  while (match(s, /pid=[0-9]+/)) {
    p = substr(s, RSTART + 4, RLENGTH - 4); s = substr(s, RSTART + RLENGTH)
    if (!(p in seen) && np < 2000) { seen[p] = 1; pids[++np] = p }
  }
}
END {
  printf "\\n### %s processes\\n", n
  for (i = 1; i <= np; i++) {
    p = pids[i]; c = "-"; u = "-"; m = ""
    f = "/proc/" p "/cgroup"
    while ((getline l < f) > 0) {
      sub(/.*\\//, "", l); sub(/^docker-/, "", l); sub(/\\.scope$/, "", l)
      if (length(l) == 64 && l !~ /[^0-9a-f]/) { c = l; break }
    }
    close(f)
    f = "/proc/" p "/status"
    while ((getline l < f) > 0) if (split(l, w) >= 2 && w[1] == "Uid:") { u = w[2]; break }
    close(f)
    f = "/proc/" p "/comm"
    while ((getline l < f) > 0) m = m l
    close(f)
    m = substr(m, 1, 32); gsub(/[^!-~]/, "?", m)
    print p " " c " " u " " m
  }
}'`;

/**
 * One remote command reads everything the firewall model needs in a single round trip: both
 * families in every iptables variant that holds tables, our persistence and watcher state, and the
 * host's own facts (listening sockets and their processes, the SSH connection we came in on, its
 * global addresses, and the newest lines of the history of changes). Nothing user-supplied is interpolated into the script. Its arguments are a
 * random nonce that marks our sections, so that text the host prints (a rule comment can hold any
 * line, newlines included) can never pose as a section of ours, and the Docker socket path, so that
 * the watcher section can say when there is no Docker to watch.
 */
const SCRIPT = `
n=$1
export LC_ALL=C
section() { printf '\\n### %s %s\\n' "$n" "$1"; }
nl='
'
# Whether file $1 has the line $2, looked for by the shell itself (a grep is a program to start).
has_line() { [ -r "$1" ] || return 1; while IFS= read -r l || [ -n "$l" ]; do [ "$l" = "$2" ] && return 0; done <"$1"; return 1; }
# The PID in pid file $1 (its first 16 octets, digits only) when that process runs.
running_pid() { [ -f "$1" ] || return 1; p=$(head -c 16 "$1"); case $p in ''|*[!0-9]*) return 1 ;; esac; kill -0 "$p" 2>/dev/null && echo "$p"; }
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
# The host's own facts are read in the background while iptables is saved: listing sockets with
# their processes (ss -p) reads the fd table of every process on the host, the slowest step of a read.
{
section version; v=$(iptables --version 2>&1); printf '%s\\n' "\${v%%"$nl"*}"
section sockets
if command -v ss >/dev/null 2>&1; then ss -Hlntup 2>/dev/null | ${SOCKET_FACTS}; else echo 'no ss'; section processes; fi
section ssh
${SSH_CONNECTION_FUNCTION}
ssh_connection
section addresses
ip -o addr show scope global 2>/dev/null | head -n 500
# The host's clock decides when an allow given for a while ends (its kernel's time match).
section clock; date -u +%s
section history
${HISTORY_TAIL_FUNCTION}
history_tail ${HISTORY_VIEW_LINES} ${HISTORY_VIEW_READ_SIZE}
} >"$d/facts" &
facts=$!
err=$d/err
save() { # FAMILY VARIANT COMMAND TABLES-LOADED
  section "save$1-$2"
  : >"$err"
  "$3" -c -t filter 2>>"$err"; rc=$?
  # security holds our guard chain; a legacy table is read only where it is loaded (see below).
  if [ $rc = 0 ] && { [ $2 = nft ] || has_line "$4" security; }; then "$3" -c -t security 2>>"$err"; rc=$?; fi
  section "rc$1-$2"; echo "$rc"
  if [ -s "$err" ]; then section "err$1-$2"; head -c 2048 "$err"; fi
}
for v in nft legacy; do
  command -v iptables-$v-save >/dev/null 2>&1 || continue
  # Legacy tables are read only where they are loaded: reading them must not load kernel modules.
  if [ $v = legacy ]; then has_line /proc/net/ip_tables_names filter || continue; fi
  save 4 $v iptables-$v-save /proc/net/ip_tables_names
  if [ $v = nft ] || has_line /proc/net/ip6_tables_names filter; then save 6 $v ip6tables-$v-save /proc/net/ip6_tables_names; fi
done
if ! command -v iptables-nft-save >/dev/null 2>&1 && command -v iptables-save >/dev/null 2>&1; then
  save 4 default iptables-save /proc/net/ip_tables_names; save 6 default ip6tables-save /proc/net/ip6_tables_names
fi
# Our own nftables table, where Docker uses its nftables backend (nftRule.ts); the list of tables
# says whether Docker's are there. TZ=UTC: nft prints the instants of time matches in local time.
if command -v nft >/dev/null 2>&1; then
  tables=$(nft list tables 2>&1 | head -n 500)
  section nft-tables; printf '%s\\n' "$tables"
  for f in ip ip6; do
    # Listed once above: only the tables it names are read.
    case "$nl$tables$nl" in *"\${nl}table $f $3\${nl}"*) ;; *) continue ;; esac
    section "nft-$f"; TZ=UTC nft -j list table $f "$3" 2>"$err"; rc=$?
    section "nftrc-$f"; echo "$rc"
    if [ -s "$err" ]; then section "nfterr-$f"; head -c 2048 "$err"; fi
  done
fi
section persistence
[ -f /etc/docker-firewall/state ] && head -c 1024 /etc/docker-firewall/state
command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] && printf 'systemd %s\\n' "$(systemctl is-enabled docker-firewall.service 2>/dev/null)"
${READ_FOLLOWER}
section watcher
[ -S "$2" ] || echo 'no-docker'
p=$(running_pid ${WATCH_PID}) && echo "running $p"
[ -f ${WATCH_SCRIPT} ] && printf 'script %.64s\\n' "$(sha256sum <${WATCH_SCRIPT})"
command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] && printf 'systemd %s\\n' "$(systemctl is-active docker-firewall-watch.service 2>/dev/null)"
wait "$facts"
cat "$d/facts"
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
  /** What nft said: undefined on a host without the nft command. */
  readonly nft: NftRead | undefined;
  /** Lines of the persistence section, as printed. */
  readonly persistence: readonly string[];
  /** Lines of the watcher section: `running PID`, `systemd active`… */
  readonly watcher: readonly string[];
  readonly facts: HostFacts;
  /** The newest lines of the history of changes, as the host printed them (parseHistory reads them). */
  readonly history: string;
}

export interface NftRead {
  /** `nft list tables`: `table ip docker-bridges` and the like. */
  readonly tables: readonly string[];
  /** Our table in each family as read, absent when the host has none. */
  readonly ipv4: NftFamilyRead | undefined;
  readonly ipv6: NftFamilyRead | undefined;
}

/** The whole report of one read is small: a host that prints more is refused (ResponseTooLarge). */
export const MAX_READ_BYTES = 8 * 1024 * 1024;

export function newNonce(): string {
  return randomBytes(12).toString('hex');
}

export function readFirewallCommand(nonce: string = newNonce(), dockerSocket: string = DEFAULT_DOCKER_SOCKET, chain: ChainName = DEFAULT_CHAIN): RemoteCommand<RawFirewall> {
  if (!/^[0-9a-f]{8,64}$/.test(nonce)) throw new Error('a read nonce is 8 to 64 hex digits');
  if (!DOCKER_SOCKET_PATH.test(dockerSocket)) throw new Error(`not a socket path: ${dockerSocket}`);
  const table = nftTableName(chain);
  return {
    argv: ['sh', '-c', SCRIPT, 'docker-firewall-read', nonce, dockerSocket, table],
    privileged: true,
    maxOutputBytes: MAX_READ_BYTES,
    parse(result) {
      return parseFirewallReport(result.stdout, result.stderr, result.code, nonce, table);
    },
  };
}

export function parseFirewallReport(stdout: string, stderr: string, code: number | null, nonce: string, nftTable: string = nftTableName(DEFAULT_CHAIN)): RawFirewall {
  const sections = splitSections(stdout, nonce);
  if (!sections.has('end')) {
    const reason = stderr.trim().split('\n').pop() ?? l10n.t('exit status {0}', String(code));
    throw new FirewallReadFailed(l10n.t('reading the firewall did not finish: {0}', reason));
  }
  const ipv4: SavedFamily[] = [];
  const ipv6: SavedFamily[] = [];
  for (const [name, body] of sections) {
    const match = /^save([46])-(nft|legacy|default)$/.exec(name);
    if (!match) continue;
    const rc = (sections.get(`rc${match[1]!}-${match[2]!}`) ?? '').trim();
    if (!/^\d+$/.test(rc)) throw new FirewallReadFailed(l10n.t('reading the firewall did not finish: no exit status for {0}', name));
    const failed = rc !== '0';
    const errorText = sections.get(`err${match[1]!}-${match[2]!}`)?.trim();
    const tables = failed ? undefined : parseIptablesSave(body);
    const entry: SavedFamily = {
      variant: match[2] as IptablesVariant,
      filter: tables?.get('filter'),
      security: tables?.get('security'),
      error: failed ? (errorText?.split('\n').pop() ?? `exit status ${rc}`) : undefined,
    };
    (match[1] === '4' ? ipv4 : ipv6).push(entry);
  }
  const lines = (name: string) => (sections.get(name) ?? '').split('\n').filter((l) => l.trim() !== '');
  return {
    iptablesVersion: (sections.get('version') ?? '').trim(),
    ipv4,
    ipv6,
    nft: sections.has('nft-tables') ? nftSections(sections, nftTable) : undefined,
    persistence: lines('persistence'),
    watcher: lines('watcher'),
    history: sections.get('history') ?? '',
    facts: hostFactsFrom({
      sockets: sections.get('sockets'),
      processes: sections.get('processes'),
      ssh: sections.get('ssh'),
      addresses: sections.get('addresses'),
      clock: sections.get('clock'),
    }),
  };
}

function nftSections(sections: ReadonlyMap<string, string>, table: string): NftRead {
  const family = (f: 'ip' | 'ip6', name: Family): NftFamilyRead | undefined => {
    const body = sections.get(`nft-${f}`);
    if (body === undefined) return undefined;
    const rc = (sections.get(`nftrc-${f}`) ?? '').trim();
    if (rc !== '0') {
      const said = sections.get(`nfterr-${f}`)?.trim().split('\n').pop() ?? (rc === '' ? l10n.t('no exit status') : l10n.t('exit status {0}', rc));
      throw new FirewallReadFailed(l10n.t('cannot read the firewall: nft could not list table {0} {1} ({2})', f, table, said));
    }
    return parseNftTable(body, name, table);
  };
  const tables = (sections.get('nft-tables') ?? '').split('\n').filter((l) => /^table [a-z0-9]+ \S+$/.test(l));
  return { tables, ipv4: family('ip', 'ipv4'), ipv6: family('ip6', 'ipv6') };
}

/** The report cut at our markers: `### NONCE name` on a line of its own; the first of a name wins. */
function splitSections(stdout: string, nonce: string): Map<string, string> {
  const sections = new Map<string, string>();
  const marker = new RegExp(`\\n### ${nonce} ([a-z0-9-]+)\\n`, 'g');
  const text = `\n${stdout}\n`;
  const found = [...text.matchAll(marker)];
  found.forEach((m, i) => {
    const name = m[1]!;
    const start = m.index + m[0].length;
    const end = i + 1 < found.length ? found[i + 1]!.index : text.length;
    if (!sections.has(name)) sections.set(name, text.slice(start, end).replace(/\n$/, ''));
  });
  return sections;
}

/** Whether an argv is our read command (whatever its nonce): for tests and recordings that sort what was sent. */
export function isReadCommand(argv: readonly string[]): boolean {
  return argv.length === 7 && argv[0] === 'sh' && argv[1] === '-c' && argv[2] === SCRIPT && argv[3] === 'docker-firewall-read' && /^[0-9a-f]{8,64}$/.test(argv[4] ?? '') && DOCKER_SOCKET_PATH.test(argv[5] ?? '') && /^docker_firewall[A-Za-z0-9_-]*$/.test(argv[6] ?? '');
}
