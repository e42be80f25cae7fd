import * as l10n from '@vscode/l10n';
import { createHash } from 'node:crypto';
import { PersistFailed } from './errors';
import { READ_BUNDLE, stdinBundle } from '../remote/stdinBundle';
import { shellQuote } from '../remote/shellQuote';
import type { ChainName } from '../validate';
import type { RemoteCommand } from '../remote/remoteCommand';
import { chainNames, EMPTY_LAYOUT, ownedChains, TABLES, tableOf, type FamilyLayout } from './layout';
import { restoreBinary } from './applyCommand';
import type { IptablesVariant } from './readFirewall';
import { transitionPayload } from './transition';
import { NFT_FAMILY, nftTableBlock, nftTableName } from './nftRule';
import { parseHistoryOutcome, RECORD_HISTORY_FUNCTION } from '../history/historyScript';
import type { HistoryOutcome } from '../history/historyLine';
import { FOLLOW_SCRIPT, FOLLOW_UNIT, followerRunning, followerScript, followerUnit, parseFollowerOutcome, REMOVE_FOLLOWER, startFollowerShell, type FollowerOutcome } from './firewalldFollower';

/**
 * Making the lockdown survive a reboot: our chains alone are saved (never Docker's) together with a
 * small script that puts them back, run by a systemd unit ordered before docker.service and again
 * after every dockerd start. Hosts without systemd get the files and are told what to run at boot.
 */
export const PERSIST_DIR = '/etc/docker-firewall';
export const RESTORE_SCRIPT = '/usr/local/sbin/docker-firewall-restore';
export const UNIT_PATH = '/etc/systemd/system/docker-firewall.service';
export const DOCKER_DROP_IN = '/etc/systemd/system/docker.service.d/docker-firewall.conf';

export type Persistence =
  | { readonly state: 'none' }
  | {
      readonly state: 'current' | 'outdated';
      readonly systemd: 'enabled' | 'disabled' | 'absent';
      readonly savedDigest: string;
      /** Whether the follower that restores the lockdown after a firewalld reload runs (firewalldFollower.ts). */
      readonly firewalldFollower: boolean;
    };

/**
 * The digest written to /etc/docker-firewall/state: what was saved, to compare with what is in force.
 * Only the policy chains count: the chains of bridges and host ports change with every network and
 * container (the watcher keeps them in step, at boot too), so a saved copy of them is never "outdated".
 */
export function layoutsDigest(ipv4: FamilyLayout, ipv6: FamilyLayout, chain: ChainName): string {
  const names = chainNames(chain);
  const dynamic: readonly string[] = [names.bridges, names.ports];
  // Sorted per family: chains are rendered and read back in different orders (per table when read).
  const family = (layout: FamilyLayout) =>
    layout.chains
      .filter((c) => !dynamic.includes(c.name))
      .map((c) => `${tableOf(c)}:${c.name}:${c.rules.at(-1) ?? ''}`)
      .sort();
  return [...family(ipv4), ...family(ipv6)].join(' ');
}

/**
 * The policy in force, in twelve hex digits: a digest of layoutsDigest (the policy chains' state
 * markers), so it changes exactly when the policy rules do. Undefined when no policy chain of ours
 * exists (the host is open). Status shows it; the history names it before and after each change.
 */
export function policyDigest(ipv4: FamilyLayout, ipv6: FamilyLayout, chain: ChainName): string | undefined {
  const text = layoutsDigest(ipv4, ipv6, chain);
  return text === '' ? undefined : createHash('sha256').update(text).digest('hex').slice(0, 12);
}

export function parsePersistence(lines: readonly string[], current: string): Persistence {
  const saved = lines.find((l) => l.startsWith('digest '));
  if (saved === undefined) return { state: 'none' };
  const savedDigest = saved.slice('digest '.length);
  const systemdLine = lines.find((l) => l.startsWith('systemd '));
  const systemd = systemdLine === undefined ? 'absent' : systemdLine.endsWith(' enabled') ? 'enabled' : 'disabled';
  return { state: savedDigest === current ? 'current' : 'outdated', systemd, savedDigest, firewalldFollower: followerRunning(lines) };
}

