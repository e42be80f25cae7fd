#!/usr/bin/env bash
# Test lab: Docker hosts in network namespaces on this machine (see lab/README.md).
#   bash lab/lab.sh up [--hosts N] [--docker 20,28,29,29-nft,28+legacy] [--extra-containers N]
#   bash lab/lab.sh down | status | restart-docker HOST | stop-docker HOST | kill-docker HOST | start-docker HOST
# LAB_NAME (default dfw) names the lab; its state lives in .lab/$LAB_NAME/.
set -Eeuo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$LAB_SRC/.." && pwd)

for lib in common packages users network docker28 docker29 images host rootless containers ssh state up down status; do
  # shellcheck source=/dev/null
  source "$LAB_SRC/lib/$lib.sh"
done

usage() {
  cat <<USAGE
usage: bash lab/lab.sh COMMAND [OPTIONS]      (env LAB_NAME=$LAB_NAME)

  up [--hosts N] [--docker V1,V2,...] [--extra-containers N]
        Build the lab or bring it to the asked shape; quick when it already is.
        --hosts N              Docker hosts h1..hN (default: as many as --docker lists)
        --docker LIST          Docker per host, the last one repeating (default 20):
                                 20      Debian bookworm's 20.10
                                 28      Debian sid's 28.x
                                 29      Docker 29 (.tools/docker29), iptables backend
                                 29-nft  Docker 29 with "firewall-backend": "nftables"
                               each optionally +legacy: that host's iptables is the legacy
                               variant (28+legacy). Example: --docker 20,28 = h1 20.10, h2 28.x
        --extra-containers N   N more published httpd containers on h1, ports 9000..
        Without options, an existing lab keeps the options it was made with.
  down                 Stop and remove everything the lab made (also after a crash).
  status               Print what is up.
  restart-docker HOST  Restart dockerd on HOST (h1, h2...), as a service restart would.
  stop-docker HOST     Stop dockerd on HOST (SIGTERM, as systemctl stop).
  kill-docker HOST     Crash dockerd on HOST (SIGKILL to dockerd alone).
  start-docker HOST    Start dockerd on HOST again, and the lab's containers it left stopped.
USAGE
}

trap 'echo "[$LAB_NAME] failed: $BASH_COMMAND (${BASH_SOURCE[0]#"$REPO_ROOT"/}:$LINENO)" >&2' ERR

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) require_root; with_lab_lock "$cmd" "$@"; lab_up "$@" ;;
    down) require_root; with_lab_lock "$cmd" "$@"; lab_down ;;
    status) require_root; lab_status ;;
    restart-docker) require_root; with_lab_lock "$cmd" "$@"; lab_restart_docker "$@" ;;
    stop-docker) require_root; with_lab_lock "$cmd" "$@"; lab_stop_docker "$@" ;;
    kill-docker) require_root; with_lab_lock "$cmd" "$@"; lab_kill_docker "$@" ;;
    start-docker) require_root; with_lab_lock "$cmd" "$@"; lab_start_docker "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
