import { PersistFailed } from './errors';
import { shellQuote } from '../remote/shellQuote';
import type { ChainName } from '../validate';
import type { RemoteCommand } from '../remote/remoteCommand';
import { EMPTY_LAYOUT, guardChainName, proxyChainName, TABLES, type FamilyLayout } from './layout';
import { restoreBinary } from './applyCommand';
import type { IptablesVariant } from './readFirewall';
import { transitionPayload } from './transition';

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
  | { readonly state: 'current' | 'outdated'; readonly systemd: 'enabled' | 'disabled' | 'absent'; readonly savedDigest: string };

/** The digest written to /etc/docker-firewall/state: what was saved, to compare with what is in force. */
export function layoutsDigest(ipv4: FamilyLayout, ipv6: FamilyLayout): string {
  // Sorted per family: chains are rendered and read back in different orders (per table when read).
  const family = (layout: FamilyLayout) => layout.chains.map((c) => `${c.name}:${c.rules.at(-1) ?? ''}`).sort();
  return [...family(ipv4), ...family(ipv6)].join(' ');
}

export function parsePersistence(lines: readonly string[], current: string): Persistence {
  const saved = lines.find((l) => l.startsWith('digest '));
  if (saved === undefined) return { state: 'none' };
  const savedDigest = saved.slice('digest '.length);
  const systemdLine = lines.find((l) => l.startsWith('systemd '));
  const systemd = systemdLine === undefined ? 'absent' : systemdLine.endsWith(' enabled') ? 'enabled' : 'disabled';
  return { state: savedDigest === current ? 'current' : 'outdated', systemd, savedDigest };
}

/**
 * The script run at boot (before docker.service) and after every dockerd start. It must never take
 * the lockdown away, not even for the moment between deleting and re-adding our rules, when a
 * dockerd start has left it in force: so each table of each family is replaced in ONE
 * iptables-restore transaction, built from what is there (our hooks deleted as often as they occur,
 * our chains flushed in the same transaction, or made where missing) followed by the saved rules.
 */
