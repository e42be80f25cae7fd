#!/usr/bin/env bash
# Everything the demo and the tests need on a fresh Debian bookworm machine, as root. Idempotent:
# a second run only checks. Debian packages for the lab itself are installed by `lab up`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

[[ $(id -u) == 0 ]] || { log 'run as root: the lab makes network namespaces and starts sshd and dockerd'; exit 2; }

need=()
for pkg in iptables iproute2 openssh-client openssh-server docker.io busybox-static sudo socat iperf3 chromium ripgrep libkrb5-dev jq curl systemd-container debootstrap ansible-core ufw firewalld; do
  [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) == 'install ok installed' ]] || need+=("$pkg")
done
if ((${#need[@]} > 0)); then
  log "installing Debian packages: ${need[*]}"
  # Package scripts must not start sshd or dockerd in the root namespace.
  made_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made_policy=1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  ((made_policy)) && rm -f /usr/sbin/policy-rc.d
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  log 'installing npm packages'
  npm ci --no-audit --no-fund
fi

bash scripts/install-code-server.sh
# The Debian tree the real-reboot test boots (debootstrap, once; then cached in .tools).
bash scripts/systemd-host-tree.sh
log 'building the extension and the CLI'
npm run --silent build >/dev/null