/**
 * The script run at boot (before docker.service) and after every dockerd start. It must never take
 * the lockdown away, not even for the moment between deleting and re-adding our rules, when a
 * dockerd start has left it in force: so each table of each family is replaced in ONE
 * iptables-restore transaction, built from what is there (our hooks deleted as often as they occur,
 * our chains flushed in the same transaction, or made where missing) followed by the saved rules.
 */
function restoreScript(variant: IptablesVariant, chain: ChainName): string {
  const names = chainNames(chain);
  const owned = ownedChains(chain);
  // table:hooked-from:our-chain, for every hook the layout can have (Docker Firewall 0.1's too, to replace it).
  const hooks = [
    `filter:DOCKER-USER:${names.forward}`,
    `filter:INPUT:${names.input}`,
    `filter:INPUT:${names.legacyProxy}`,
    `security:FORWARD:${names.guard}`,
  ];
  const lines = [
    '#!/bin/sh',
    '# Written by Docker Firewall: puts its chains back (never touches Docker\'s). Safe to run again.',
    'set -u',
    `HOOKS='${hooks.join(' ')}'`,
    ...TABLES.map((table) => `CHAINS_${table}='${owned[table].join(' ')}'`),
    `chains_of() { case $1 in ${TABLES.map((t) => `${t}) echo "$CHAINS_${t}" ;;`).join(' ')} esac; }`,
    'exists() { "$bin" -w -t "$1" -n -L "$2" >/dev/null 2>&1; } # TABLE CHAIN',
    'prepare_table() { # TABLE: our hooks deleted and our chains there flushed, before the saved rules go in',
    // POSIX sh has no local variables: these names must not clash with restore_family's $table.
    '  for hook in $HOOKS; do',
    '    hook_table=${hook%%:*} rest=${hook#*:}; from=${rest%%:*} to=${rest#*:}',
    '    [ "$hook_table" = "$1" ] || continue',
    '    "$bin" -w -t "$1" -S "$from" 2>/dev/null | grep -x -e "-A $from -j $to" | sed \'s/^-A /-D /\'',
    '  done',
    '  for c in $(chains_of "$1"); do exists "$1" "$c" && echo ":$c - [0:0]"; done',
    '}',
    'finish_table() { # TABLE SECTION: chains of ours the saved rules do not make are deleted, once nothing refers to them',
    '  for c in $(chains_of "$1"); do',
    '    exists "$1" "$c" || continue',
    '    printf \'%s\\n\' "$2" | grep -qx -e "-N $c" || echo "-X $c"',
    '  done',
    '}',
    'has_ours() { # TABLE: whether one of our chains is in that table now',
    '  for c in $(chains_of "$1"); do exists "$1" "$c" && return 0; done',
    '  return 1',
    '}',
    'restore_family() { # BIN FILE',
    '  bin=$1 file=$2',
    '  [ -s "$file" ] || return 0',
    // Before docker starts at boot DOCKER-USER does not exist yet; Docker keeps a DOCKER-USER it finds.
    '  if grep -q DOCKER-USER "$file"; then "$bin" -w -n -L DOCKER-USER >/dev/null 2>&1 || "$bin" -w -N DOCKER-USER || return 1; fi',
    // The transaction is made whole before iptables-restore starts: iptables-legacy-restore holds
    // the xtables lock from its start, so the "$bin" queries that build it would wait on it
    // (measured on a real reboot: the restore got "*filter" alone and failed, and the host booted
    // open). In a variable, not a file: the unit runs before local file systems are mounted, and a
    // file made in /tmp was hidden by the tmpfs mounted there a moment later (measured on a real
    // reboot: "cannot open /tmp/tmp.…", the unit failed and the host was open until dockerd's
    // ExecStartPost).
    '  payload=$(',
    // A table is written where the file has rules for it or where ours are left over from before.
    `    for table in ${TABLES.join(' ')}; do`,
    '      grep -qx "\\*$table" "$file" || has_ours "$table" || continue',
    '      section=$(sed -n "/^\\*$table\\$/,/^COMMIT\\$/p" "$file" | sed \'1d;$d\')',
    '      echo "*$table"',
    '      prepare_table "$table"',
    '      printf \'%s\\n\' "$section" | while IFS= read -r line; do',
    '        case $line in',
    '          \'\') ;;',
    '          \'-N \'*) exists "$table" "${line#-N }" || printf \'%s\\n\' "$line" ;;',
    '          *) printf \'%s\\n\' "$line" ;;',
    '        esac',
    '      done',
    '      finish_table "$table" "$section"',
    '      echo COMMIT',
    '    done',
    '  ) || return 1',
    '  printf \'%s\\n\' "$payload" | "$bin-restore" -w 10 --noflush',
    '}',
  ];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const bin = restoreBinary(variant, family).replace(/-restore$/, '');
    lines.push(`restore_family ${bin} ${PERSIST_DIR}/rules.${family === 'ipv4' ? 'v4' : 'v6'} || exit 1`);
  }
  return `${lines.join('\n')}\n`;
}

