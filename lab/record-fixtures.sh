#!/usr/bin/env bash
# Re-records the parser fixtures from a running lab, one folder per kind of host (its --docker item,
# "+legacy" written "-legacy"), from the first host of each kind:
#   bash lab/lab.sh up --docker 20,28,29,29-nft,28+legacy && bash lab/record-fixtures.sh [KIND...]
# (KIND: 20, 28, 29, 29-nft, 28+legacy...; default every kind the lab has). Into test/fixtures/:
#   iptables/docker-K/  iptables-save -c, ip6tables-save -c (all tables), iptables --version
#                       (hosts with Docker's iptables backend; a +legacy host's iptables is legacy)
#   nftables/docker-K/  ruleset.json (nft -j list ruleset), ruleset.txt (nft list ruleset)
#                       (hosts with Docker's nftables backend)
#   docker/docker-K/    raw Engine API bodies: containers.json (GET /containers/json?all=1),
#                       version.json (GET /version), info.json (GET /info), networks.json (GET /networks)
#   sockets/docker-K/   ss.txt (ss -Hlntup), proc-net-{tcp,tcp6,udp,udp6}.txt (/proc/net/* in the host)
# docker/ and sockets/ are recorded for each Docker flavor, not again for a +legacy host.
# While a host is recorded it also has the network custombr (bridge appbr0; made once, kept), a
# host-network container hostnet (busybox httpd on 8090) and a plain process on the host listening
# on 0.0.0.0:8091 (socat); the last two are removed afterwards. A little traffic goes to the published
# ports first so the packet counters are not all zero. Each folder gets a README saying what it holds.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$LAB_SRC/.." && pwd)
source "$LAB_SRC/lib/common.sh"
source "$LAB_SRC/lib/docker28.sh"
source "$LAB_SRC/lib/docker29.sh"
source "$LAB_SRC/lib/images.sh"

require_root
STATE=$LAB_DIR/state.json
[[ -s $STATE ]] || die "lab $LAB_NAME is not up: run bash lab/lab.sh up --docker 20,28,29,29-nft,28+legacy"
FIXTURES=$REPO_ROOT/test/fixtures
RECORDED_AT=$(date -u +%Y-%m-%d)

HOSTNET_PORT=8090
HOST_PROCESS_PORT=8091
SOCAT_PID=""
RECORDING_HOST=""

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

# The extra listeners of a recording: a host-network container and a plain process of the host.
start_listeners() {
  local host=$1 holder
  RECORDING_HOST=$host
  host_docker "$host" rm --force hostnet >/dev/null 2>&1 || true
  host_docker "$host" run --detach --name hostnet --init --network host --label "lab=$LAB_NAME" \
    "$IMAGE_BUSYBOX" httpd -f -p "$HOSTNET_PORT" -h /www >/dev/null
  holder=$(live_pid "$(host_dir "$host")/holder.pid") || die "$host: namespace holder is not running"
  # nsenter without a PID namespace execs socat itself, so $! is socat's PID.
  nsenter --target "$holder" --mount --uts --net -- socat "TCP-LISTEN:$HOST_PROCESS_PORT,fork,reuseaddr" - \
    </dev/null >/dev/null 2>&1 &
  SOCAT_PID=$!
  wait_until 30 "hostnet on $host:$HOSTNET_PORT" host_listens "$host" tcp "$HOSTNET_PORT" || die "$host: hostnet does not listen"
  wait_until 10 "socat on $host:$HOST_PROCESS_PORT" host_listens "$host" tcp "$HOST_PROCESS_PORT" || die "$host: socat does not listen"
}

stop_listeners() {
  if [[ -n $SOCAT_PID ]]; then
    kill -TERM "$SOCAT_PID" 2>/dev/null || true
    wait "$SOCAT_PID" 2>/dev/null || true
    SOCAT_PID=""
  fi
  if [[ -n $RECORDING_HOST ]]; then
    host_docker "$RECORDING_HOST" rm --force hostnet >/dev/null 2>&1 || true
    RECORDING_HOST=""
  fi
}
trap stop_listeners EXIT

host_listens() {
  local host=$1 proto=$2 port=$3
  [[ -n $(ip netns exec "$(ns_of "$host")" ss -Hln --"$proto" "sport = :$port") ]]
}

ensure_custom_bridge() {
  local host=$1
  host_docker "$host" network inspect custombr >/dev/null 2>&1 ||
    host_docker "$host" network create -o com.docker.network.bridge.name=appbr0 custombr >/dev/null
}

