import * as l10n from '@vscode/l10n';
import { FirewallReadFailed } from '../firewall/errors';
import type { RemoteCommand } from '../remote/remoteCommand';
import { SSH_CONNECTION_FUNCTION } from '../remote/sshConnectionScript';
import { HISTORY_DIR, HISTORY_FILE, HISTORY_KEEP, type HistoryLog, type HistoryOutcome } from './historyLine';
import { parseHistory } from './parseHistory';

/** The file is cut back to HISTORY_KEEP lines only once it is past this size: counting lines costs a read of it. */
const ROTATE_ABOVE = 1024 * 1024;

/**
 * sh that defines `record_history PART`: appends one history line, the host's members (time, user,
 * client) and then part PART of the stdin bundle (historyLineTail), and prints `### history written`
 * or `### history failed REASON` on stdout. It never fails its caller: it runs after the rules have
 * changed, and a change that is in force must not be reported as failed. Needs READ_BUNDLE's `part`.
 *
 * The user is SUDO_USER when sudo ran us (the login that asked), else who we run as; the client the
 * first field of SSH_CONNECTION. Both are cut to strict character sets before they go into JSON.
 * The folder is made 0700 and the file 0600 (umask 077, and chmod every time, should someone have
 * widened them); a link planted at the file is refused rather than followed. Past ROTATE_ABOVE the
 * file is cut to its newest HISTORY_KEEP lines through a temporary in the same folder.
 */
export const RECORD_HISTORY_FUNCTION = `${SSH_CONNECTION_FUNCTION}
append_history() { # LINE
  umask 077
  if [ -L ${HISTORY_DIR} ] || [ -L ${HISTORY_FILE} ]; then echo 'a symbolic link stands in the way' >&2; return 1; fi
  if [ ! -d ${HISTORY_DIR} ]; then mkdir -m 0700 ${HISTORY_DIR} || return 1; fi
  chmod 0700 ${HISTORY_DIR} || return 1
  printf '%s\\n' "$1" >>${HISTORY_FILE} || return 1
  chmod 0600 ${HISTORY_FILE} || return 1
  if [ "$(wc -c <${HISTORY_FILE})" -gt ${ROTATE_ABOVE} ] && [ "$(wc -l <${HISTORY_FILE})" -gt ${HISTORY_KEEP} ]; then
    # A failed cut leaves the file whole: the next change tries again.
    h_tmp=$(mktemp ${HISTORY_DIR}/.changes.XXXXXX) || return 0
    if tail -n ${HISTORY_KEEP} ${HISTORY_FILE} >"$h_tmp" && chmod 0600 "$h_tmp"; then mv -f "$h_tmp" ${HISTORY_FILE} || rm -f "$h_tmp"; else rm -f "$h_tmp"; fi
  fi
  return 0
}
record_history() { # PART
  has_part "$1" || return 0
  h_time=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  h_user=\${SUDO_USER:-$(id -un 2>/dev/null)}
  case $h_user in ''|*[!A-Za-z0-9._-]*) h_user='?' ;; esac
  h_client=$(ssh_connection | head -n 1 | cut -d' ' -f1 | tr -cd '0-9A-Fa-f.:' | head -c 45)
  h_line=$(printf '{"time":"%s","user":"%s","client":"%s",%s' "$h_time" "$h_user" "$h_client" "$(part "$1")")
  if h_error=$(append_history "$h_line" 2>&1); then
    echo '### history written'
  else
    echo "### history failed $(printf '%s' "$h_error" | tr -c '[:print:]' ' ' | head -c 300)"
  fi
  return 0
}`;

/** What the apply or persist script said of the history line; undefined when it was not asked to write one. */
export function parseHistoryOutcome(stdout: string): HistoryOutcome | undefined {
  if (/^### history written$/m.test(stdout)) return { kind: 'written' };
  const failed = /^### history failed ?(.*)$/m.exec(stdout);
  if (failed === null) return undefined;
  return { kind: 'failed', reason: failed[1]?.trim() || 'no reason given' };
}

/**
 * sh that defines `history_tail LINES SIZE`: the newest LINES lines of the history, read from at
 * most its last SIZE octets (the file is host text: a line of a gigabyte must not be read whole),
 * the first of them dropped when the cut fell inside it. Nothing when there is no history.
 */
export const HISTORY_TAIL_FUNCTION = `history_tail() { # LINES SIZE
  [ -f ${HISTORY_FILE} ] || return 0
  if [ "$(wc -c <${HISTORY_FILE})" -gt "$2" ]; then tail -c "$2" ${HISTORY_FILE} | sed 1d; else cat ${HISTORY_FILE}; fi | tail -n "$1"
}`;

/** How much of the file `history` reads at most: 10,000 of our lines are some 3 MiB. */
const HISTORY_READ_SIZE = 4 * 1024 * 1024;
/** Lines the Chain Status view shows, read with the firewall (readFirewall.ts). */
export const HISTORY_VIEW_LINES = 20;
export const HISTORY_VIEW_READ_SIZE = 64 * 1024;

const READ_SCRIPT = `${HISTORY_TAIL_FUNCTION}
history_tail "$1" ${HISTORY_READ_SIZE} || exit 1
echo '### end'`;

/** Reads the newest `limit` lines of a host's history (root only: the file is 0600). */
export function historyReadCommand(limit: number): RemoteCommand<HistoryLog> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new Error(`a history limit is 1 to 10000 lines, not ${limit}`);
  return {
    argv: ['sh', '-c', READ_SCRIPT, 'docker-firewall-history', String(limit)],
    privileged: true,
    maxOutputBytes: HISTORY_READ_SIZE + 4096,
    parse(result) {
      const end = result.stdout.lastIndexOf('### end');
      if (result.code !== 0 || end === -1) {
        throw new FirewallReadFailed(l10n.t('could not read the history: {0}', result.stderr.trim().split('\n').pop() || l10n.t('exit status {0}', String(result.code))));
      }
      return parseHistory(result.stdout.slice(0, end));
    },
  };
}