const UNIT = `[Unit]
Description=Docker Firewall: block external access to published Docker ports
Documentation=https://github.com/docker-firewall/docker-firewall
DefaultDependencies=no
Before=docker.service network-pre.target
Wants=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${RESTORE_SCRIPT}

[Install]
WantedBy=multi-user.target
`;

const DROP_IN = `[Service]
# Docker Firewall: put the lockdown back on top after every dockerd start.
ExecStartPost=${RESTORE_SCRIPT}
`;

/** Removes what persistCommand installed: after an unblock nothing should come back at boot. */
const UNPERSIST = [
  'set -eu',
  REMOVE_FOLLOWER,
  'if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then systemctl disable docker-firewall.service >/dev/null 2>&1 || true; fi',
  `rm -f ${UNIT_PATH} ${DOCKER_DROP_IN} ${RESTORE_SCRIPT}`,
  // The folder's contents, then the folder if it can go: it may be a mount point (a container's
  // volume, the lab's per-host folders), which rm -rf refuses as busy.
  `if [ -d ${PERSIST_DIR} ] && [ ! -L ${PERSIST_DIR} ]; then find ${PERSIST_DIR} -mindepth 1 -delete; rmdir ${PERSIST_DIR} 2>/dev/null || true; fi`,
  'if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi',
  "echo '### removed'",
].join('\n');

/** A file the persistence writes on the host. */
export interface PersistedFile {
  readonly path: string;
  readonly content: string;
  readonly mode: '0600' | '0644' | '0755';
}

/** What a persist run did: whether the host restores the lockdown at boot by itself. */
export type PersistOutcome =
  | {
      readonly kind: 'saved';
      readonly bootRestore: 'systemd' | 'none';
      /** What restores the lockdown after a firewalld reload: `absent` where firewalld is not in use. */
      readonly firewalld: FollowerOutcome;
      /** Only when a history line was asked for. */ readonly history?: HistoryOutcome;
    }
  | { readonly kind: 'removed'; /** Only when a history line was asked for. */ readonly history?: HistoryOutcome };

export interface PersistCommand extends RemoteCommand<PersistOutcome> {
  /** The files the script writes, in order (the state digest last), as data: what its stdin bundle holds. */
  readonly files: readonly PersistedFile[];
  /** Written after those, only where firewalld is in use: the follower of its reloads (firewalldFollower.ts). */
  readonly firewalldFiles: readonly PersistedFile[];
}

/**
 * Writes FILE with MODE from part N of the stdin bundle, never following a link planted at FILE or
 * its temporary: the temporary is made by mktemp (O_EXCL, mode 0600) in FILE's own folder and
 * renamed over FILE. Under `set -eu` every step of it stops the script when it fails.
 */