# folder_readme DIR TITLE: DIR/README.md with TITLE, what stdin says about the files, the host it
# came from and how to re-record it.
folder_readme() {
  local dir=$1 title=$2
  {
    printf '# %s\n\n' "$title"
    cat
    cat <<README

Recorded $RECORDED_AT by \`bash lab/record-fixtures.sh\` from lab host $REC_HOST ($REC_DESCRIPTION);
re-record the same way. The host ran the demo containers web (8080), app (8081, network appnet),
admin (127.0.0.1:8082), dns (5353/udp) and worker, plus the network custombr (\`docker network create
-o com.docker.network.bridge.name=appbr0 custombr\`, no containers), the host-network container
hostnet (busybox httpd on port $HOSTNET_PORT) and a plain host process listening on 0.0.0.0:$HOST_PROCESS_PORT
(socat). A few connections to 8080, 8081 (IPv4 and IPv6) and 5353/udp (IPv4) came from 192.0.2.100
(the lab's outside namespace) first, so some counters are not zero.
README
    locked_note "$dir"
  } >"$dir/README.md"
}

record_iptables() {
  local host=$1 dir=$2
  mkdir -p "$dir"
  host_exec "$host" iptables-save -c >"$dir/iptables-save.txt"
  host_exec "$host" ip6tables-save -c >"$dir/ip6tables-save.txt"
  host_exec "$host" iptables --version >"$dir/iptables-version.txt"
  folder_readme "$dir" "iptables of a Docker $REC_FLAVOR host" <<README
- \`iptables-save.txt\`: \`iptables-save -c\` (every table, \`[packets:bytes]\` before each rule)
- \`ip6tables-save.txt\`: \`ip6tables-save -c\`
- \`iptables-version.txt\`: \`iptables --version\`

All three ran as root inside the host, with its own \`iptables\`: $(cat "$dir/iptables-version.txt").
README
}

# The locked-* recordings beside ours come from another script, at another moment.
locked_note() {
  compgen -G "$1/locked-*" >/dev/null || return 0
  printf '\n%s\n' "The \`locked-*\` files are not from this script: see ../README.md (\`lab/record-locked-fixtures.sh\`)."
}

record_nftables() {
  local host=$1 dir=$2
  mkdir -p "$dir"
  host_exec "$host" nft -j list ruleset >"$dir/ruleset.json"
  host_exec "$host" nft list ruleset >"$dir/ruleset.txt"
  folder_readme "$dir" "nftables of a Docker $REC_FLAVOR host" <<README
- \`ruleset.json\`: \`nft -j list ruleset\` (as printed: one line)
- \`ruleset.txt\`: \`nft list ruleset\`

Both ran as root inside the host, with Debian's $(host_exec "$host" nft --version). \`iptables-save\` and
\`ip6tables-save\` print nothing on this host: Docker's rules are all in nftables.
README
}

record_engine() {
  local host=$1 dir=$2
  mkdir -p "$dir"
  ip netns exec "$(ns_of out)" node --import tsx "$REPO_ROOT/scripts/record-read.ts" --ssh-config "$LAB_DIR/ssh_config" "$host" >"$dir/report.txt"
  engine_get "$host" '/containers/json?all=1' >"$dir/containers.json"
  engine_get "$host" /version >"$dir/version.json"
  engine_get "$host" /info >"$dir/info.json"
  engine_get "$host" /networks >"$dir/networks.json"
  folder_readme "$dir" "Engine API of a Docker $REC_FLAVOR host" <<README
Raw bodies from the host's own socket (\`curl --unix-socket /var/run/docker.sock\` inside the host):

- \`containers.json\`: \`GET /containers/json?all=1\` (the demo containers and hostnet)
- \`version.json\`: \`GET /version\`
- \`info.json\`: \`GET /info\`
- \`networks.json\`: \`GET /networks\` (bridge, host, none, appnet, custombr)

and \`report.txt\`: what Docker Firewall's read command printed on the host at the same moment, run as
the engine runs it (over SSH from the lab's outside namespace, as root;
\`scripts/record-read.ts\`, nonce \`5ec0de5ec0de5ec0de5ec0de\`): its iptables of both families, its
listening sockets and their processes, the SSH connection it came in on, its addresses.
README
}

record_sockets() {
  local host=$1 dir=$2 table
  mkdir -p "$dir"
  host_exec "$host" ss -Hlntup >"$dir/ss.txt"
  for table in tcp tcp6 udp udp6; do
    host_exec "$host" cat "/proc/net/$table" >"$dir/proc-net-$table.txt"
  done
  folder_readme "$dir" "Listening sockets of a Docker $REC_FLAVOR host" <<README
- \`ss.txt\`: \`ss -Hlntup\` (TCP listeners and UDP sockets, numeric, with their processes)
- \`proc-net-tcp.txt\`, \`proc-net-tcp6.txt\`, \`proc-net-udp.txt\`, \`proc-net-udp6.txt\`: \`/proc/net/tcp\` etc.

All ran as root inside the host (its network and mount namespaces). Listeners: sshd on the host's own
addresses, docker-proxy per published port and family, hostnet's httpd ($HOSTNET_PORT) and the host's socat ($HOST_PROCESS_PORT).
README
}

record_host() {
  local host=$1 flavor=$2 kind
  kind=docker-${flavor/+/-}
  REC_HOST=$host REC_FLAVOR=$flavor
  REC_DESCRIPTION="Docker $(host_docker "$host" version --format '{{.Server.Version}}'), $(host_exec "$host" iptables --version)"
  ensure_custom_bridge "$host"
  start_listeners "$host"
  some_traffic "$host"
  if [[ $(flavor_backend "$flavor") == nftables ]]; then
    record_nftables "$host" "$FIXTURES/nftables/$kind"
  else
    record_iptables "$host" "$FIXTURES/iptables/$kind"
  fi
  if [[ $(flavor_iptables "$flavor") == nft ]]; then
    record_engine "$host" "$FIXTURES/docker/$kind"
    record_sockets "$host" "$FIXTURES/sockets/$kind"
  fi
  stop_listeners
  say "recorded $host ($REC_DESCRIPTION) as $kind"
}

wanted=" $* "
declare -A seen=()
while read -r host flavor; do
  [[ -n ${seen[$flavor]:-} ]] && continue
  seen[$flavor]=1
  [[ $# -eq 0 || $wanted == *" $flavor "* ]] || continue
  record_host "$host" "$flavor"
done < <(jq -r '.hosts[] | "\(.name) \(.flavor // (.dockerMajor | tostring))"' "$STATE")
