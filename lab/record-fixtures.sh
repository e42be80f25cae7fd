#!/usr/bin/env bash
# Re-records the parser fixtures from a running lab with a Docker 20 and a Docker 28 host
# (bash lab/lab.sh up --docker 20,28), one folder per Docker major:
#   test/fixtures/iptables/docker-NN/  iptables-save -c, ip6tables-save -c (all tables), iptables --version
#   test/fixtures/docker/docker-NN/    raw Engine API bodies: containers.json (GET /containers/json?all=1),
#                                      version.json (GET /version), info.json (GET /info)
# A little traffic goes to the published ports first so the packet counters are not all zero.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$LAB_SRC/.." && pwd)
source "$LAB_SRC/lib/common.sh"
source "$LAB_SRC/lib/docker28.sh"

require_root
STATE=$LAB_DIR/state.json
[[ -s $STATE ]] || die "lab $LAB_NAME is not up: run bash lab/lab.sh up --docker 20,28"

engine_get() {
  local host=$1 path=$2
  host_exec "$host" curl -sf --max-time 10 --unix-socket /var/run/docker.sock "http://localhost$path"
}

some_traffic() {
  local host=$1 address port
  for address in "$(host_ipv4 "$host")" "[$(host_ipv6 "$host")]"; do
    for port in 8080 8081; do
      ip netns exec "$(ns_of out)" curl -s -o /dev/null --max-time 3 "http://$address:$port/" || true
    done
  done
  echo ping | ip netns exec "$(ns_of out)" timeout 3 socat -T 2 - "UDP4:$(host_ipv4 "$host"):5353" >/dev/null || true
}

record_host() {
  local host=$1 major=$2
  local ipt=$REPO_ROOT/test/fixtures/iptables/docker-$major
  local api=$REPO_ROOT/test/fixtures/docker/docker-$major
  mkdir -p "$ipt" "$api"
  some_traffic "$host"
  host_exec "$host" iptables-save -c >"$ipt/iptables-save.txt"
  host_exec "$host" ip6tables-save -c >"$ipt/ip6tables-save.txt"
  host_exec "$host" iptables --version >"$ipt/iptables-version.txt"
  engine_get "$host" '/containers/json?all=1' >"$api/containers.json"
  engine_get "$host" /version >"$api/version.json"
  engine_get "$host" /info >"$api/info.json"
  say "recorded $host (Docker $(host_docker "$host" version --format '{{.Server.Version}}')) into docker-$major"
}

declare -A seen=()
while read -r host major; do
  [[ -n ${seen[$major]:-} ]] && continue
  seen[$major]=1
  record_host "$host" "$major"
done < <(jq -r '.hosts[] | "\(.name) \(.dockerMajor)"' "$STATE")
