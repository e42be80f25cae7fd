# One Docker host: its namespaces, sshd and dockerd.
#
# A long-lived "holder" process sits in the host's network namespace with its own mount
# and UTS namespaces, where a per-host folder is bind-mounted over /run. sshd and dockerd
# are started inside it with nsenter, so each host has its own /var/run/docker.sock. They
# are started with nsenter, never `ip netns exec`: that remounts /sys and hides the
# cgroup mounts dockerd needs.

ensure_holder() {
  local host=$1 dir ns pid legacy=0
  dir=$(host_dir "$host")
  ns=$(ns_of "$host")
  [[ $(flavor_iptables "$(host_flavor "$host")") == legacy ]] && legacy=1
  if pid=$(live_pid "$dir/holder.pid") && [[ $(readlink "/proc/$pid/ns/net") == "$(ns_inode "$ns")" ]]; then
    if ((legacy != $(holder_has_legacy_alternatives "$pid"))); then
      die "$host: its namespaces were made for another iptables variant: run 'lab.sh down' first"
    fi
    return 0
  fi
  # sshd or dockerd of a lost holder still use that /run: only `down` can sort that out.
  if live_pid "$dir/sshd.pid" >/dev/null || live_pid "$dir/dockerd.pid" >/dev/null; then
    die "$host: its namespace holder is gone but its daemons run: run 'lab.sh down' first"
  fi
  say "$host: making its namespaces (private /run, hostname $LAB_NAME-$host)"
  rm -f "$dir/holder.pid"
  rm -rf "$dir/run"
  mkdir -p "$dir/run/sshd" "$dir/run/lock" "$dir/logs"
  # What `docker-firewall persist` writes, and the history of changes, stay inside the host: each
  # host gets its own folders over these (the mount points themselves are made, empty, on this machine).
  local persist_dirs=(/etc/docker-firewall /usr/local/sbin /etc/systemd/system /var/log/docker-firewall) target
  for target in "${persist_dirs[@]}"; do
    mkdir -p "$target" "$dir/fs$target"
  done
  # The host's own name resolves on the host (sudo warns on every call otherwise).
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
    "$LAB_NAME-$host" >"$dir/hosts"
  # An iptables-legacy host: its own /etc/alternatives, as update-alternatives would leave it.
  local alternatives=-
  if ((legacy)); then
    alternatives=$dir/alternatives
    make_legacy_alternatives "$alternatives"
  fi
  # The pid file is written only once /run, /etc/hosts, the persistence folders and the hostname
  # are in place.
  # shellcheck disable=SC2016 # $1.. expand in the inner shell
  setsid nsenter --net="/run/netns/$ns" -- unshare --mount --uts --propagation private -- \
    sh -c 'mount --bind "$1" /run && mount --bind "$2" /etc/hosts && hostname "$3" && pidfile=$4 fs=$5 alt=$6 && shift 6 &&
      { [ "$alt" = - ] || mount --bind "$alt" /etc/alternatives; } &&
      for t in "$@"; do mount --bind "$fs$t" "$t" || exit 1; done && echo $$ >"$pidfile" && exec sleep infinity' \
    holder "$dir/run" "$dir/hosts" "$LAB_NAME-$host" "$dir/holder.pid" "$dir/fs" "$alternatives" "${persist_dirs[@]}" \
    </dev/null >>"$dir/logs/holder.log" 2>&1 &
  wait_until 10 "$host namespace holder" live_pid "$dir/holder.pid" || die "$host: holder did not start (see $dir/logs/holder.log)"
}

# A copy of this machine's /etc/alternatives whose iptables links point at the -legacy binaries
# (Debian's iptables package ships both variants). Bind-mounted over /etc/alternatives in the host's
# mount namespace, it switches dockerd, root's PATH and sudo's secure_path at once, as
# `update-alternatives --set iptables /usr/sbin/iptables-legacy` (and ip6tables) does on a real host.
LEGACY_LINKS=(iptables iptables-restore iptables-save ip6tables ip6tables-restore ip6tables-save)

