# A rootless Docker daemon on h1, beside its root dockerd (issue 12): user `rootless`, Debian's
# rootlesskit with slirp4netns and the builtin port driver, started by docker.io's own
# dockerd-rootless.sh (bookworm's dockerd 20.10 whatever h1's flavor). It has the lab's images and
# no container at rest: a test publishes its own port and removes it, so the rest of the lab sees
# no rootless socket. Its published ports are sockets of rootlesskit on the host (INPUT path).
#
# What it needs here, beyond the packages: /dev/net/tun is 0600 on this machine (no udev), and
# rootlesskit, as the user, fails with "open: Permission denied" setting up tap0. Real hosts have
# it 0666; the host's mount namespace gets such a node (made in the host's folder) over
# /dev/net/tun, so the machine's own node is untouched.

ROOTLESS_USER=rootless
ROOTLESS_HOSTS=(h1)

has_rootless() {
  local host=$1 h
  for h in "${ROOTLESS_HOSTS[@]}"; do [[ $h == "$host" ]] && return 0; done
  return 1
}

rootless_uid() { id -u "$ROOTLESS_USER"; }
rootless_runtime_dir() { printf '/run/user/%s' "$(rootless_uid)"; }
rootless_socket() { printf '%s/docker.sock' "$(rootless_runtime_dir)"; }

# The user (shared by every lab, like deploy) with a subordinate id range for its user namespace.
ensure_rootless_user() {
  if ! id -u "$ROOTLESS_USER" >/dev/null 2>&1; then
    say "creating user $ROOTLESS_USER (rootless Docker)"
    useradd --create-home --shell /bin/bash "$ROOTLESS_USER"
  fi
  # useradd gives one when /etc/subuid exists; make one after the highest range otherwise.
  local file next
  for file in /etc/subuid /etc/subgid; do
    grep -q "^$ROOTLESS_USER:" "$file" 2>/dev/null && continue
    next=$(awk -F: 'BEGIN { n = 100000 } $2 + $3 > n { n = $2 + $3 } END { print n }' "$file" 2>/dev/null || echo 100000)
    printf '%s:%s:65536\n' "$ROOTLESS_USER" "$next" >>"$file"
  done
}

# rootless_docker HOST ARGS...: the docker CLI, as root on the host, talking to the rootless daemon.
rootless_docker() {
  local host=$1
  shift
  host_exec "$host" env DOCKER_HOST="unix://$(rootless_socket)" /usr/bin/docker "$@"
}

rootless_pings() {
  host_exec "$1" curl -sf --max-time 2 --unix-socket "$(rootless_socket)" http://localhost/_ping
}

# A 0666 tun device over /dev/net/tun in the host's mount namespace (see the top of this file).
ensure_user_tun() {
  local host=$1 dir holder
  dir=$(host_dir "$host")
  holder=$(live_pid "$dir/holder.pid") || die "$host: namespace holder is not running"
  awk '$5 == "/dev/net/tun" { found = 1 } END { exit !found }' "/proc/$holder/mountinfo" && return 0
  [[ -c /dev/net/tun ]] || die "$host: this machine has no /dev/net/tun: rootless Docker's slirp4netns needs one"
  rm -f "$dir/tun"
  mknod -m 0666 "$dir/tun" c 10 200
  nsenter --target "$holder" --mount -- mount --bind "$dir/tun" /dev/net/tun
}

# Starts it unless it runs, without waiting: it comes up while the root dockerd's containers do.
start_rootless_dockerd() {
  local host=$1 dir holder uid runtime
  dir=$(host_dir "$host")
  live_pid "$dir/rootless.pid" >/dev/null && return 0
  holder=$(live_pid "$dir/holder.pid") || die "$host: namespace holder is not running"
  ensure_user_tun "$host"
  uid=$(rootless_uid)
  runtime=$(rootless_runtime_dir)
  # Its runtime folder is in the host's private /run, as pam_systemd would make it.
  install -d -m 0700 -o "$ROOTLESS_USER" -g "$ROOTLESS_USER" "$dir/run/user" "$dir/run/user/$uid"
  chmod 0755 "$dir/run/user"
  install -d -m 0700 -o "$ROOTLESS_USER" -g "$ROOTLESS_USER" "$dir/rootless" "$dir/rootless/home" "$dir/rootless/data"
  say "$host: starting a rootless dockerd for user $ROOTLESS_USER (rootlesskit, slirp4netns, builtin port driver)"
  # The pid file (written as root, before dropping to the user) names the process that becomes
  # rootlesskit's parent: SIGTERM to it stops dockerd, containerd and the containers.
  # shellcheck disable=SC2016 # $1.. expand in the inner shell
  setsid nsenter --target "$holder" --mount --uts --net -- sh -c 'echo $$ >"$1" && shift && exec "$@"' rootless \
    "$dir/rootless.pid" \
    setpriv --reuid "$ROOTLESS_USER" --regid "$ROOTLESS_USER" --init-groups \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$dir/rootless/home" USER="$ROOTLESS_USER" \
    XDG_RUNTIME_DIR="$runtime" \
    DOCKERD_ROOTLESS_ROOTLESSKIT_NET=slirp4netns DOCKERD_ROOTLESS_ROOTLESSKIT_MTU=65520 \
    DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=builtin \
    sh /usr/share/docker.io/contrib/dockerd-rootless.sh \
    --data-root "$dir/rootless/data" --storage-driver vfs --pidfile "$runtime/docker.pid" \
    </dev/null >>"$dir/logs/rootless-dockerd.log" 2>&1 &
}

# Waits for it to answer and gives it the lab's busybox image.
ensure_rootless_dockerd() {
  local host=$1 dir
  dir=$(host_dir "$host")
  wait_until 10 "rootless dockerd on $host to start" live_pid "$dir/rootless.pid" ||
    die "$host: the rootless dockerd is not running (see $dir/logs/rootless-dockerd.log)"
  wait_until 60 "rootless dockerd on $host" rootless_pings "$host" ||
    die "$host: the rootless dockerd did not answer (see $dir/logs/rootless-dockerd.log)"
  rootless_docker "$host" image inspect "$IMAGE_BUSYBOX" >/dev/null 2>&1 && return 0
  say "$host: importing image $IMAGE_BUSYBOX into the rootless dockerd"
  rootless_docker "$host" import - "$IMAGE_BUSYBOX" <"$LAB_DIR/images/busybox.tar" >/dev/null
}

# SIGTERM to rootlesskit stops dockerd, containerd and the containers.
stop_rootless_dockerd() {
  stop_daemon "$1" rootless.pid rootlesskit
}