function restoreScript(variant: IptablesVariant, chain: ChainName): string {
  // table:hooked-from:our-chain, for every hook the layout can have.
  const hooks = [`filter:DOCKER-USER:${chain}`, `filter:INPUT:${proxyChainName(chain)}`, `security:FORWARD:${guardChainName(chain)}`];
  const lines = [
    '#!/bin/sh',
    '# Written by Docker Firewall: puts its chains back (never touches Docker\'s). Safe to run again.',
    'set -u',
    `HOOKS='${hooks.join(' ')}'`,
    'prepare_table() { # TABLE: delete our hooks and flush our chains there; -X those the file no longer has',
    // POSIX sh has no local variables: these names must not clash with restore_family's $table.
    '  for hook in $HOOKS; do',
    '    hook_table=${hook%%:*} rest=${hook#*:}; from=${rest%%:*} to=${rest#*:}',
    '    [ "$hook_table" = "$1" ] || continue',
    '    "$bin" -w -t "$1" -S "$from" 2>/dev/null | grep -x -e "-A $from -j $to" | sed \'s/^-A /-D /\'',
    '    "$bin" -w -t "$1" -n -L "$to" >/dev/null 2>&1 || continue',
    '    echo ":$to - [0:0]"',
    '    grep -qx -e "-N $to" "$file" || echo "-X $to"',
    '  done',
    '}',
    'has_ours() { # TABLE: whether one of our chains is in that table now',
    '  for hook in $HOOKS; do',
    '    hook_table=${hook%%:*} to=${hook##*:}',
    '    [ "$hook_table" = "$1" ] && "$bin" -w -t "$1" -n -L "$to" >/dev/null 2>&1 && return 0',
    '  done',
    '  return 1',
    '}',
    'restore_family() { # BIN FILE',
    '  bin=$1 file=$2',
    '  [ -s "$file" ] || return 0',
    // Before docker starts at boot DOCKER-USER does not exist yet; Docker keeps a DOCKER-USER it finds.
    '  if grep -q DOCKER-USER "$file"; then "$bin" -w -n -L DOCKER-USER >/dev/null 2>&1 || "$bin" -w -N DOCKER-USER || return 1; fi',
    '  {',
    // A table is written where the file has rules for it or where ours are left over from before.
    `    for table in ${TABLES.join(' ')}; do`,
    '      grep -qx "\\*$table" "$file" || has_ours "$table" || continue',
    '      echo "*$table"',
    '      prepare_table "$table"',
    '      sed -n "/^\\*$table\\$/,/^COMMIT\\$/p" "$file" | sed \'1d;$d\' | while IFS= read -r line; do',
    '        case $line in',
    '          \'-N \'*) "$bin" -w -t "$table" -n -L "${line#-N }" >/dev/null 2>&1 || printf \'%s\\n\' "$line" ;;',
    '          *) printf \'%s\\n\' "$line" ;;',
    '        esac',
    '      done',
    '      echo COMMIT',
    '    done',
    '  } | "$bin-restore" -w 10 --noflush',
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
  'if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then systemctl disable docker-firewall.service >/dev/null 2>&1 || true; fi',
  `rm -f ${UNIT_PATH} ${DOCKER_DROP_IN} ${RESTORE_SCRIPT}`,
  `rm -rf ${PERSIST_DIR}`,
  'if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi',
].join('\n');

export function persistCommand(variant: IptablesVariant, chain: ChainName, ipv4: FamilyLayout, ipv6: FamilyLayout): RemoteCommand<void> {
  if (ipv4.chains.length === 0 && ipv6.chains.length === 0) {
    return {
      argv: ['sh', '-c', UNPERSIST],
      privileged: true,
      parse(result) {
        if (result.code !== 0) throw new PersistFailed(`could not remove the persistence files: ${result.stderr.trim() || `exit ${String(result.code)}`}`);
      },
    };
  }
  const payload = (layout: FamilyLayout) => (layout.chains.length === 0 ? '' : transitionPayload(EMPTY_LAYOUT, layout).join('\n'));
  const files: [string, string, string][] = [
    [`${PERSIST_DIR}/rules.v4`, payload(ipv4), '0600'],
    [`${PERSIST_DIR}/rules.v6`, payload(ipv6), '0600'],
    [RESTORE_SCRIPT, restoreScript(variant, chain), '0755'],
    [`${PERSIST_DIR}/state`, `digest ${layoutsDigest(ipv4, ipv6)}\n`, '0644'],
  ];
  const write = files.map(
    ([path, content, mode]) =>
      `printf '%s' ${shellQuote(Buffer.from(content).toString('base64'))} | base64 -d > ${path}.tmp && chmod ${mode} ${path}.tmp && mv ${path}.tmp ${path}`,
  );
  const systemd = [
    `printf '%s' ${shellQuote(Buffer.from(UNIT).toString('base64'))} | base64 -d > ${UNIT_PATH}`,
    `mkdir -p ${DOCKER_DROP_IN.replace(/\/[^/]+$/, '')}`,
    `printf '%s' ${shellQuote(Buffer.from(DROP_IN).toString('base64'))} | base64 -d > ${DOCKER_DROP_IN}`,
    'systemctl daemon-reload && systemctl enable docker-firewall.service',
  ];
  const script = [
    'set -e',
    `mkdir -p ${PERSIST_DIR} ${RESTORE_SCRIPT.replace(/\/[^/]+$/, '')}`,
    ...write,
    `if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then ${systemd.join(' && ')}; echo '### systemd'; else echo '### no-systemd'; fi`,
  ].join('\n');
  return {
    argv: ['sh', '-c', script],
    privileged: true,
    parse(result) {
      if (result.code !== 0) throw new PersistFailed(`could not write the persistence files: ${result.stderr.trim() || `exit ${String(result.code)}`}`);
    },
  };
}