const WRITE_FUNCTION = `write() { # FILE MODE PART
  tmp=$(mktemp "\${1%/*}/.docker-firewall.XXXXXX")
  part "$3" >"$tmp"
  chmod "$2" "$tmp"
  mv -f "$tmp" "$1"
}`;

/**
 * nftables backend (no variant): our table of each family, saved as the nft batch that replaces it
 * whole (`table` to make sure it exists, `delete`, then the full definition: atomic, and safe to run
 * again), restored by `nft -f` at boot. Docker never touches our table, so no dockerd drop-in is needed.
 */
function nftPersistedFiles(chain: ChainName, ipv4: FamilyLayout, ipv6: FamilyLayout): PersistedFile[] {
  const table = nftTableName(chain);
  const family = (name: 'ipv4' | 'ipv6', layout: FamilyLayout) => {
    if (layout.chains.length === 0) return [];
    const ip = NFT_FAMILY[name];
    return [`table ${ip} ${table} {`, '}', `delete table ${ip} ${table}`, ...nftTableBlock(name, layout, table)];
  };
  const rules = ['#!/usr/sbin/nft -f', '# Written by Docker Firewall: its own tables, replaced whole (never Docker\'s).', ...family('ipv4', ipv4), ...family('ipv6', ipv6), ''].join('\n');
  const restore = ['#!/bin/sh', "# Written by Docker Firewall: puts its nftables tables back (never touches Docker's). Safe to run again.", 'set -eu', `exec nft -f ${NFT_RULES}`, ''].join('\n');
  return [
    { path: NFT_RULES, content: rules, mode: '0600' },
    { path: RESTORE_SCRIPT, content: restore, mode: '0755' },
  ];
}

const NFT_RULES = `${PERSIST_DIR}/rules.nft`;

/**
 * The one command that saves (or, for empty layouts, removes) the persistence: `persist`, its dry
 * run and the re-save after every change of a persistent host all use it. Every write stops the
 * script when it fails; the state digest, which status compares with the rules in force, is written
 * last, so a host never says "persistent, current" with files missing. The script ends by saying
 * whether systemd will restore the lockdown at boot (`### systemd`) or nothing will (`### no-systemd`).
 * `historyLine` (our half of a history line, history/historyLine.ts) is recorded once everything is
 * saved, outside `set -e`: a history that cannot be written is reported, never a failed save.
 * `variant` undefined: the nftables backend (nftPersistedFiles).
 */
