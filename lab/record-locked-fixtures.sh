#!/usr/bin/env bash
# Records what our own rules look like on real hosts, for the parser and status unit tests:
# each host of a running lab (h1 Docker 20.10, h2 Docker 28) is locked with a few allows, sees a
# little traffic, and its iptables-save -c, ip6tables-save -c and our read command's raw report are
# saved into test/fixtures/iptables/docker-NN/locked-*, with the Engine API's answers of that
# moment. The host is unlocked again afterwards.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
LAB=${LAB_NAME:-dfw}
[[ -s .lab/$LAB/state.json ]] || { echo "the lab $LAB is not up: LAB_NAME=$LAB bash lab/lab.sh up --docker 20,28" >&2; exit 2; }
npm run --silent build >/dev/null 2>&1

cli() { ip netns exec "$LAB-out" node dist/cli.js --ssh-config .lab/$LAB/ssh_config "$@" >/dev/null; }
on_host() { local pid; pid=$(cat ".lab/$LAB/hosts/$1/holder.pid"); shift; nsenter --target "$pid" --mount --uts --net -- "$@"; }

for pair in h1:20 h2:28; do
  host=${pair%%:*} major=${pair##*:}
  dir=test/fixtures/iptables/docker-$major
  cli unblock "$host"
  cli block "$host" --allow 8080
  cli allow "$host" 8081 --from 192.0.2.100/32
  cli allow "$host" 5353/udp --from 2001:db8:1::100/128
  for address in "$(jq -r ".hosts[] | select(.name==\"$host\") | .ipv4" .lab/$LAB/state.json)" "[$(jq -r ".hosts[] | select(.name==\"$host\") | .ipv6" .lab/$LAB/state.json)]"; do
    for port in 8080 8081 9; do ip netns exec "$LAB-out" curl -s -o /dev/null --max-time 1 "http://$address:$port/" || true; done
  done
  on_host "$host" iptables-save -c >"$dir/locked-iptables-save.txt"
  on_host "$host" ip6tables-save -c >"$dir/locked-ip6tables-save.txt"
  node --import tsx -e '
    const { readFirewallCommand } = require("./src/core/firewall/readFirewall");
    process.stdout.write(readFirewallCommand.argv.join("\0") + "\0");' >/tmp/dfw-read-argv
  mapfile -d '' -t argv </tmp/dfw-read-argv
  on_host "$host" "${argv[@]}" >"$dir/locked-report.txt"
  for api in containers/json?all=1:containers version:version info:info; do
    on_host "$host" curl -sf --max-time 10 --unix-socket /var/run/docker.sock "http://localhost/${api%%:*}" | jq . >"$dir/locked-${api##*:}.json"
  done
  cli unblock "$host"
  echo "recorded $dir/locked-*"
done
