# Names, paths, logging and small helpers shared by every lab command.
# shellcheck disable=SC2034 # constants used by the other lib files

LAB_NAME=${LAB_NAME:-dfw}
# No dash: namespace names are "<lab>-<role>", and "dfw" must never match another lab's "dfw-x-h1".
if [[ ! $LAB_NAME =~ ^[a-z][a-z0-9]{0,11}$ ]]; then
  echo "LAB_NAME must match ^[a-z][a-z0-9]{0,11}\$, got '$LAB_NAME'" >&2
  exit 2
fi

LABS_DIR=$REPO_ROOT/.lab
LAB_DIR=$LABS_DIR/$LAB_NAME
TOOLS_DIR=$REPO_ROOT/.tools
LAB_STARTED=$EPOCHREALTIME

# Addresses (documentation ranges only; see lab/README.md).
LAN_PREFIX4=192.0.2
LAN_PREFIX6=2001:db8:1:
OUT_ADDR_SUFFIX=100
OUT2_ADDR_SUFFIX=101

say() {
  local elapsed
  elapsed=$(awk -v a="$LAB_STARTED" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  printf '[%s +%ss] %s\n' "$LAB_NAME" "$elapsed" "$*"
}

die() {
  printf '[%s] error: %s\n' "$LAB_NAME" "$*" >&2
  exit 1
}

require_root() {
  [[ $EUID -eq 0 ]] || die "run as root (the lab makes namespaces, users and daemons)"
}

# One lab command at a time in this repository (two `up`s racing would start daemons twice).
# The command re-runs itself under flock -o, so the daemons it starts do not inherit the
# lock and hold it forever.
with_lab_lock() {
  [[ -n ${LAB_LOCK_HELD:-} ]] && return 0
  mkdir -p "$LABS_DIR"
  export LAB_LOCK_HELD=1
  local rc=0
  flock -n -E 75 -o "$LABS_DIR" bash "$LAB_SRC/lab.sh" "$@" || rc=$?
  if ((rc == 75)); then
    say "waiting for another lab command in this repository to finish"
    rc=0
    flock -w 600 -E 75 -o "$LABS_DIR" bash "$LAB_SRC/lab.sh" "$@" || rc=$?
    ((rc != 75)) || die "another lab command held the lock for 10 minutes"
  fi
  exit "$rc"
}

ns_of() { printf '%s-%s' "$LAB_NAME" "$1"; }
ns_exists() { [[ -e /run/netns/$1 ]]; }

host_dir() { printf '%s/hosts/%s' "$LAB_DIR" "$1"; }
host_index() { printf '%s' "${1#h}"; }
host_ipv4() { printf '%s.%s' "$LAN_PREFIX4" "$(host_index "$1")"; }
host_ipv6() { printf '%s:%s' "$LAN_PREFIX6" "$(host_index "$1")"; }

# A zombie has ended (only its parent's wait is missing), so it does not count as running.
pid_running() {
  local state
  state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# Reads a pid file; prints the pid only if that process is running.
live_pid() {
  local file=$1 pid
  [[ -r $file ]] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [[ -n $pid ]] && pid_running "$pid" || return 1
  printf '%s' "$pid"
}

# Microseconds since the epoch, in bash's 64-bit integers (awk's %d stops at 2^31).
now_us() {
  local t=$EPOCHREALTIME
  printf '%s' "${t//[.,]/}"
}

# Like live_pid, and only if the process belongs to the lab folder DIR: it sees DIR in its
# mount table (every host process does, through the host's /run), so a recycled PID in a
# stale pid file is never signalled.
owned_pid() {
  local file=$1 dir=$2 pid
  pid=$(live_pid "$file") || return 1
  grep -qF "$(fs_path "$dir")/" "/proc/$pid/mountinfo" 2>/dev/null || return 1
  printf '%s' "$pid"
}

# DIR as /proc/PID/mountinfo shows the source of a bind mount of it: its path inside its
# filesystem (the same as DIR when the repository lives on the root filesystem).
fs_path() {
  local dir=$1 target fsroot
  read -r target fsroot < <(findmnt -n -o TARGET,FSROOT --target "$dir")
  local rest=${dir#"$target"}
  fsroot=${fsroot%/}
  printf '%s/%s' "$fsroot" "${rest#/}" | sed 's://*:/:g; s:/$::'
}

# wait_until SECONDS WHAT CMD...: polls CMD every 0.1 s; fails with WHAT after SECONDS.
wait_until() {
  local limit=$1 what=$2
  shift 2
  local deadline=$(($(now_us) + limit * 1000000))
  until "$@" >/dev/null 2>&1; do
    if (($(now_us) > deadline)); then
      echo "timed out after ${limit}s waiting for $what" >&2
      return 1
    fi
    sleep 0.1
  done
}

# Writes stdin to FILE only when the content differs, so a repeated `up` changes nothing.
write_if_changed() {
  local file=$1 mode=${2:-0644} tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp"
  if [[ -f $file ]] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
  else
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$file"
  fi
}

# Runs CMD inside host HOST's network, mount (private /run) and UTS namespaces.
host_exec() {
  local host=$1 pid
  shift
  pid=$(live_pid "$(host_dir "$host")/holder.pid") || die "$host: namespace holder is not running"
  nsenter --target "$pid" --mount --uts --net -- env PATH="$(host_path "$host")" "$@"
}

# A host's Docker, as the --docker item that made it: "20", "28", "29", "29-nft", each optionally
# with "+legacy" (docker-flavor in its folder; a host made before flavors has docker-major only).
host_flavor() {
  local dir
  dir=$(host_dir "$1")
  cat "$dir/docker-flavor" 2>/dev/null || cat "$dir/docker-major" 2>/dev/null || echo 20
}

# Parts of a flavor: its Docker major, its firewall backend, and the iptables variant asked for.
flavor_major() { printf '%s' "${1%%[-+]*}"; }
flavor_backend() { if [[ $1 == *-nft* ]]; then printf nftables; else printf iptables; fi; }
flavor_iptables() { if [[ $1 == *+legacy ]]; then printf legacy; else printf nft; fi; }

# PATH used on a host: its Docker version's binaries first.
host_path() {
  local major
  major=$(cat "$(host_dir "$1")/docker-major" 2>/dev/null || echo 20)
  if [[ $major == 28 ]]; then
    printf '%s/usr/sbin:%s/usr/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$DOCKER28_ROOT" "$DOCKER28_ROOT"
  elif [[ $major == 29 ]]; then
    # dockerd and docker-proxy 29; containerd, the docker CLI and tini of the Docker 28 cache.
    printf '%s:%s/usr/sbin:%s/usr/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$DOCKER29_BIN" "$DOCKER28_ROOT" "$DOCKER28_ROOT"
  else
    printf '/usr/sbin:/usr/bin:/sbin:/bin'
  fi
}

# docker CLI on a host, talking to that host's own dockerd through its private /run.
host_docker() {
  local host=$1
  shift
  host_exec "$host" docker "$@"
}
