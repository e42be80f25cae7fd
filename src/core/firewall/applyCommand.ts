import * as l10n from '@vscode/l10n';
import { ApplyFailed } from './errors';
import type { RemoteCommand } from '../remote/remoteCommand';
import type { IptablesVariant } from './readFirewall';
import { READ_BUNDLE, stdinBundle } from '../remote/stdinBundle';
import { WATCH_KEEP, WATCH_LOCK, WATCH_PID, WATCH_PLANNED, WATCH_SCRIPT, WATCH_UNIT } from './watcher';
import { parseHistoryOutcome, RECORD_HISTORY_FUNCTION } from '../history/historyScript';
import type { HistoryOutcome } from '../history/historyLine';

const WATCH_UNIT_NAME = WATCH_UNIT.replace(/^.*\//, '');

/**
 * Applies both families' payloads in one round trip. Payloads (and the watcher) travel on stdin as
 * a bundle (stdinBundle.ts) whose digest is on the command line: nothing of them reaches the shell
 * as code, and the whole input has arrived before anything runs. SIGHUP is ignored so that a
 * dropped SSH connection cannot stop the script between the two families; should IPv6 fail after
 * IPv4 was applied, IPv4 is rolled back.
 *
 * Arguments: $1 $2 the iptables-restore binaries (IPv4, IPv6), or `nft` with the whole nftables batch
 * as part 1 (nftables backend: one transaction for both families), $3 the watcher action, $4 the Docker
 * socket, $5 the bundle's digest. Bundle parts: 1 IPv4 payload, 2 IPv6 payload, 3 IPv4 rollback,
 * 4 watcher script, 5 watcher unit, 6 our half of the history line (none: no line is written).
 *
 * The watcher (watcher.ts) follows the lockdown in the same round trip: installed and restarted
 * with a lockdown, removed with it. Its failing never fails the change (the rules are in force by
 * then); it is reported, and status says whether the watcher runs. The history line
 * (history/historyScript.ts) is written once the rules are in force, and likewise never fails the change.
 */
const SCRIPT = `
trap '' HUP PIPE
${READ_BUNDLE}
read_bundle "$5"
apply() {
  has_part "$2" || return 0
  if [ "$1" = nft ]; then part "$2" | nft -f -; else part "$2" | "$1" -w 10 --noflush; fi
}
apply "$1" 1 || { echo '### failed ipv4' >&2; exit 3; }
if ! apply "$2" 2; then
  echo '### failed ipv6' >&2
  apply "$1" 3 || echo '### rollback failed ipv4' >&2
  exit 4
fi
echo '### applied'
${RECORD_HISTORY_FUNCTION}
record_history 6
systemd() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }
stop_watcher() {
  if systemd; then systemctl stop ${WATCH_UNIT_NAME} >/dev/null 2>&1; fi
  if [ -f ${WATCH_PID} ]; then
    p=$(head -c 16 ${WATCH_PID} | tr -cd 0-9)
    # The watcher leads its own process group (setsid): the group goes, docker events with it.
    [ -n "$p" ] && kill -TERM "-$p" 2>/dev/null
    rm -f ${WATCH_PID}
  fi
  return 0
}
write() { # FILE MODE PART
  mkdir -p "\${1%/*}" && tmp=$(mktemp "\${1%/*}/.docker-firewall.XXXXXX") && part "$3" >"$tmp" && chmod "$2" "$tmp" && mv -f "$tmp" "$1"
}
case $3 in
  install)
    stop_watcher
    # No Docker socket, nothing to watch (and nothing written): a host whose Docker is elsewhere, or none.
    if [ ! -S "$4" ]; then echo '### watcher no-docker'; exit 0; fi
    if ! write ${WATCH_SCRIPT} 0755 4; then echo '### watcher failed'; exit 0; fi
    if systemd; then
      write ${WATCH_UNIT} 0644 5 && systemctl daemon-reload && systemctl enable ${WATCH_UNIT_NAME} >/dev/null 2>&1 && systemctl restart ${WATCH_UNIT_NAME} && echo '### watcher systemd' || echo '### watcher failed'
    elif command -v setsid >/dev/null 2>&1; then
      setsid ${WATCH_SCRIPT} </dev/null >/dev/null 2>&1 &
      echo '### watcher process'
    else
      echo '### watcher failed'
    fi
    ;;
  remove)
    stop_watcher
    if systemd && [ -f ${WATCH_UNIT} ]; then systemctl disable ${WATCH_UNIT_NAME} >/dev/null 2>&1; rm -f ${WATCH_UNIT}; systemctl daemon-reload; fi
    rm -f ${WATCH_SCRIPT} ${WATCH_KEEP} ${WATCH_PLANNED} ${WATCH_LOCK}
    echo '### watcher removed'
    ;;
esac
`;

/** What to do with the watcher once the rules are applied. */
export type WatcherAction =
  | { readonly kind: 'install'; readonly script: string; readonly unit: string; readonly dockerSocket: string }
  | { readonly kind: 'remove' }
  | { readonly kind: 'keep' };

/** What became of the watcher: started by systemd or as a process of its own, removed, left as it was, not started (no Docker socket), or failed. */
export type WatcherOutcome = 'systemd' | 'process' | 'removed' | 'kept' | 'no-docker' | 'failed';

export interface FamilyPayloads {
  readonly ipv4?: string | undefined;
  readonly ipv6?: string | undefined;
  /** Takes IPv4 back to where it was, used only if IPv6 fails after IPv4 was applied. */
  readonly ipv4Rollback?: string | undefined;
  /** nftables backend: one `nft -f` batch for both families (the iptables payloads are then absent). */
  readonly nft?: string | undefined;
}

export type ApplyOutcome =
  | { readonly kind: 'applied'; readonly watcher: WatcherOutcome; /** Undefined when no history line was asked for. */ readonly history?: HistoryOutcome | undefined }
  | { readonly kind: 'conflict'; readonly detail: string };

export function restoreBinary(variant: IptablesVariant, family: 'ipv4' | 'ipv6'): string {
  const base = family === 'ipv4' ? 'iptables' : 'ip6tables';
  return variant === 'default' ? `${base}-restore` : `${base}-${variant}-restore`;
}

/**
 * `variant` undefined: the nftables backend (the payloads then hold one nft batch). `historyLine`:
 * our half of the change's history line (historyLineTail), or undefined for none.
 */
export function applyCommand(variant: IptablesVariant | undefined, payloads: FamilyPayloads, watcher: WatcherAction = { kind: 'keep' }, historyLine?: string): RemoteCommand<ApplyOutcome> {
  const install = watcher.kind === 'install' ? watcher : undefined;
  const nft = variant === undefined;
  const parts = nft ? [payloads.nft ?? '', '', ''] : [payloads.ipv4 ?? '', payloads.ipv6 ?? '', payloads.ipv4Rollback ?? ''];
  const bundle = stdinBundle([...parts, install?.script ?? '', install?.unit ?? '', ...(historyLine === undefined ? [] : [historyLine])]);
  const binaries = nft ? ['nft', 'nft'] : [restoreBinary(variant, 'ipv4'), restoreBinary(variant, 'ipv6')];
  return {
    argv: ['sh', '-c', SCRIPT, 'docker-firewall-apply', ...binaries, watcher.kind, install?.dockerSocket ?? '', bundle.digest],
    stdin: bundle.stdin,
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
  if (result.code === 0 && result.stdout.includes('### applied')) {
    const watcher = /^### watcher (systemd|process|removed|no-docker|failed)$/m.exec(result.stdout)?.[1] as WatcherOutcome | undefined;
    const history = parseHistoryOutcome(result.stdout);
    return history === undefined ? { kind: 'applied', watcher: watcher ?? 'kept' } : { kind: 'applied', watcher: watcher ?? 'kept', history };
  }
  if (result.stderr.includes('### incomplete input')) {
    throw new ApplyFailed(l10n.t('the rules did not reach the host whole (the connection dropped, or the host has no sha256sum); nothing was changed. Try again.'));
  }
  const detail = result.stderr.trim() || `exit status ${String(result.code)}`;
  if (payloads.nft !== undefined) return nftFailure(result.stderr, detail);
  const family = result.stderr.includes('### failed ipv6') ? payloads.ipv6 : payloads.ipv4;
  const failedLine = /line (\d+) failed/.exec(result.stderr) ?? /Error occurred at line: (\d+)/.exec(result.stderr);
  const lines = family?.split('\n') ?? [];
  const line = failedLine ? lines[Number(failedLine[1]) - 1] : undefined;
  if (line !== undefined && (line.startsWith('-D ') || line.startsWith('-N '))) return { kind: 'conflict', detail };
  const vanished = /Chain '([^']+)' does not exist/.exec(result.stderr)?.[1];
  if (line === 'COMMIT' && vanished !== undefined && lines.some((l) => l.split(' ').includes(vanished) || l.startsWith(`:${vanished} `))) {
    return { kind: 'conflict', detail };
  }
  const said = detail.split('\n').filter((l) => !l.startsWith('###')).join('; ') || detail;
  // An allow for a while needs the kernel's time match; a host without it refuses the whole payload.
  const noTimeMatch = (family ?? '').includes(' -m time ') && /match [`']time'|Extension time\b|\btime\b.*(not supported|missing kernel module|No such file)/.test(said);
  const reason = noTimeMatch
    ? l10n.t(
        "this host cannot load iptables' time match (kernel module xt_time), which ends an allow given for a while: allow without --for, or load the module (modprobe xt_time) and try again ({0})",
        said,
      )
    : said;
  const failedIpv6 = result.stderr.includes('### failed ipv6');
  const committed = failedLine === null ? [] : committedTables(lines, Number(failedLine[1]));
  const notes: string[] = [];
  if (committed.length > 0) {
    notes.push(
      l10n.t(
        '{0} is partly applied: the {1} table was changed before the failure (iptables-restore commits table by table)',
        failedIpv6 ? 'IPv6' : 'IPv4',
        committed.join(l10n.t(' and ')),
      ),
    );
  }
  if (failedIpv6) {
    notes.push(result.stderr.includes('### rollback failed ipv4') ? l10n.t('IPv4 was changed and could not be rolled back') : l10n.t('IPv4 was rolled back'));
  }
  throw new ApplyFailed(notes.length === 0 ? reason : `${reason}. ${notes.join('; ')}. ${l10n.t('Read the host again to see what is in force.')}`);
}

/**
 * nft applies a batch whole or not at all. A refused `delete … handle` or `create table` is the
 * compare-and-swap at work (the table changed since it was read): a conflict to retry. nft prints
 * the line it refused under its error.
 */
function nftFailure(stderr: string, detail: string): ApplyOutcome {
  const lines = stderr.split('\n');
  const refused = lines.some((l, i) => /Could not process rule: (No such file or directory|File exists)/.test(l) && /^(delete (rule|table) |create table )/.test(lines[i + 1] ?? ''));
  if (refused) return { kind: 'conflict', detail };
  const said = lines.filter((l) => l.trim() !== '' && !l.startsWith('###') && !/^\s*\^+\s*$/.test(l)).join('; ') || detail;
  throw new ApplyFailed(
    /meta time/.test(said)
      ? l10n.t("nft refused the change, and applied none of it (an allow given for a while needs nftables' time match, Linux 5.4 or later: allow without --for): {0}", said)
      : l10n.t('nft refused the change, and applied none of it: {0}', said),
  );
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