make_legacy_alternatives() {
  local target=$1 name family rest
  rm -rf "$target"
  mkdir -p "$target"
  cp -a /etc/alternatives/. "$target/"
  for name in "${LEGACY_LINKS[@]}"; do
    family=${name%%-*} rest=${name#"$family"}
    [[ -x /usr/sbin/$family-legacy$rest ]] || die "/usr/sbin/$family-legacy$rest is missing (Debian's iptables package ships it)"
    ln -sfn "/usr/sbin/$family-legacy$rest" "$target/$name"
  done
}

# 1 when the holder PID has its own /etc/alternatives mounted (an iptables-legacy host), else 0.
holder_has_legacy_alternatives() {
  if awk '$5 == "/etc/alternatives" { found = 1 } END { exit !found }' "/proc/$1/mountinfo"; then echo 1; else echo 0; fi
}

# Identity of a named network namespace, as /proc/PID/ns/net shows it: "net:[INODE]".
ns_inode() {
  printf 'net:[%s]' "$(stat -L -c %i "/run/netns/$1")"
}

ensure_sshd() {
  local host=$1 dir
  dir=$(host_dir "$host")
  write_sshd_config "$host"
  if live_pid "$dir/sshd.pid" >/dev/null; then
    return 0
  fi
  say "$host: starting sshd on $(host_ipv4 "$host") and [$(host_ipv6 "$host")] port 22"
  # shellcheck disable=SC2094 # -E appends its log; messages before that go to the same file
  host_exec "$host" /usr/sbin/sshd -f "$dir/ssh/sshd_config" -E "$dir/logs/sshd.log" </dev/null >>"$dir/logs/sshd.log" 2>&1 ||
    die "$host: sshd did not start (see $dir/logs/sshd.log)"
  wait_until 10 "sshd on $host" host_listens "$host" tcp 22 || die "$host: sshd is not listening"
}

host_listens() {
  local host=$1 proto=$2 port=$3
  [[ -n $(ip netns exec "$(ns_of "$host")" ss -Hln --"$proto" "sport = :$port") ]]
}

dockerd_binary() {
  case $1 in
    28) printf '%s/usr/sbin/%s' "$DOCKER28_ROOT" "$2" ;;
    29) printf '%s/%s' "$DOCKER29_BIN" "$2" ;;
    *) printf '/usr/sbin/%s' "$2" ;;
  esac
}

# A host's daemon.json when it has none: Docker's defaults, but for Docker 29 no time namespaces
# (bookworm's runc 1.1 has none: every `docker run` failed without this) and, for 29-nft, Docker's
# nftables firewall backend.
daemon_json() {
  local flavor=$1
  if [[ $(flavor_major "$flavor") != 29 ]]; then
    echo '{}'
  elif [[ $(flavor_backend "$flavor") == nftables ]]; then
    printf '{\n  "features": {"time-namespaces": false},\n  "firewall-backend": "nftables"\n}\n'
  else
    printf '{\n  "features": {"time-namespaces": false}\n}\n'
  fi
}

docker_pings() {
  host_exec "$1" curl -sf --max-time 2 --unix-socket /run/docker.sock http://localhost/_ping
}

ensure_dockerd() {
  local host=$1 flavor=$2 dir
  dir=$(host_dir "$host")
  if live_pid "$dir/dockerd.pid" >/dev/null; then
    wait_until 60 "dockerd on $host" docker_pings "$host" || die "$host: dockerd runs but does not answer"
    return 0
  fi
  start_dockerd "$host" "$flavor"
}

start_dockerd() {
  local host=$1 flavor=$2 dir holder major
  major=$(flavor_major "$flavor")
  dir=$(host_dir "$host")
  holder=$(live_pid "$dir/holder.pid") || die "$host: namespace holder is not running"
  mkdir -p "$dir/docker" "$dir/logs"
  [[ -s $dir/daemon.json ]] || daemon_json "$flavor" >"$dir/daemon.json"
  say "$host: starting dockerd (Docker $flavor)"
  # Own config file so /etc/docker/daemon.json of this machine plays no part; the socket is
  # the default /var/run/docker.sock, private to the host through its /run.
  setsid nsenter --target "$holder" --mount --uts --net -- env PATH="$(host_path "$host")" \
    "$(dockerd_binary "$major" dockerd)" \
    --config-file "$dir/daemon.json" \
    --data-root "$dir/docker" \
    --exec-root /run/docker \
    --pidfile "$dir/dockerd.pid" \
    --storage-driver vfs \
    --group docker \
    --userland-proxy-path "$(dockerd_binary "$major" docker-proxy)" \
    --cgroup-parent "/$LAB_NAME-$host" \
    </dev/null >>"$dir/logs/dockerd.log" 2>&1 &
  wait_until 60 "dockerd on $host" docker_pings "$host" || die "$host: dockerd did not answer (see $dir/logs/dockerd.log)"
}

