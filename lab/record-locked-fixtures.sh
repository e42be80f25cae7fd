#!/usr/bin/env bash
# Records what our own rules look like on real hosts, for the parser and status unit tests: the
# first host of each iptables flavor of a running lab (20, 28, 29), and of Docker 29 with its
# nftables backend (29-nft: into test/fixtures/nftables/docker-29-nft/locked-*, with our own tables
# as nft -j lists them, and an allow for a while besides), is locked with a few allows by
# our own CLI, sees a little traffic, and what our read command prints then (run as the engine runs
# it, over SSH: scripts/record-read.ts), its iptables-save -c and ip6tables-save -c and the Engine
# API's answers of that moment are saved into test/fixtures/iptables/docker-K/locked-*. The host is
# unlocked again afterwards.
#   LAB_NAME=dfw bash lab/lab.sh up --docker 20,28,29 && bash lab/record-locked-fixtures.sh
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
LAB=${LAB_NAME:-dfw}
STATE=.lab/$LAB/state.json
[[ -s $STATE ]] || { echo "the lab $LAB is not up: LAB_NAME=$LAB bash lab/lab.sh up --docker 20,28,29" >&2; exit 2; }
npm run --silent build >/dev/null 2>&1

cli() { ip netns exec "$LAB-out" node dist/cli.js --ssh-config ".lab/$LAB/ssh_config" "$@" >/dev/null; }
on_host() { local pid; pid=$(cat ".lab/$LAB/hosts/$1/holder.pid"); shift; nsenter --target "$pid" --mount --uts --net -- "$@"; }

declare -A seen=()
while read -r host flavor; do
  [[ -n ${seen[$flavor]:-} ]] && continue
  seen[$flavor]=1
  nft=; [[ $flavor == *-nft ]] && nft=1
  kind=iptables; [[ -n $nft ]] && kind=nftables
  dir=test/fixtures/$kind/docker-$flavor
  mkdir -p "$dir"
  cli unblock "$host"
  cli block "$host" --allow 8080
  cli allow "$host" 8081 --from 192.0.2.100/32
  cli allow "$host" 5353/udp --from 2001:db8:1::100/128
  [[ -n $nft ]] && cli allow "$host" 9000-9010 --from 198.51.100.0/24 --for 1h
  for address in "$(jq -r ".hosts[] | select(.name==\"$host\") | .ipv4" "$STATE")" "[$(jq -r ".hosts[] | select(.name==\"$host\") | .ipv6" "$STATE")]"; do
    for port in 8080 8081 9; do ip netns exec "$LAB-out" curl -s -o /dev/null --max-time 1 "http://$address:$port/" || true; done
  done
  if [[ -n $nft ]]; then
    on_host "$host" env TZ=UTC nft -j list table ip docker_firewall | jq . >"$dir/locked-nft-ip.json"
    on_host "$host" env TZ=UTC nft -j list table ip6 docker_firewall | jq . >"$dir/locked-nft-ip6.json"
  else
    on_host "$host" iptables-save -c >"$dir/locked-iptables-save.txt"
    on_host "$host" ip6tables-save -c >"$dir/locked-ip6tables-save.txt"
  fi
  ip netns exec "$LAB-out" node --import tsx scripts/record-read.ts --ssh-config ".lab/$LAB/ssh_config" "$host" >"$dir/locked-report.txt"
  for api in containers/json?all=1:containers version:version info:info networks:networks; do
    on_host "$host" curl -sf --max-time 10 --unix-socket /var/run/docker.sock "http://localhost/${api%%:*}" | jq . >"$dir/locked-${api##*:}.json"
  done
  cli unblock "$host"
  echo "recorded $dir/locked-*"
done < <(jq -r '.hosts[] | select(((.firewallBackend // "iptables") == "iptables" and (.iptablesVariant // "nft") == "nft") or .firewallBackend == "nftables") | "\(.name) \(.flavor // (.dockerMajor | tostring))"' "$STATE")