export function persistCommand(variant: IptablesVariant | undefined, chain: ChainName, ipv4: FamilyLayout, ipv6: FamilyLayout, historyLine?: string): PersistCommand {
  if (ipv4.chains.length === 0 && ipv6.chains.length === 0) {
    // With a history line (an unblock of a host that was open but kept saved rules), the line comes
    // in a bundle of its own and is written once the files are gone.
    const bundle = historyLine === undefined ? undefined : stdinBundle([historyLine]);
    const script = bundle === undefined ? UNPERSIST : [READ_BUNDLE, 'read_bundle "$1"', UNPERSIST, RECORD_HISTORY_FUNCTION, '( set +e; record_history 1 )'].join('\n');
    return {
      argv: bundle === undefined ? ['sh', '-c', UNPERSIST] : ['sh', '-c', script, 'docker-firewall-unpersist', bundle.digest],
      ...(bundle === undefined ? {} : { stdin: bundle.stdin }),
      privileged: true,
      files: [],
      firewalldFiles: [],
      parse(result) {
        if (result.stderr.includes('### incomplete input')) {
          throw new PersistFailed(l10n.t('the command did not reach the host whole (the connection dropped, or the host has no sha256sum); nothing was removed. Try again.'));
        }
        if (result.code !== 0 || !result.stdout.includes('### removed')) {
          throw new PersistFailed(l10n.t('could not remove the persistence files: {0}', result.stderr.trim() || l10n.t('exit status {0}', String(result.code))));
        }
        const history = parseHistoryOutcome(result.stdout);
        return history === undefined ? { kind: 'removed' } : { kind: 'removed', history };
      },
    };
  }
  const payload = (layout: FamilyLayout) => (layout.chains.length === 0 ? '' : transitionPayload(EMPTY_LAYOUT, layout).join('\n'));
  const rules: PersistedFile[] =
    variant === undefined
      ? nftPersistedFiles(chain, ipv4, ipv6)
      : [
          { path: `${PERSIST_DIR}/rules.v4`, content: payload(ipv4), mode: '0600' },
          { path: `${PERSIST_DIR}/rules.v6`, content: payload(ipv6), mode: '0600' },
          { path: RESTORE_SCRIPT, content: restoreScript(variant, chain), mode: '0755' },
        ];
  const unit: PersistedFile[] = [{ path: UNIT_PATH, content: UNIT, mode: '0644' }, ...(variant === undefined ? [] : [{ path: DOCKER_DROP_IN, content: DROP_IN, mode: '0644' as const }])];
  const state: PersistedFile = { path: `${PERSIST_DIR}/state`, content: `digest ${layoutsDigest(ipv4, ipv6, chain)}\n`, mode: '0644' };
  const files = [...rules, ...unit, state];
  const write = (file: PersistedFile) => `write ${shellQuote(file.path)} ${file.mode} ${files.indexOf(file) + 1}`;
  // The follower's script and unit come after the files: they are written only where firewalld is in use.
  const followerPart = files.length + 1;
  const firewalldFiles: PersistedFile[] = [
    { path: FOLLOW_SCRIPT, content: followerScript(variant, RESTORE_SCRIPT), mode: '0755' },
    { path: FOLLOW_UNIT, content: followerUnit(), mode: '0644' },
  ];
  const bundle = stdinBundle([...[...files, ...firewalldFiles].map((file) => file.content), ...(historyLine === undefined ? [] : [historyLine])]);
  const script = [
    'set -eu',
    READ_BUNDLE,
    'read_bundle "$1"',
    WRITE_FUNCTION,
    `mkdir -p ${PERSIST_DIR} ${RESTORE_SCRIPT.replace(/\/[^/]+$/, '')}`,
    ...rules.map(write),
    'if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then',
    `  mkdir -p ${UNIT_PATH.replace(/\/[^/]+$/, '')} ${DOCKER_DROP_IN.replace(/\/[^/]+$/, '')}`,
    ...unit.map((file) => `  ${write(file)}`),
    '  systemctl daemon-reload',
    '  systemctl enable docker-firewall.service',
    '  boot=systemd',
    'else',
    '  boot=no-systemd',
    'fi',
    write(state),
    // The lockdown is saved by now: a follower that cannot start is reported, never a failed save.
    `( ${startFollowerShell(followerPart, followerPart + 1)}\n) || echo '### firewalld failed'`,
    ...(historyLine === undefined ? [] : [RECORD_HISTORY_FUNCTION, `( set +e; record_history ${followerPart + 2} )`]),
    'echo "### $boot"',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'docker-firewall-persist', bundle.digest],
    stdin: bundle.stdin,
    privileged: true,
    files,
    firewalldFiles,
    parse(result) {
      const boot = /^### (systemd|no-systemd)$/m.exec(result.stdout)?.[1];
      if (result.stderr.includes('### incomplete input')) {
        throw new PersistFailed(l10n.t('the files did not reach the host whole (the connection dropped, or the host has no sha256sum); nothing was written. Try again.'));
      }
      if (result.code !== 0 || boot === undefined) {
        throw new PersistFailed(l10n.t('could not write the persistence files: {0}', result.stderr.trim() || l10n.t('exit status {0}', String(result.code))));
      }
      const history = parseHistoryOutcome(result.stdout);
      const bootRestore = boot === 'systemd' ? 'systemd' : 'none';
      const firewalld = parseFollowerOutcome(result.stdout) ?? 'failed';
      return history === undefined ? { kind: 'saved', bootRestore, firewalld } : { kind: 'saved', bootRestore, firewalld, history };
    },
  };
}
