#!/usr/bin/env bash
# All tests, from a fresh Debian machine: set-up, static checks and unit tests, then three labs of
# the same hosts (h1 Docker 20.10, h2 Docker 28, h3 Docker 29, h4 Docker 29 with its nftables
# backend, h5 Docker 28 on iptables-legacy, in network namespaces), side by side: the engine and CLI
# on the first, the reliability suite on the second, the extension in a real VS Code (code-server,
# the oldest we support and the newest) driven in Chromium on the third. The labs are always taken
# down at the end.
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

section 'labs up'
# Three labs of the same five hosts, each with the suites that may change its hosts, run side by
# side: the lab tests (engine, CLI, SSH) on the first; the reliability suite (it restarts dockerd,
# swaps host keys and reboots hosts, which must not happen under the others) on the second; the
# extension in VS Code on the third, on the oldest VS Code we support and then on the newest
# code-server on npm. The reliability suite keeps this machine's CPU busy (measured alone: 70 to 100%
# of both cores most of its 16 minutes), the lab tests mostly wait (about 30% alone); side by side
# each takes longer than alone, the run as a whole much less (times: README).
RELIABILITY_LAB=${RELIABILITY_LAB:-${LAB_NAME:0:11}r}
VSCODE_LAB=${VSCODE_LAB:-${LAB_NAME:0:11}v}
LAB_HOSTS=20,28,29,29-nft,28+legacy
NEWEST_CODE_SERVER_DIR=${NEWEST_CODE_SERVER_DIR:-$PWD/.tools/code-server-newest}
beside_names=() beside_pids=() beside_logs=()
# beside NAME LAB COMMAND...: steps run in the background on lab LAB (brought up first), in a
# process group of their own (set -m) so that an interrupted run ends all of it; collect waits for
# each and prints its output.
beside() {
  local name=$1 lab=$2 log
  shift 2
  log=$(mktemp /tmp/dfw-beside.XXXXXX)
  set -m
  (LAB_NAME=$lab bash lab/lab.sh up --docker "$LAB_HOSTS" && LAB_NAME=$lab "$@") >"$log" 2>&1 &
  beside_pids+=($!)
  set +m
  beside_names+=("$name") beside_logs+=("$log")
}
collect() {
  local i status
  for i in "${!beside_pids[@]}"; do
    section "${beside_names[$i]} (run beside the steps above; its output follows)"
    status=0
    wait "${beside_pids[$i]}" || status=$?
    beside_pids[$i]=''
    cat "${beside_logs[$i]}"
    if ((status != 0)); then failures+=("${beside_names[$i]}"); fi
  done
}
lab_down() {
  section 'labs down'
  local pid
  for pid in "${beside_pids[@]}"; do
    if [[ -n $pid ]]; then kill -TERM -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  bash lab/lab.sh down
  LAB_NAME=$RELIABILITY_LAB bash lab/lab.sh down
  LAB_NAME=$VSCODE_LAB bash lab/lab.sh down
  rm -f "${beside_logs[@]}"
}
trap lab_down EXIT

# vscode_suites: the extension-host suite and the UI test on code-server 4.100.3 (VS Code 1.100, the
# oldest we support), then on the newest code-server on npm (installed here, with the Node it needs),
# each step said and timed; fails if any of them failed.
vscode_suites() {
  local failed=() began
  vscode_step() { # name command...
    local name=$1
    shift
    began=$(date +%s)
    printf '\n--- %s\n' "$name"
    if "$@"; then printf -- '--- %s: passed in %ss\n' "$name" "$(($(date +%s) - began))"; else
      printf -- '--- %s: FAILED after %ss\n' "$name" "$(($(date +%s) - began))"
      failed+=("$name")
    fi
  }
  vscode_step 'extension tests in VS Code 1.100' npm run --silent test:vscode
  vscode_step 'UI test in Chromium, VS Code 1.100' npm run --silent test:ui
  vscode_step 'install the newest code-server' env DFW_CODE_SERVER_DIR="$NEWEST_CODE_SERVER_DIR" DFW_CODE_SERVER_VERSION=newest bash scripts/install-code-server.sh
  vscode_step 'extension tests in the newest VS Code' env DFW_CODE_SERVER_DIR="$NEWEST_CODE_SERVER_DIR" npm run --silent test:vscode
  vscode_step 'UI test in Chromium, the newest VS Code' env DFW_CODE_SERVER_DIR="$NEWEST_CODE_SERVER_DIR" DFW_SCREENSHOTS_DIR=test-results/ui-newest npm run --silent test:ui
  if ((${#failed[@]} > 0)); then printf 'failed: %s\n' "${failed[@]}"; return 1; fi
}

# Faults, bad input and adversaries (issue 5); it writes docs/reliability.md from what it measured.
beside 'reliability suite' "$RELIABILITY_LAB" ip netns exec "$RELIABILITY_LAB-out" node scripts/run-node-tests.mjs test/reliability
beside 'extension in VS Code, oldest and newest' "$VSCODE_LAB" vscode_suites
# The engine and CLI suites lock down h1 and h2; lab.test.ts, verify and the sudo route check every
# host, so each kind of host a user has is there (README, "Tests").
bash lab/lab.sh up --docker "$LAB_HOSTS"

# From the user's machine, i.e. the lab's outside namespace; then what must run from the root namespaces.
step 'lab tests (engine, CLI, SSH, lab)' ip netns exec "$LAB_NAME-out" node scripts/run-node-tests.mjs test/lab
step 'lab administration tests' node scripts/run-node-tests.mjs test/labadmin
collect

section 'summary'
if ((${#failures[@]} > 0)); then
  printf 'FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo 'all test steps passed'
