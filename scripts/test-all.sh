#!/usr/bin/env bash
# All tests, from a fresh Debian machine: set-up, static checks and unit tests, then the lab
# (h1 Docker 20.10, h2 Docker 28, h3 Docker 29, h4 Docker 29 with its nftables backend, h5 Docker
# 28 on iptables-legacy, in network namespaces) for the engine and CLI, then the extension in
# a real VS Code (code-server) driven in Chromium, then the reliability suite. The lab is always
# taken down at the end.
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
trap 'section "lab down"; bash lab/lab.sh down' EXIT
# The engine, CLI and extension suites lock down h1 and h2; lab.test.ts, verify and the sudo
# route check every host, so each kind of host a user has is there (README, "Tests").
bash lab/lab.sh up --docker 20,28,29,29-nft,28+legacy

# From the user's machine, i.e. the lab's outside namespace; then what must run from the root namespaces.
step 'lab tests (engine, CLI, SSH, lab)' ip netns exec "$LAB_NAME-out" node scripts/run-node-tests.mjs test/lab
step 'lab administration tests' node scripts/run-node-tests.mjs test/labadmin
step 'extension tests in VS Code' npm run --silent test:vscode
step 'UI test in Chromium' npm run --silent test:ui

# Last, as it restarts dockerd, swaps host keys and simulates reboots: faults, bad input and
# adversaries (issue 5); it writes docs/reliability.md from what it measured.
step 'reliability suite' ip netns exec "$LAB_NAME-out" node scripts/run-node-tests.mjs test/reliability

section 'summary'
if ((${#failures[@]} > 0)); then
  printf 'FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo 'all test steps passed'
