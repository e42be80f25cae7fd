import type { IptablesVariant } from './readFirewall';
import { WATCH_SCRIPT } from './watcher';

/**
 * firewalld rebuilds the host's tables when it reloads (`firewall-cmd --reload`) or starts: measured
 * on Debian's firewalld 1.3 beside Docker 28 (test/lab/engine/firewalld.test.ts), a reload empties
 * every iptables table, Docker puts its own chains back on firewalld's `Reloaded` signal, and the
 * lockdown is gone: every published port answers until it is applied again. Docker follows the same
 * two D-Bus signals for its own rules (`Reloaded`, and `NameOwnerChanged` of firewalld's name for a
 * restart); the follower, installed with the persistence where firewalld is in use, follows them for ours
 * and runs the persisted restore once Docker's chains are back.
 */
export const FOLLOW_SCRIPT = '/usr/local/sbin/docker-firewall-firewalld';
export const FOLLOW_UNIT = '/etc/systemd/system/docker-firewall-firewalld.service';
export const FOLLOW_PID = '/run/docker-firewall-firewalld.pid';
export const FOLLOW_UNIT_NAME = 'docker-firewall-firewalld.service';

/** The signals that end in rebuilt tables: firewalld's reload, and its name changing hands (a restart). */
const MATCH_RELOADED = "type='signal',interface='org.fedoraproject.FirewallD1',member='Reloaded'";
const MATCH_RESTARTED = "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='org.fedoraproject.FirewallD1'";

/**
 * `restoreScript`: the persisted restore it runs. `variant` undefined: Docker's nftables backend (our
 * own nftables tables; Docker's table then marks that Docker is back).
 */
export function followerScript(variant: IptablesVariant | undefined, restoreScript: string): string {
  const iptables = variant === undefined ? undefined : variant === 'default' ? 'iptables' : `iptables-${variant}`;
  // What says Docker has rebuilt its own rules: its jump to DOCKER-USER, or its nftables table.
  const dockerBack =
    iptables === undefined ? "nft list tables 2>/dev/null | grep -qx 'table ip docker-bridges'" : `${iptables} -w 5 -S FORWARD 2>/dev/null | grep -qx -e '-A FORWARD -j DOCKER-USER'`;
  return `#!/bin/sh
# Written by Docker Firewall: a firewalld reload or restart rebuilds the tables without the lockdown
# (Docker puts back only its own rules). This follows firewalld's signals on the system bus and runs
# ${restoreScript} once Docker's rules are back. It stops when the lockdown is no longer saved.
set -u
export LC_ALL=C
RESTORE=${restoreScript}
PIDFILE=${FOLLOW_PID}

docker_back() { ${dockerBack}; }

# At once: the guard (security table) and the INPUT chain need nothing of Docker's, and DOCKER-USER
# is made if missing, so ports are shut before Docker's rules come back on the same signal. Then on
# top of Docker's chains once they are there (30 s at most), and again a moment later in case Docker
# was still adding rules: the restore is safe to run again, and one that met Docker mid-change is
# simply the next one's to finish.
restore_after_firewalld() {
  [ -x "$RESTORE" ] || exit 0
  "$RESTORE"
  tries=0
  until docker_back || [ $tries -ge 150 ]; do sleep 0.2; tries=$((tries + 1)); done
  "$RESTORE" && echo "lockdown put back after a firewalld $1" >&2
  sleep 2
  [ -x "$RESTORE" ] && "$RESTORE"
  # The saved chains of bridges and ports are as they were at the save: the watcher makes them exact.
  [ -x ${WATCH_SCRIPT} ] && ${WATCH_SCRIPT} refresh
  return 0
}

follow() {
  echo $$ >"$PIDFILE"
  while [ -x "$RESTORE" ]; do
    dbus-monitor --system "${MATCH_RELOADED}" "${MATCH_RESTARTED}" 2>/dev/null | while read -r line; do
      case $line in
        *member=Reloaded*) restore_after_firewalld reload ;;
        *member=NameOwnerChanged*) restore_after_firewalld restart ;;
      esac
    done
    # The bus went away (dbus restarted): follow it again shortly.
    sleep 1
  done
  rm -f "$PIDFILE"
}

follow
`;
}

