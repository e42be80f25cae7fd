import { DOCKER_SOCKET_PATH } from '../docker/dockerSocket';
import type { ChainName } from '../validate';
import { chainNames } from './layout';
import { nftTableName } from './nftRule';
import { ROOTLESS_PORT_PROCESSES } from './scope';

/**
 * The watcher: a small shell script installed on the host with the lockdown, run by systemd (or,
 * without systemd, started in its own session), that follows `docker events` and rewrites the two
 * chains that only list what the host holds — Docker's bridges and the ports served on the host's
 * sockets — when a network is created or a container starts. A network created or a port
 * published after the lockdown is so covered without anyone applying it again.
 *
 * It renders exactly what renderLayout renders for the same host (the same rule text, order and
 * state marker; test/unit/core/firewall/watcher.test.ts runs it against the TypeScript renderer),
 * changes those chains in one iptables-restore transaction with the marker it read as the
 * compare-and-swap, and never adds or removes a lockdown: it does nothing while our INPUT chain is
 * absent, and stops when the lockdown goes.
 */
export const WATCH_SCRIPT = '/usr/local/sbin/docker-firewall-watch';
export const WATCH_UNIT = '/etc/systemd/system/docker-firewall-watch.service';
export const WATCH_PID = '/run/docker-firewall-watch.pid';
/** What the watcher keeps in force for a while after Docker restarts or a container goes (see keep_ports), shared by its background refreshes. */
export const WATCH_KEEP = '/run/docker-firewall-watch.keep';
/** The ports of containers created and not yet started, each until when it is kept (see container_created). */
export const WATCH_PLANNED = '/run/docker-firewall-watch.planned';
/** Held by every read-and-apply of the watcher, so that one never writes an older view over a newer one. */
export const WATCH_LOCK = '/run/docker-firewall-watch.lock';
/** Seconds the ports in force are kept after the watcher (re)connects to Docker (see keep_ports). */
export const WATCH_KEEP_SECONDS = 60;
/** The same after a container stops or is removed. */
const WATCH_GONE_KEEP_SECONDS = 30;
/**
 * How often, in seconds, the watcher looks for new listening sockets (see poll_sockets). Measured
 * on a lab host: one `ss -Hlntu` takes 4.6 ms of CPU there, and a poll every 0.5 s kept the
 * watcher at 1.7% of a core, once a second at 0.9% (53 clock ticks in a minute); a port bound late
 * is then covered within a second and a refresh (about 0.2 s).
 */
const WATCH_POLL_SECONDS = 1;
/**
 * How long a created container's ports are covered before it starts (compose creates every
 * container first and starts them in order, waiting for health checks). A container started later
 * is covered at its start event, as one started with `docker run` is.
 */
const WATCH_CREATED_KEEP_SECONDS = 60;

export interface WatcherConfig {
  readonly chain: ChainName;
  /** iptables-nft, iptables-legacy or iptables, and the ip6tables of the same variant; `nft` for our own nftables tables. */
  readonly binaries: { readonly ipv4: string; readonly ipv6: string } | 'nft';
  readonly sshPort: number | undefined;
  /** The Docker socket the watcher talks to (the one the engine reads). */
  readonly dockerSocket: string;
}

