#!/usr/bin/env bash
# The main job: a lab of Docker hosts (20.10 and 28) reached over SSH, and VS Code (code-server)
# with the Docker Firewall extension configured for them. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
npm run --silent package >/dev/null
trap 'bash lab/lab.sh down' EXIT
bash lab/lab.sh up --docker 20,28
node --import tsx scripts/demo.ts
