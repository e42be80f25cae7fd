#!/usr/bin/env bash
# Re-records test/fixtures/docker/rootless/ from a running lab's h1, which runs a rootless dockerd
# beside its root one (lab/lib/rootless.sh):
#   bash lab/lab.sh up && bash lab/record-rootless-fixtures.sh
# While it records, the rootless daemon runs one container, `rootlessweb`, published on 8097:80
# (rootlesskit's builtin port driver listens on the host); it is removed afterwards.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$LAB_SRC/.." && pwd)
source "$LAB_SRC/lib/common.sh"
source "$LAB_SRC/lib/images.sh"
source "$LAB_SRC/lib/rootless.sh"

require_root
STATE=$LAB_DIR/state.json
[[ -s $STATE ]] || die "lab $LAB_NAME is not up: run bash lab/lab.sh up"
HOST=h1
[[ $(jq -r --arg h "$HOST" '.hosts[] | select(.name == $h) | .rootlessDockerSocket // ""' "$STATE") != "" ]] ||
  die "$HOST has no rootless dockerd: bring the lab up again with this checkout's lab.sh"
DIR=$REPO_ROOT/test/fixtures/docker/rootless
CONTAINER=rootlessweb
PORT=8097

remove_container() { rootless_docker "$HOST" rm --force "$CONTAINER" >/dev/null 2>&1 || true; }
trap remove_container EXIT

engine_get() { # SOCKET PATH
  host_exec "$HOST" curl -sf --max-time 10 --unix-socket "$1" "http://localhost$2"
}

# host_listens_as HOST PORT PROCESS: PROCESS holds a TCP listener on PORT in the host.
host_listens_as() {
  ip netns exec "$(ns_of "$1")" ss -Hltnp "sport = :$2" | grep -qF "\"$3\""
}

remove_container
rootless_docker "$HOST" run --detach --name "$CONTAINER" --init --env "LAB_HOST=$HOST" --env "LAB_CONTAINER=$CONTAINER" \
  --publish "$PORT:80" "$IMAGE_BUSYBOX" lab-page-server >/dev/null
wait_until 20 "rootlesskit on $HOST:$PORT" host_listens_as "$HOST" "$PORT" rootlesskit || die "$HOST: rootlesskit does not listen on $PORT"

mkdir -p "$DIR"
ip netns exec "$(ns_of out)" node --import tsx "$REPO_ROOT/scripts/record-read.ts" --ssh-config "$LAB_DIR/ssh_config" "$HOST" >"$DIR/report.txt"
engine_get /var/run/docker.sock '/containers/json?all=1' >"$DIR/containers.json"
engine_get /var/run/docker.sock /version >"$DIR/version.json"
engine_get /var/run/docker.sock /info >"$DIR/info.json"
engine_get /var/run/docker.sock /networks >"$DIR/networks.json"
engine_get "$(rootless_socket)" '/containers/json?all=1' >"$DIR/rootless-containers.json"
engine_get "$(rootless_socket)" /info >"$DIR/rootless-info.json"
host_exec "$HOST" ss -Hlntup >"$DIR/ss.txt"

cat >"$DIR/README.md" <<README
# A Docker host with a rootless dockerd beside its root one

Recorded $(date -u +%Y-%m-%d) by \`bash lab/record-rootless-fixtures.sh\` from lab host $HOST: root dockerd
$(host_docker "$HOST" version --format '{{.Server.Version}}') with the lab's demo containers (web 8080, app 8081, admin
127.0.0.1:8082, dns 5353/udp, worker), and a rootless dockerd for user \`rootless\` (Debian's
rootlesskit $(rootlesskit --version | awk '{ print $3 }'), slirp4netns, builtin port driver; started by docker.io's
\`dockerd-rootless.sh\`) running one container, \`$CONTAINER\`, published on $PORT:80.

- \`report.txt\`: what Docker Firewall's read command printed on the host (over SSH from the lab's
  outside namespace, as root; \`scripts/record-read.ts\`): iptables, listening sockets and their
  processes (rootlesskit holds 0.0.0.0:$PORT and [::]:$PORT), the SSH connection, addresses
- \`containers.json\`, \`version.json\`, \`info.json\`, \`networks.json\`: the root daemon's Engine API
  (\`/var/run/docker.sock\`): it knows nothing of port $PORT
- \`rootless-containers.json\`, \`rootless-info.json\`: the rootless daemon's (\`$(rootless_socket)\`;
  \`SecurityOptions\` holds \`name=rootless\`)
- \`ss.txt\`: \`ss -Hlntup\` in the host
README
say "recorded $HOST's rootless dockerd into ${DIR#"$REPO_ROOT"/}"