export function watcherScript(config: WatcherConfig): string {
  const names = chainNames(config.chain);
  const nft = config.binaries === 'nft';
  const binaries = config.binaries === 'nft' ? { ipv4: 'iptables', ipv6: 'ip6tables' } : config.binaries;
  const binary = (name: string) => {
    if (!/^ip6?tables(-nft|-legacy)?$/.test(name)) throw new Error(`not an iptables binary: ${name}`);
    return name;
  };
  const ssh = config.sshPort === undefined ? '' : String(config.sshPort);
  if (!DOCKER_SOCKET_PATH.test(config.dockerSocket)) throw new Error(`not a socket path: ${config.dockerSocket}`);
  const socket = config.dockerSocket;
  return `#!/bin/sh
# Written by Docker Firewall: keeps the lockdown's chains of Docker bridges (${names.bridges}) and host
# ports (${names.ports}) in step with Docker, so that a network created or a port published after the
# lockdown is covered at once. It only rewrites those two chains, only while the lockdown is there,
# and stops when it goes. Safe to run again.
#   docker-firewall-watch                 follow Docker's events (what the service runs)
#   docker-firewall-watch refresh         bring both chains up to date once
#   docker-firewall-watch render bridges|ports 4|6   print what a chain would hold, marker included
#   docker-firewall-watch planned CONTAINER-ID       print the ports a created container will publish
set -u
export LC_ALL=C
FORWARD=${names.forward} NET=${names.bridges} INPUT=${names.input} PORTS=${names.ports}
BIN4=${binary(binaries.ipv4)} BIN6=${binary(binaries.ipv6)}
# iptables, or nft: our own nftables tables (Docker's nftables backend), named TABLE in ip and ip6.
BACKEND=${nft ? 'nft' : 'iptables'} TABLE=${nftTableName(config.chain)}
SSH_PORT=${ssh}
export DOCKER_HOST=unix://${socket}
PROC=\${DOCKER_FIREWALL_PROC:-/proc}
PIDFILE=${WATCH_PID} KEEPFILE=${WATCH_KEEP} LOCKFILE=${WATCH_LOCK} PLANFILE=${WATCH_PLANNED}
ROOT=
C='docker-firewall:v1'
ROOTLESS=' ${ROOTLESS_PORT_PROCESSES.join(' ')} '

# Docker's bridges, one per line in byte order: the bridge.name option, else br- and 12 characters of the id.
bridges() {
  br_ids=$(docker network ls -q --no-trunc --filter driver=bridge) || return 1
  [ -n "$br_ids" ] || return 0
  # shellcheck disable=SC2086 # one id per word
  docker network inspect -f '{{.Id}} {{.Driver}} {{index .Options "com.docker.network.bridge.name"}}' $br_ids | bridge_names | sort -u
}

# "ID DRIVER NAME-OPTION" lines on stdin: the bridge of each bridge network, one per line.
bridge_names() {
  while read -r bn_id bn_driver bn_name; do
    [ "$bn_driver" = bridge ] || continue
    [ "$bn_name" = '<no value>' ] && bn_name=
    [ -n "$bn_name" ] || bn_name="br-$(printf %.12s "$bn_id")"
    case $bn_name in *[!A-Za-z0-9_.-]*) continue ;; esac
    [ \${#bn_name} -le 15 ] && printf '%s\\n' "$bn_name"
  done
}

# "FAMILY PORT PROTO ADDRESS" (ADDRESS - for the wildcard) of the published ports of the running
# containers, or of the containers given. Docker's port map is split on "|", not blanks: an empty
# host address would vanish among blanks and shift the fields.
published() {
  if [ $# -gt 0 ]; then pub_ids=$*; else pub_ids=$(docker ps -q --no-trunc) || return 1; fi
  [ -n "$pub_ids" ] || return 0
  # shellcheck disable=SC2086
  docker inspect -f '{{range $p, $b := .NetworkSettings.Ports}}{{range $b}}{{.HostIp}}|{{.HostPort}}|{{$p}}{{"\\n"}}{{end}}{{end}}' $pub_ids | binding_lines 4
}

# "IP|PORT|SPEC" lines on stdin, one binding of Docker's port map each: "FAMILY PORT PROTO ADDRESS"
# lines. An empty IP binds the families given (Docker lists a running container's wildcard
# bindings one per family; a container's HostConfig has one empty address for both).
binding_lines() { # FAMILIES-OF-AN-EMPTY-ADDRESS
  while IFS='|' read -r bl_ip bl_port bl_spec; do
    bl_proto=\${bl_spec#*/}
    case $bl_proto in tcp | udp) ;; *) continue ;; esac
    case $bl_port in '' | 0 | *[!0-9]*) continue ;; esac
    case $bl_ip in
      127.* | ::1) continue ;;
      '') for bl_family in $1; do printf '%s %s %s -\\n' "$bl_family" "$bl_port" "$bl_proto"; done ;;
      0.0.0.0) printf '4 %s %s -\\n' "$bl_port" "$bl_proto" ;;
      ::) printf '6 %s %s -\\n' "$bl_port" "$bl_proto" ;;
      *[!0-9a-fA-F.:]*) continue ;;
      *:*) printf '6 %s %s %s\\n' "$bl_port" "$bl_proto" "$bl_ip" ;;
      *) printf '4 %s %s %s\\n' "$bl_port" "$bl_proto" "$bl_ip" ;;
    esac
  done
}

# "FAMILY PORT PROTO ADDRESS" of the ports a container just created will publish, from its
# HostConfig: known before it starts, so that they are covered before docker-proxy listens on them
# (measured when they were covered at the start event: the [::] port answered for 1.5 to 2.9 s). Read from the file
# Docker wrote at create (ROOT: Docker's root dir), not with docker inspect, which waits while
# Docker starts the container (measured: 550 ms). An empty host address binds both families; a port
# Docker picks at start (none given, or a range) is left to the start.
planned() {
  pl_file=$ROOT/containers/$1/hostconfig.json
  if [ -n "$ROOT" ] && [ -r "$pl_file" ]; then
    # {"80/tcp":[{"HostIp":"","HostPort":"8080"}],...}: one "IP|PORT|SPEC" line a binding.
    grep -o -E '"[0-9]+/(tcp|udp)":\\[[^]]*\\]' "$pl_file" | while IFS= read -r pl_entry; do
      pl_spec=\${pl_entry%%:*} && pl_spec=\${pl_spec#\\"} && pl_spec=\${pl_spec%\\"}
      printf '%s\\n' "$pl_entry" | grep -o -E '"HostIp":"[^"]*","HostPort":"[^"]*"' |
        sed -E 's/^"HostIp":"([^"]*)","HostPort":"([^"]*)"$/\\1|\\2/' | while IFS= read -r pl_binding; do
        printf '%s|%s\\n' "$pl_binding" "$pl_spec"
      done
    done
  else
    docker inspect -f '{{range $p, $b := .HostConfig.PortBindings}}{{range $b}}{{.HostIp}}|{{.HostPort}}|{{$p}}{{"\\n"}}{{end}}{{end}}' "$1" 2>/dev/null
  fi | binding_lines '4 6'
}

# CGROUP-FILE: the id of the Docker container a process's cgroup file names (the last part of a
# line's path, without docker- and .scope: /docker/ID, /system.slice/docker-ID.scope, /PARENT/ID).
cgroup_container() {
  while IFS= read -r cg_line; do
    cg_last=\${cg_line##*/} && cg_last=\${cg_last#docker-} && cg_last=\${cg_last%.scope}
    case $cg_last in '' | *[!0-9a-f]*) continue ;; esac
    [ \${#cg_last} -eq 64 ] && { printf '%s' "$cg_last"; return 0; }
  done <"$1"
  return 1
}

# "FAMILY PORT PROTO ADDRESS" of sockets held by host-network containers or rootless Docker. Shell
# builtins only inside the loop: it runs at every container start.
sockets() {
  so_list=$(ss -Hlntup 2>/dev/null) || return 0
  so_hostnet=
  case $so_list in *pid=*) ;; *) return 0 ;; esac
  printf '%s\\n' "$so_list" | while read -r netid _state _recv _send local _peer users; do
    port=\${local##*:} addr=\${local%:*}
    case $port in '' | *[!0-9]*) continue ;; esac
    case $addr in *%lo) continue ;; esac
    addr=\${addr%%%*} addr=\${addr#[} addr=\${addr%]}
    case $addr in
      127.* | ::1) continue ;;
      '*') fams='4 6' addr=- ;;
      0.0.0.0) fams=4 addr=- ;;
      ::) fams=6 addr=- ;;
      *[!0-9a-fA-F.:]*) continue ;;
      *:*) fams=6 ;;
      *) fams=4 ;;
    esac
    ours='' rest=$users
    while :; do
      case $rest in *pid=*) rest=\${rest#*pid=} ;; *) break ;; esac
      pid=\${rest%%[!0-9]*}
      comm=
      read -r comm <"$PROC/$pid/comm" 2>/dev/null
      # docker-proxy's sockets count as published ports, so that a proxy left serving while Docker is
      # down or restarting (its container not yet listed as running) keeps the port's rule.
      [ "$comm" = docker-proxy ] && { ours=1; break; }
      case $ROOTLESS in *" $comm "*) ours=1 ;; esac
      if cid=$(cgroup_container "$PROC/$pid/cgroup" 2>/dev/null); then
        # Docker is asked for its host-network containers once, and only when a socket is a container's.
        [ -n "$so_hostnet" ] || so_hostnet=" $(docker ps -q --no-trunc --filter network=host | tr '\\n' ' ') "
        case $so_hostnet in *" $cid "*) ours=1 ;; esac
      fi
    done
    [ -n "$ours" ] || continue
    for fam in $fams; do printf '%s %s %s %s\\n' "$fam" "$port" "$netid" "$addr"; done
  done
}

# POSIX sh has no local variables: every function names its own with its own prefix.
from_containers() { for fc_bridge in $1; do printf -- '-i %s -m comment --comment "%s from-containers" -j RETURN\\n' "$fc_bridge" "$C"; done; }

# The chain of bridges, from BRIDGES (one per line).
render_bridges() {
  from_containers "$1"
  for rb_bridge in $1; do printf -- '-o %s -m comment --comment "%s block" -j DROP\\n' "$rb_bridge" "$C"; done
}

# The chain of host ports in FAMILY, from BRIDGES and "FAMILY PORT PROTO ADDRESS" lines.
render_ports() {
  from_containers "$1"
  printf '%s\\n' "$3" | while read -r fam port proto addr; do
    [ "$fam" = "$2" ] && printf '%s %s %s\\n' "$port" "$proto" "$addr"
  done | sort -t ' ' -k1,1n -k2,2 -k3,3 -u | while read -r port proto addr; do
    [ -n "$port" ] || continue
    [ "$proto" = tcp ] && [ "$port" = "$SSH_PORT" ] && continue
    d=
    if [ "$addr" != - ]; then case $addr in *:*) d="-d $addr/128 " ;; *) d="-d $addr/32 " ;; esac; fi
    printf -- '%s-p %s -m %s --dport %s -m comment --comment "%s port %s/%s" -j DROP\\n' "$d" "$proto" "$proto" "$port" "$C" "$proto" "$port"
  done
}

# The rules on stdin, then the state marker: a digest of those rules, as renderLayout makes it.
with_marker() {
  wm_rules=$(cat)
  wm_digest=$(printf '%s' "$wm_rules" | sha256sum)
  [ -n "$wm_rules" ] && printf '%s\\n' "$wm_rules"
  printf -- '-m comment --comment "%s state=%.12s"\\n' "$C" "$wm_digest"
}

# SAVED CHAIN WANTED: the restore lines that make the chain WANTED in a table as iptables-save
# printed it (nothing when it already is), deleting its marker as read first: the compare-and-swap
# that refuses the change if the chain moved meanwhile.
chain_lines() {
  cl_have=$(printf '%s\\n' "$1" | sed -n "s/^-A $2 //p")
  [ "$3" = "$cl_have" ] && return 0
  cl_marker=$(printf '%s\\n' "$cl_have" | grep -F -- "--comment \\"$C state=" | tail -n 1)
  [ -n "$cl_marker" ] && printf -- '-D %s %s\\n' "$2" "$cl_marker"
  echo ":$2 - [0:0]"
  printf '%s\\n' "$3" | sed "s/^/-A $2 /"
}

# SAVED CHAIN: whether a table as iptables-save printed it has the chain. A pattern of the shell, not
# grep: it is asked eight times a change, and each process costs milliseconds while Docker starts a
# container beside it.
has() {
  case $1 in *"
:$2 "*) return 0 ;; esac
  return 1
}

locked() {
  if [ $BACKEND = nft ]; then
    for lk_fam in ip ip6; do nft list chain $lk_fam "$TABLE" "$INPUT" >/dev/null 2>&1 && return 0; done
    return 1
  fi
  for lk_bin in "$BIN4" "$BIN6"; do has "$("$lk_bin-save" -t filter 2>/dev/null)" "$INPUT" && return 0; done; return 1
}

# FAMILY (4 or 6): nft's name for it.
nft_family() { if [ "$1" = 4 ]; then echo ip; else echo ip6; fi; }

# FAMILY (ip or ip6): rules as renderLayout writes them (iptables-save's words) on stdin, in nft's
# words as nftRule.ts says them, for the rules of these two chains.
to_nft() {
  sed -E \\
    -e 's/^-i ([A-Za-z0-9_.-]+) -m comment --comment ("[^"]*") -j RETURN$/iifname "\\1" counter return comment \\2/' \\
    -e 's/^-o ([A-Za-z0-9_.-]+) -m comment --comment ("[^"]*") -j DROP$/oifname "\\1" counter drop comment \\2/' \\
    -e 's/^-d ([0-9a-fA-F.:]+)\\/[0-9]+ -p ([a-z]+) -m [a-z]+ --dport ([0-9]+) -m comment --comment ("[^"]*") -j DROP$/'"$1"' daddr \\1 \\2 dport \\3 counter drop comment \\4/' \\
    -e 's/^-p ([a-z]+) -m [a-z]+ --dport ([0-9]+) -m comment --comment ("[^"]*") -j DROP$/\\1 dport \\2 counter drop comment \\3/' \\
    -e 's/^-m comment --comment ("[^"]*")$/counter comment \\1/'
}

# FAMILY CHAIN WANTED: the nft lines that make our chain WANTED (nothing when its state marker
# already names the same digest, or the chain is not there), deleting its marker by the handle
# read first: the compare-and-swap that refuses the change if the chain moved meanwhile.
nft_chain_lines() {
  ncl_list=$(nft -a list chain $1 "$TABLE" "$2" 2>/dev/null) || return 0
  ncl_marker=$(printf '%s\\n' "$ncl_list" | grep -F "comment \\"$C state=" | tail -n 1)
  ncl_want=$(printf '%s\\n' "$3" | tail -n 1)
  ncl_want=\${ncl_want#*state=}
  ncl_want=\${ncl_want%\\"}
  case $ncl_marker in *"state=$ncl_want\\""*) return 0 ;; esac
  ncl_handle=$(printf '%s\\n' "$ncl_marker" | sed -n 's/.*# handle \\([0-9]*\\)$/\\1/p')
  [ -n "$ncl_handle" ] && echo "delete rule $1 $TABLE $2 handle $ncl_handle"
  echo "flush chain $1 $TABLE $2"
  printf '%s\\n' "$3" | to_nft $1 | sed "s/^/add rule $1 $TABLE $2 /"
}

# Both chains of one family (4 or 6) of our nftables tables, in one nft batch (tried again on a
# conflict); with ONLY = bridges, the chain of bridges alone.
nft_apply_family() { # FAMILY BRIDGES ALL NET [ONLY]
  nf_fam=$(nft_family $1) nf_ports= nf_only=\${5:-}
  for _ in 1 2 3; do
    nft list chain $nf_fam "$TABLE" "$INPUT" >/dev/null 2>&1 || return 0
    [ "$nf_only" = bridges ] || [ -n "$nf_ports" ] || nf_ports=$(render_ports "$2" $1 "$3" | with_marker)
    nf_batch=$(
      [ "$nf_only" = bridges ] || nft_chain_lines $nf_fam "$PORTS" "$nf_ports"
      nft list chain $nf_fam "$TABLE" "$FORWARD" >/dev/null 2>&1 && nft_chain_lines $nf_fam "$NET" "$4"
    )
    [ -z "$nf_batch" ] && return 0
    printf '%s\n' "$nf_batch" | nft -f - && return 0
  done
}

# Both chains of every family brought up to date from W_BRIDGES and W_PUBLISHED (what was last read
# of Docker) and the host's sockets, each family read with iptables-save and changed in one
# iptables-restore (tried again on a conflict with a change made meanwhile). With ONLY = bridges,
# the chains of bridges alone (a network created: see network_created).
apply_all() { # [ONLY]
  rf_only=\${1:-}
  rf_all=$(printf '%s\\n%s\\n' "$W_PUBLISHED" "$W_SOCKETS")
  rf_now=$(date +%s)
  # The ports of containers created and not yet started (see container_created).
  rf_planned=$(planned_in_force "$rf_now")
  [ -n "$rf_planned" ] && rf_all=$(printf '%s\\n%s\\n' "$rf_all" "$rf_planned")
  # The host ports in force, when a new socket set off this apply (see socket_appeared).
  [ -n "$W_ALSO" ] && rf_all=$(printf '%s\\n%s\\n' "$rf_all" "$W_ALSO")
  # Right after Docker (re)starts or a container goes, the ports in force before are kept too (see keep_ports).
  rf_bridges=$W_BRIDGES
  if [ "$rf_now" -lt "$(kept_until)" ]; then
    rf_all=$(printf '%s\\n%s\\n' "$rf_all" "$(sed -n 's/^port //p' "$KEEPFILE" 2>/dev/null)")
    rf_bridges=$(printf '%s\\n%s\\n' "$W_BRIDGES" "$(sed -n 's/^bridge //p' "$KEEPFILE" 2>/dev/null)" | grep -v '^$' | sort -u)
  fi
  rf_net=$(render_bridges "$rf_bridges" | with_marker)
  # IPv6 first: a new [::] port is served by docker-proxy through INPUT (Docker 20.10 does not NAT
  # IPv6), where only this chain stops it; a new IPv4 port is behind the bridges' rules already.
  # The bridges alone: IPv4 first, the path Docker's DNAT opens into a new bridge.
  rf_families='6 4'
  [ "$rf_only" = bridges ] && rf_families='4 6'
  if [ $BACKEND = nft ]; then
    for rf_family in $rf_families; do nft_apply_family $rf_family "$rf_bridges" "$rf_all" "$rf_net" "$rf_only"; done
    return 0
  fi
  for rf_family in $rf_families; do
    if [ $rf_family = 4 ]; then rf_bin=$BIN4; else rf_bin=$BIN6; fi
    rf_portchain=
    for _ in 1 2 3; do
      rf_fsave=$("$rf_bin-save" -t filter 2>/dev/null)
      has "$rf_fsave" "$INPUT" || break
      [ "$rf_only" = bridges ] || [ -n "$rf_portchain" ] || rf_portchain=$(render_ports "$rf_bridges" $rf_family "$rf_all" | with_marker)
      rf_ssave=$("$rf_bin-save" -t security 2>/dev/null)
      rf_filter=$(
        [ "$rf_only" != bridges ] && has "$rf_fsave" "$PORTS" && chain_lines "$rf_fsave" "$PORTS" "$rf_portchain"
        has "$rf_fsave" "$FORWARD" && has "$rf_fsave" "$NET" && chain_lines "$rf_fsave" "$NET" "$rf_net"
      )
      rf_security=$(has "$rf_ssave" "$NET" && chain_lines "$rf_ssave" "$NET" "$rf_net")
      [ -z "$rf_filter$rf_security" ] && break
      {
        [ -n "$rf_filter" ] && printf '*filter\\n%s\\nCOMMIT\\n' "$rf_filter"
        [ -n "$rf_security" ] && printf '*security\\n%s\\nCOMMIT\\n' "$rf_security"
      } | "$rf_bin-restore" -w 10 --noflush && break
    done
  done
}

# Docker starts its containers one by one after it (re)starts, and each one's docker-proxy binds
# before the watcher can hear of it: a refresh then would drop the rules of ports about to be served
# again and leave them open for a moment (measured after a dockerd crash). So for KEEP_SECONDS after
# the watcher (re)connects to Docker, the host ports and bridges in force are kept beside what Docker
# lists; a refresh after that window makes the chains exact again.
# The same holds, for a shorter while, after a container stops or is removed: recreated at once
# (docker compose up, docker rm and run), it publishes the same port again, and its docker-proxy
# binds before its start event arrives (measured: the blocked port answered over IPv6 after a
# recreate). Keeping the port in force meanwhile leaves nothing open.
KEEP_SECONDS=${WATCH_KEEP_SECONDS}
GONE_KEEP_SECONDS=${WATCH_GONE_KEEP_SECONDS}
CREATED_KEEP_SECONDS=${WATCH_CREATED_KEEP_SECONDS}
# SECONDS: how long what is in force now is kept (a window already running is never shortened),
# written to KEEPFILE with the ports and bridges in force: the refreshes forked in the background
# read it there, so a window opened after they were forked holds for them too.
keep_ports() {
  kp_ports=$(ports_in_force)
  if [ $BACKEND = nft ]; then
    kp_bridges=$(nft list chain ip "$TABLE" "$NET" 2>/dev/null | sed -E -n 's/^[[:space:]]*oifname "([A-Za-z0-9_.-]+)" counter .* drop( comment .*)?$/\\1/p')
  else
    # And the bridges: a restarting dockerd may list its networks before their bridges are all back.
    kp_bridges=$("$BIN4-save" -t filter 2>/dev/null | sed -n "s/^-A $NET -o \\([A-Za-z0-9_.-]*\\) -m comment .*-j DROP$/\\1/p")
  fi
  kp_until=$(($(date +%s) + $1))
  kp_was=$(kept_until)
  [ "$kp_until" -gt "$kp_was" ] || kp_until=$kp_was
  {
    echo "$kp_until"
    [ -n "$kp_ports" ] && printf '%s\\n' "$kp_ports" | sed 's/^/port /'
    [ -n "$kp_bridges" ] && printf '%s\\n' "$kp_bridges" | sed 's/^/bridge /'
  } >"$KEEPFILE.new" && mv -f "$KEEPFILE.new" "$KEEPFILE"
  return 0
}

# "FAMILY PORT PROTO ADDRESS" (ADDRESS - for any) of the host ports our chains drop now.
ports_in_force() {
  for pi_fam in 4 6; do
    if [ $BACKEND = nft ]; then
      nft list chain "$(nft_family $pi_fam)" "$TABLE" "$PORTS" 2>/dev/null |
        sed -E -n 's/^[[:space:]]*(ip6? daddr ([0-9a-fA-F.:]+) )?(tcp|udp) dport ([0-9]+) counter .* drop( comment .*)?$/'"$pi_fam"' \\4 \\3 \\2/p'
    else
      if [ $pi_fam = 4 ]; then pi_bin=$BIN4; else pi_bin=$BIN6; fi
      "$pi_bin-save" -t filter 2>/dev/null |
        sed -n "s/^-A $PORTS \\(-d \\([0-9a-fA-F.:]*\\)\\/[0-9]* \\)\\{0,1\\}-p \\([a-z]*\\) -m [a-z]* --dport \\([0-9]*\\) .*-j DROP$/$pi_fam \\4 \\3 \\2/p"
    fi
  done | sed 's/ $/ -/'
}

# The end of the window in force, in seconds since the epoch (0: none).
kept_until() {
  ku=
  [ -r "$KEEPFILE" ] && read -r ku <"$KEEPFILE"
  case $ku in '' | *[!0-9]*) echo 0 ;; *) echo "$ku" ;; esac
}

read_bridges() { W_BRIDGES=$(bridges); }
# Where Docker keeps its containers' files (planned reads them).
read_root() {
  ROOT=$(docker info -f '{{.DockerRootDir}}' 2>/dev/null)
  case $ROOT in /*) ;; *) ROOT= ;; esac
}
read_published() { W_PUBLISHED=$(published); }
read_sockets() { W_SOCKETS=$(sockets); }

refresh() { read_bridges && read_published && read_sockets && apply_all; }

# FUNCTION ARGS...: runs it holding LOCKFILE (flock, where the host has it). The events' handlers and
# the refreshes forked in the background each read Docker and then apply: one that read Docker before
# a container started must not apply that older view after a handler applied the newer one. Never
# nested: each caller below is one read-and-apply.
serial() {
  if command -v flock >/dev/null 2>&1 && { : >>"$LOCKFILE"; } 2>/dev/null; then
    { flock -w 30 9; "$@"; } 9>>"$LOCKFILE"
  else
    "$@"
  fi
}

start_over() { keep_ports $KEEP_SECONDS && refresh; }

# A host-network container binds its ports whenever its program gets there (a JVM after half a
# minute), a rootless Docker's port driver may too, and no Docker event says so (measured: a
# host-network port bound 8 s after its start stayed open, as the refreshes after a start come at 1
# and 5 s). So the listening sockets are looked at every POLL_SECONDS, with ss without -p (no walk
# through every process), and when one appeared everything is read again and applied, keeping the
# host ports in force: a poll only adds (a service restarting in a host-network container, its port
# closed for a moment, stays covered; the events' refreshes drop what went). It ends with the
# watcher ($$, the script itself, even in this background subshell).
POLL_SECONDS=${WATCH_POLL_SECONDS}
W_ALSO=
nl='
'
# SS-OUTPUT: its sockets as "NETID ADDRESS:PORT" lines, in PO_SEEN; ss's queue columns change with
# traffic and are left out. The shell's own loop: no process but ss itself, once a second.
seen() {
  PO_SEEN=
  while read -r se_net _ _ _ se_local _; do PO_SEEN="$PO_SEEN$nl$se_net $se_local"; done <<EOF_SS
$1
EOF_SS
}
# OLD NEW: whether NEW has a line that OLD has not.
appeared() {
  while IFS= read -r ap_line; do
    [ -n "$ap_line" ] || continue
    case "$1$nl" in *"$nl$ap_line$nl"*) ;; *) return 0 ;; esac
  done <<EOF_NEW
$2
EOF_NEW
  return 1
}
socket_appeared() { W_ALSO=$(ports_in_force) && refresh; }
poll_sockets() {
  seen "$(ss -Hlntu 2>/dev/null)"
  po_last=$PO_SEEN
  while sleep $POLL_SECONDS && kill -0 $$ 2>/dev/null; do
    seen "$(ss -Hlntu 2>/dev/null)"
    appeared "$po_last" "$PO_SEEN" && serial socket_appeared
    po_last=$PO_SEEN
  done
}
network_changed() { read_bridges && apply_all; }
# A network created: its bridge covered as fast as the shell can, as the container that uses it is
# usually created right after it and its event waits for this one (measured with Docker 20.10: the
# new container's [::] port answered for a second while this handler read every network and wrote
# all four chains). Only the new network is read (one docker call, not a listing and an inspect of
# every network) and only the chains of bridges are written; the chains of host ports learn of the
# bridge (the traffic from its containers) at the next change or the refresh that follows. Not a
# bridge network: nothing to cover. With no bridges read yet (a host always has docker0),
# everything is read, so a partial list never replaces the chain.
network_created() {
  [ -n "$W_BRIDGES" ] || { network_changed; return; }
  nc_line=$(docker network inspect -f '{{.Id}} {{.Driver}} {{index .Options "com.docker.network.bridge.name"}}' "$1" 2>/dev/null) || { network_changed; return; }
  nc_bridge=$(printf '%s\\n' "$nc_line" | bridge_names)
  [ -n "$nc_bridge" ] || return 0
  case "$(printf '\\n%s\\n.' "$W_BRIDGES")" in *"
$nc_bridge
"*) return 0 ;; esac
  W_BRIDGES=$(printf '%s\\n%s\\n' "$W_BRIDGES" "$nc_bridge" | sort -u)
  apply_all bridges
}
# Only the new container's ports are read first (the sockets as last read): the fastest way to cover what it publishes.
container_started() {
  case $1 in *[!0-9a-f]* | '') read_published ;; *) W_PUBLISHED=$(printf '%s\\n%s' "$W_PUBLISHED" "$(published "$1")") ;; esac
  apply_all
}
# A container created: the ports it will publish are covered before it starts (its network's event,
# if the network is new, came and was handled before this one). They are written to PLANFILE too,
# for CREATED_KEEP_SECONDS: a refresh reads only running containers, and one that runs before this
# container starts (the one forked 2 s after a new network, say) would otherwise drop them again
# (measured: started 3 s after its create, the port answered over IPv6 for 0.4 s). Written after the
# apply, which has them already: the start races this handler, and every process counts.
container_created() {
  cc_ports=$(planned "$1")
  W_PUBLISHED=$(printf '%s\\n%s' "$W_PUBLISHED" "$cc_ports")
  apply_all
  [ -z "$cc_ports" ] || plan "$cc_ports"
}

# PORTS ("FAMILY PORT PROTO ADDRESS" lines): added to PLANFILE until CREATED_KEEP_SECONDS from now,
# beside the lines still in force there.
plan() {
  pn_now=$(date +%s)
  {
    planned_in_force "$pn_now" with-end
    printf '%s\\n' "$1" | sed "s/^/$((pn_now + CREATED_KEEP_SECONDS)) /"
  } >"$PLANFILE.new" && mv -f "$PLANFILE.new" "$PLANFILE"
  return 0
}

# NOW [with-end]: the lines of PLANFILE whose end is after NOW, without the end (or with it).
planned_in_force() {
  [ -r "$PLANFILE" ] || return 0
  while read -r pf_end pf_fam pf_port pf_proto pf_addr; do
    # plan() writes only what binding_lines let through; a line of any other shape is skipped.
    case $pf_end in '' | *[!0-9]*) continue ;; esac
    case $pf_fam in 4 | 6) ;; *) continue ;; esac
    case $pf_port in '' | *[!0-9]*) continue ;; esac
    case $pf_proto in tcp | udp) ;; *) continue ;; esac
    case $pf_addr in -) ;; '' | *[!0-9a-fA-F.:]*) continue ;; esac
    [ "$pf_end" -gt "$1" ] || continue
    [ "\${2:-}" = with-end ] && printf '%s ' "$pf_end"
    printf '%s %s %s %s\\n' "$pf_fam" "$pf_port" "$pf_proto" "$pf_addr"
  done <"$PLANFILE"
  return 0
}
container_gone() { keep_ports $GONE_KEEP_SECONDS && read_published && read_sockets && apply_all; }

watch() {
  echo $$ >"$PIDFILE"
  poll_sockets &
  while locked; do
    # Asked again after Docker restarts.
    read_root
    # Events from the second before the refresh on: none that happens during it is lost.
    since=$(date +%s)
    serial start_over
    # The window over: exact again (in the background, as the events are followed meanwhile); only
    # once Docker answered, not at every try while it is down.
    [ -n "$W_BRIDGES" ] && (sleep $((KEEP_SECONDS + 1)); serial refresh) &
    docker events --since "$since" --format '{{.Type}} {{.Action}} {{.Actor.ID}}' --filter type=network --filter type=container 2>/dev/null | while read -r type action id; do
      case "$type $action" in
        'network create')
          case $id in *[!0-9a-f]* | '') serial network_changed ;; *) serial network_created "$id" ;; esac
          # Every chain exact a moment later, should no container follow.
          (sleep 2; serial refresh) &
          ;;
        'network destroy') serial network_changed ;;
        'container create')
          case $id in *[!0-9a-f]* | '') ;; *) serial container_created "$id" ;; esac
          # Exact again once its ports are no longer kept: a container never started keeps no rule of its own.
          (sleep $((CREATED_KEEP_SECONDS + 1)); serial refresh) &
          ;;
        'container start')
          serial container_started "$id"
          # Then everything again, and once more later: a host-network container binds its ports a moment after it starts.
          (sleep 1; serial refresh; sleep 4; serial refresh) &
          ;;
        'container die' | 'container destroy')
          serial container_gone
          (sleep $((GONE_KEEP_SECONDS + 1)); serial refresh) &
          ;;
      esac
      locked || exit 0
    done
    # Docker's event stream ended (dockerd stopped or restarted): follow it again shortly.
    sleep 1
  done
  rm -f "$PIDFILE"
}

case \${1:-watch} in
  watch) watch ;;
  refresh) serial refresh ;;
  render)
    case \${2:-} in
      bridges) render_bridges "$(bridges)" | with_marker ;;
      ports) render_ports "$(bridges)" "\${3:-4}" "$(published && sockets)" | with_marker ;;
      *) echo "usage: $0 render bridges|ports 4|6" >&2; exit 2 ;;
    esac
    ;;
  planned)
    case \${2:-} in '' | *[!0-9a-f]*) echo "usage: $0 planned CONTAINER-ID" >&2; exit 2 ;; esac
    read_root
    planned "$2"
    ;;
  *) echo "usage: $0 [watch|refresh|render|planned]" >&2; exit 2 ;;
esac
`;
}

export function watcherUnit(): string {
  return `[Unit]
Description=Docker Firewall: keeps the lockdown in step with Docker's networks and published ports
Documentation=https://github.com/docker-firewall/docker-firewall
After=docker.service

[Service]
ExecStart=${WATCH_SCRIPT}
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
`;
}
