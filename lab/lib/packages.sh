# Debian packages the lab needs, installed only when missing.

LAB_PACKAGES=(
  iproute2 iptables openssh-server openssh-client sudo
  docker.io containerd runc tini busybox-static
  socat iperf3 netcat-openbsd curl jq util-linux
  rootlesskit slirp4netns uidmap
)

missing_packages() {
  local pkg status
  for pkg in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || printf '%s\n' "$pkg"
  done
}

# ensure_packages [PACKAGE...]: the lab's packages, or only those named.
ensure_packages() {
  local missing
  (($#)) || set -- "${LAB_PACKAGES[@]}"
  mapfile -t missing < <(missing_packages "$@")
  ((${#missing[@]} == 0)) && return 0
  say "installing Debian packages: ${missing[*]}"
  # Package scripts must not start sshd or dockerd in the root namespace: the
  # standard Debian switch for that is a policy-rc.d that denies every start.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    made_policy=1
  fi
  local rc=0
  apt-get update -qq || rc=$?
  if ((rc == 0)); then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" || rc=$?
  fi
  ((made_policy)) && rm -f "$policy"
  ((rc == 0)) || die "apt-get failed to install: ${missing[*]}"
}
