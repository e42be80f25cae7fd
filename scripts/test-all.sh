#!/usr/bin/env bash
# All tests, from a fresh Debian machine: set-up, static checks and unit tests, then the lab
# (Docker 20.10 and 28 hosts in network namespaces) for the engine and CLI, then the extension in
# a real VS Code (code-server) driven in Chromium, then the reliability suite. The lab is always
# taken down at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export LAB_NAME=dfw
started=$(date +%s)
section() { printf '\n=== %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }
failures=()
step() { # name command...
  local name=$1; shift
  section "$name"
  if ! "$@"; then failures+=("$name"); fi
}

section 'set-up'
bash scripts/setup.sh

step 'type check' npm run --silent typecheck
step 'lint' npm run --silent lint
step 'unit tests' npm run --silent test:unit

section 'lab up'
trap 'section "lab down"; bash lab/lab.sh down' EXIT
bash lab/lab.sh up --docker 20,28

# From the user's machine, i.e. the lab's outside namespace; then what must run from the root namespaces.
step 'lab tests (engine, CLI, SSH, lab)' ip netns exec dfw-out node scripts/run-node-tests.mjs test/lab
step 'lab administration tests' node scripts/run-node-tests.mjs test/labadmin
if [[ -f test/vscode/runExtensionTests.ts ]]; then
  step 'extension tests in VS Code' npm run --silent test:vscode
fi
if [[ -f test/vscode/ui/extension.ui.ts ]]; then
  step 'UI test in Chromium' npm run --silent test:ui
fi

# Last, as it restarts dockerd, swaps host keys and simulates reboots: faults, bad input and
# adversaries (issue 5); it writes docs/reliability.md from what it measured.
step 'reliability suite' ip netns exec dfw-out node scripts/run-node-tests.mjs test/reliability

section 'summary'
if ((${#failures[@]} > 0)); then
  printf 'FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo 'all test steps passed'