export function followerUnit(): string {
  return `[Unit]
Description=Docker Firewall: puts the lockdown back after firewalld reloads or restarts
Documentation=https://github.com/docker-firewall/docker-firewall
After=firewalld.service docker.service dbus.service

[Service]
ExecStart=${FOLLOW_SCRIPT}
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
`;
}

/**
 * Shell (for `sh -c`, under `set -eu`) that starts the follower where firewalld is in use, after
 * the files are written: by systemd, or as a process in its own session. Prints
 * `### firewalld systemd|process|no-monitor|absent`. Expects `write FILE MODE PART` and the parts
 * numbered `scriptPart` and `unitPart`.
 */
export function startFollowerShell(scriptPart: number, unitPart: number): string {
  return [
    // firewalld counts where it is installed and in use: its table is there now, or systemd starts it
    // at boot. Installed and disabled (common on a Docker host of a RHEL family), it rebuilds nothing.
    'use_firewalld() {',
    '  command -v firewalld >/dev/null 2>&1 || [ -x /usr/sbin/firewalld ] || return 1',
    "  nft list tables 2>/dev/null | grep -q ' firewalld$' && return 0",
    '  [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && [ "$(systemctl is-enabled firewalld.service 2>/dev/null)" = enabled ]',
    '}',
    'if use_firewalld; then',
    '  if ! command -v dbus-monitor >/dev/null 2>&1; then',
    '    follower=no-monitor',
    '  else',
    `    write ${FOLLOW_SCRIPT} 0755 ${scriptPart}`,
    STOP_FOLLOWER.map((line) => `    ${line}`).join('\n'),
    '    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then',
    `      write ${FOLLOW_UNIT} 0644 ${unitPart}`,
    '      systemctl daemon-reload',
    `      systemctl enable ${FOLLOW_UNIT_NAME} >/dev/null 2>&1`,
    `      systemctl restart ${FOLLOW_UNIT_NAME}`,
    '      follower=systemd',
    '    else',
    `      setsid ${FOLLOW_SCRIPT} </dev/null >/dev/null 2>&1 &`,
    '      follower=process',
    '    fi',
    '  fi',
    'else',
    '  follower=absent',
    'fi',
    'echo "### firewalld $follower"',
  ].join('\n');
}

/** Stops a follower started as a process: it leads its own process group (setsid), dbus-monitor with it. */
const STOP_FOLLOWER = [
  `if [ -f ${FOLLOW_PID} ]; then`,
  `  p=$(head -c 16 ${FOLLOW_PID} | tr -cd 0-9)`,
  '  if [ -n "$p" ]; then kill -TERM "-$p" 2>/dev/null || true; fi',
  `  rm -f ${FOLLOW_PID}`,
  'fi',
];

/** Shell that stops and removes the follower (the unpersist), never failing. */
export const REMOVE_FOLLOWER = [
  `if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && [ -f ${FOLLOW_UNIT} ]; then systemctl disable --now ${FOLLOW_UNIT_NAME} >/dev/null 2>&1 || true; fi`,
  ...STOP_FOLLOWER,
  `rm -f ${FOLLOW_SCRIPT} ${FOLLOW_UNIT}`,
].join('\n');

/** Shell for the read's persistence section: `follower running PID` or `follower systemd STATE` (`running_pid` is the read script's, readFirewall.ts). */
export const READ_FOLLOWER = [
  `p=$(running_pid ${FOLLOW_PID}) && echo "follower running $p"`,
  `[ -f ${FOLLOW_UNIT} ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] && printf 'follower systemd %s\\n' "$(systemctl is-active ${FOLLOW_UNIT_NAME} 2>/dev/null)"`,
].join('\n');

/** How the follower was started, or why not: `failed` when its start went wrong (the lockdown is saved all the same). */
export type FollowerOutcome = 'systemd' | 'process' | 'no-monitor' | 'absent' | 'failed';

export function parseFollowerOutcome(stdout: string): FollowerOutcome | undefined {
  return /^### firewalld (systemd|process|no-monitor|absent|failed)$/m.exec(stdout)?.[1] as FollowerOutcome | undefined;
}

/** Whether the persistence section says a follower runs. */
export function followerRunning(lines: readonly string[]): boolean {
  return lines.some((l) => /^follower (running \d+|systemd active)$/.test(l.trim()));
}