stop_dockerd() {
  stop_daemon "$1" dockerd.pid dockerd
}

# stop_daemon HOST PIDFILE NAME: SIGTERM to the host's process in PIDFILE (in its folder), as a
# service manager stops it; SIGKILL after 30 s.
stop_daemon() {
  local host=$1 file=$2 name=$3 dir pid
  dir=$(host_dir "$host")
  pid=$(owned_pid "$dir/$file" "$dir") || return 0
  kill -TERM "$pid"
  wait_until 30 "$name on $host to stop" pid_gone "$pid" || {
    say "$host: $name ignored SIGTERM for 30 s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
  }
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

docker_server_version() {
  host_docker "$1" version --format '{{.Server.Version}}'
}

host_up() {
  local host=$1 flavor=$2 extra=$3 dir
  dir=$(host_dir "$host")
  mkdir -p "$dir/logs"
  local previous=""
  [[ -e $dir/docker-major ]] && previous=$(host_flavor "$host")
  if [[ -n $previous && $previous != "$flavor" ]] && live_pid "$dir/dockerd.pid" >/dev/null; then
    die "$host runs Docker $previous, not $flavor: run 'lab.sh down' first"
  fi
  printf '%s\n' "$(flavor_major "$flavor")" | write_if_changed "$dir/docker-major"
  echo "$flavor" | write_if_changed "$dir/docker-flavor"
  ensure_host_network "$host"
  ensure_holder "$host"
  ensure_sshd "$host"
  ensure_dockerd "$host" "$flavor"
  if has_rootless "$host"; then start_rootless_dockerd "$host"; fi
  ensure_host_images "$host"
  ensure_containers "$host" "$extra"
  if has_rootless "$host"; then ensure_rootless_dockerd "$host"; fi
  say "$host ready: $(host_ipv4 "$host") $(host_ipv6 "$host"), Docker $(docker_server_version "$host")"
}

lab_restart_docker() {
  local host=${1:-}
  [[ $host =~ ^h[0-9]+$ && -d $(host_dir "$host") ]] || die "usage: lab.sh restart-docker HOST (a host of lab $LAB_NAME)"
  say "$host: stopping dockerd"
  stop_dockerd "$host"
  say "$host: starting dockerd"
  start_dockerd "$host" "$(host_flavor "$host")"
  ensure_containers "$host" "$(lab_option extra_containers 0)"
  say "$host: dockerd restarted"
}

# For reliability tests: dockerd stopped, crashed or started on its own, as a service manager
# or a crash would leave it.
lab_host_arg() {
  local cmd=$1 host=${2:-}
  [[ $host =~ ^h[0-9]+$ && -d $(host_dir "$host") ]] || die "usage: lab.sh $cmd HOST (a host of lab $LAB_NAME)"
}

lab_stop_docker() {
  lab_host_arg stop-docker "$@"
  say "$1: stopping dockerd"
  stop_dockerd "$1"
}

# SIGKILL to dockerd alone: containerd, the shims and docker-proxy are left as a crash leaves them.
lab_kill_docker() {
  lab_host_arg kill-docker "$@"
  local dir pid
  dir=$(host_dir "$1")
  pid=$(owned_pid "$dir/dockerd.pid" "$dir") || die "$1: dockerd is not running"
  say "$1: killing dockerd (pid $pid) with SIGKILL"
  kill -KILL "$pid"
  wait_until 10 "dockerd on $1 to die" pid_gone "$pid" || die "$1: dockerd survived SIGKILL"
}

lab_start_docker() {
  lab_host_arg start-docker "$@"
  live_pid "$(host_dir "$1")/dockerd.pid" >/dev/null && die "$1: dockerd is already running"
  start_dockerd "$1" "$(host_flavor "$1")"
  # After a crash Docker 20.10 kills the containers it finds and does not restart them.
  ensure_containers "$1" "$(lab_option extra_containers 0)"
}
