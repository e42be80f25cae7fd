# `down`: stops and removes everything the lab made, also after a crashed or half-made `up`.
# Processes are found by what ties them to this lab (its namespaces, its folder in their
# mount tables, its containers' cgroups), never by name, and are signalled by PID.

lab_namespaces() {
  ip netns list | awk '{ print $1 }' | grep -E "^$LAB_NAME-(lan|out|out2|h[0-9]+)\$" || true
}

all_gone() {
  local pid
  for pid in "$@"; do pid_running "$pid" && return 1; done
  return 0
}

# kill_pids PID...: SIGTERM, up to 5 s to exit, then SIGKILL.
kill_pids() {
  (($#)) || return 0
  kill -TERM "$@" 2>/dev/null || true
  wait_until 5 "processes to exit" all_gone "$@" && return 0
  local pid left=()
  for pid in "$@"; do pid_running "$pid" && left+=("$pid"); done
  say "killing processes that ignored SIGTERM: ${left[*]}"
  kill -KILL "${left[@]}" 2>/dev/null || true
  wait_until 5 "killed processes to exit" all_gone "${left[@]}" || say "warning: still running: ${left[*]}"
}

# Cgroup folders made for a host's containers (dockerd --cgroup-parent /<lab>-<host>).
lab_cgroup_dirs() {
  local pattern=$1
  find /sys/fs/cgroup -maxdepth 2 -type d -name "$pattern" 2>/dev/null || true
}

# processes_of DIR NS_REGEX CGROUP_GLOB: running PIDs in the lab namespaces matching NS_REGEX,
# in mount namespaces that see DIR, and in the cgroups named CGROUP_GLOB.
processes_of() {
  local dir=$1 ns_regex=$2 cgroup_glob=$3 ns
  {
    for ns in $(lab_namespaces | grep -E "$ns_regex" || true); do
      ip netns pids "$ns" 2>/dev/null || true
    done
    grep -l -F "$(fs_path "$dir")/" /proc/[0-9]*/mountinfo 2>/dev/null | cut -d/ -f3 || true
    local cg
    for cg in $(lab_cgroup_dirs "$cgroup_glob"); do
      find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null || true
    done
  } | sort -un | while read -r pid; do
    if [[ $pid != "$$" && $pid != "$BASHPID" ]] && pid_running "$pid"; then echo "$pid"; fi
  done
  return 0
}

remove_cgroups() {
  local cg
  for cg in $(lab_cgroup_dirs "$1"); do
    find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || say "warning: could not remove cgroup $cg"
  done
}

# Lets dockerd (and the rootless one) stop its containers, containerd and docker-proxy the usual way first; then
# sshd and the namespace holder.
host_stop_gracefully() {
  local host=$1 dir pid
  dir=$(host_dir "$host")
  stop_rootless_dockerd "$host" &
  stop_dockerd "$host"
  wait
  local file
  for file in sshd.pid holder.pid; do
    if pid=$(owned_pid "$dir/$file" "$dir"); then kill -TERM "$pid" 2>/dev/null || true; fi
  done
}

host_down() {
  local host=$1
  host_stop_gracefully "$host"
  local pids
  mapfile -t pids < <(processes_of "$(host_dir "$host")" "^$(ns_of "$host")\$" "$LAB_NAME-$host")
  kill_pids "${pids[@]}"
  ns_exists "$(ns_of "$host")" && ip netns del "$(ns_of "$host")"
  ip -n "$(ns_of lan)" link del "$host" 2>/dev/null || true
  remove_cgroups "$LAB_NAME-$host"
}

lab_down() {
  say "down: stopping lab $LAB_NAME"
  local dir ns pids=()
  for dir in "$LAB_DIR"/hosts/h*; do
    [[ -d $dir ]] || continue
    say "${dir##*/}: stopping dockerd and sshd"
    host_stop_gracefully "${dir##*/}" &
  done
  wait
  mapfile -t pids < <(processes_of "$LAB_DIR" '.' "$LAB_NAME-h[0-9]*")
  if ((${#pids[@]})); then
    say "ending ${#pids[@]} remaining lab processes"
    kill_pids "${pids[@]}"
  fi
  for ns in $(lab_namespaces); do
    ip netns del "$ns"
  done
  remove_cgroups "$LAB_NAME-h[0-9]*"
  # .lab/ itself stays: lab commands lock it.
  rm -rf "$LAB_DIR"
  say "lab $LAB_NAME is down"
}
