#!/usr/bin/env bash
# All tests, from a fresh Debian machine: set-up, static checks and unit tests, then the lab
# (h1 Docker 20.10, h2 Docker 28, h3 Docker 29, h4 Docker 29 with its nftables backend, h5 Docker
# 28 on iptables-legacy, in network namespaces) for the engine and CLI, then the extension in
# a real VS Code (code-server) driven in Chromium; the reliability suite runs beside them, on a
# second lab of the same hosts. The labs are always taken down at the end.
#
# Every step is listed here, none depends on a file being there, and each fails when it ran no test
# (scripts/run-node-tests.mjs, test/vscode/suite/index.ts). CI=true (the default here) turns every
# skip into a failure. The lab gets a name of its own for this run, so that two runs on one machine
# (or a developer's lab) cannot collide; LAB_NAME overrides it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CI=${CI:-true}
LAB_NAME=${LAB_NAME:-ci$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')}
export LAB_NAME
started=$(date +%s)
section() { printf '\n=== %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }
failures=()
step() { # name command...
  local name=$1; shift
  section "$name"
  if ! "$@"; then failures+=("$name"); fi
}

section "set-up (lab $LAB_NAME)"
bash scripts/setup.sh

step 'type check' npm run --silent typecheck
step 'lint' npm run --silent lint
step 'unit tests' npm run --silent test:unit

section 'lab up'
# The reliability suite gets a lab of its own (the same hosts, another name) and runs beside the
# lab tests: it restarts dockerd, swaps host keys and reboots hosts, which must not happen under
# them. Both are bound by CPU, so beside each other each takes nearly twice as long as alone; the
# whole run is still a few minutes shorter (measured: README). On CI's machine it ends before the
# lab tests do, so the VS Code steps run alone.
RELIABILITY_LAB=${RELIABILITY_LAB:-${LAB_NAME:0:11}r}
LAB_HOSTS=20,28,29,29-nft,28+legacy
beside_log=$(mktemp /tmp/dfw-beside.XXXXXX)
beside_name='' beside_pid=''
# beside NAME LAB COMMAND...: a step run in the background on lab LAB (brought up first), in a
# process group of its own (set -m) so that an interrupted run ends all of it; collect waits for it
# and prints its output.
beside() {
  beside_name=$1
  local lab=$2
  shift 2
  set -m
  (LAB_NAME=$lab bash lab/lab.sh up --docker "$LAB_HOSTS" && LAB_NAME=$lab "$@") >"$beside_log" 2>&1 &
  beside_pid=$!
  set +m
}
collect() {
  section "$beside_name (run beside the steps above; its output follows)"
  local status=0
  wait "$beside_pid" || status=$?
  beside_pid=''
  cat "$beside_log"
  if ((status != 0)); then failures+=("$beside_name"); fi
}
lab_down() {
  section 'lab down'
  if [[ -n $beside_pid ]]; then kill -TERM -- "-$beside_pid" 2>/dev/null || true; wait "$beside_pid" 2>/dev/null || true; fi
  bash lab/lab.sh down
  LAB_NAME=$RELIABILITY_LAB bash lab/lab.sh down
  rm -f "$beside_log"
}
trap lab_down EXIT
# The engine, CLI and extension suites lock down h1 and h2; lab.test.ts, verify and the sudo
# route check every host, so each kind of host a user has is there (README, "Tests").
bash lab/lab.sh up --docker "$LAB_HOSTS"

# Faults, bad input and adversaries (issue 5), on its own lab as it restarts dockerd, swaps host keys
# and simulates reboots; it writes docs/reliability.md from what it measured.
beside 'reliability suite' "$RELIABILITY_LAB" ip netns exec "$RELIABILITY_LAB-out" node scripts/run-node-tests.mjs test/reliability

# From the user's machine, i.e. the lab's outside namespace; then what must run from the root namespaces.
step 'lab tests (engine, CLI, SSH, lab)' ip netns exec "$LAB_NAME-out" node scripts/run-node-tests.mjs test/lab
step 'lab administration tests' node scripts/run-node-tests.mjs test/labadmin
step 'extension tests in VS Code' npm run --silent test:vscode
step 'UI test in Chromium' npm run --silent test:ui
collect

section 'summary'
if ((${#failures[@]} > 0)); then
  printf 'FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo 'all test steps passed'
