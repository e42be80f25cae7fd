#!/usr/bin/env bash
# A Debian 12 tree that boots with systemd in systemd-nspawn: Docker (docker.io 20.10), OpenSSH,
# iptables (both variants) and iproute2. The real-reboot test (test/reliability/realReboot.test.ts)
# boots it on the lab's LAN, makes the lockdown persistent with the CLI and reboots it for real.
# Made once with debootstrap from Debian's archive into .tools/systemd-host/rootfs (about 4 minutes
# and 600 MB on a 2-core machine); every run boots it through an overlay and changes nothing in it.
# Root only. Needs debootstrap and systemd-container (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dest=.tools/systemd-host
[[ -f $dest/rootfs/.complete ]] && exit 0
[[ $(id -u) == 0 ]] || { echo 'systemd-host-tree: run as root' >&2; exit 2; }
command -v debootstrap >/dev/null || { echo 'systemd-host-tree: debootstrap is missing (apt-get install debootstrap)' >&2; exit 2; }

mkdir -p .tools
tmp=$(mktemp -d .tools/systemd-host.tmp.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "systemd-host-tree: debootstrap of Debian 12 into $dest (once)" >&2
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iptables,docker.io,openssh-server,iproute2 \
  bookworm "$tmp/rootfs" http://deb.debian.org/debian >"$tmp/debootstrap.log" 2>&1 ||
  { tail -20 "$tmp/debootstrap.log" >&2; exit 1; }
root=$tmp/rootfs

# Docker's state is given to each run apart (a bind mount), never kept in the tree.
rm -rf "${root:?}"/var/lib/docker/*

# The machine's place on the lab's LAN: addresses from /etc/default/lab-net, written per run.
cat >"$root/etc/systemd/system/lab-net.service" <<'UNIT'
[Unit]
Description=Lab: host0's addresses on the lab's LAN (from /etc/default/lab-net)
DefaultDependencies=no
Before=network.target ssh.service
[Service]
Type=oneshot
RemainAfterExit=yes
EnvironmentFile=/etc/default/lab-net
ExecStart=/sbin/ip link set host0 up
ExecStart=/sbin/ip addr add ${ADDR4} dev host0
ExecStart=/sbin/ip -6 addr add ${ADDR6} dev host0 nodad
[Install]
WantedBy=multi-user.target
UNIT

# systemd-nspawn mounts the cgroup v1 controllers read-only; dockerd needs to write there.
cat >"$root/etc/systemd/system/lab-cgroups.service" <<'UNIT'
[Unit]
Description=Lab: cgroup controllers writable for dockerd (systemd-nspawn mounts them read-only on a cgroup v1 host)
DefaultDependencies=no
Before=containerd.service docker.service
ConditionPathIsReadWrite=!/sys/fs/cgroup/cpuset
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'mount -o remount,rw /sys/fs/cgroup && for d in /sys/fs/cgroup/*/; do mount -o remount,bind,rw "$d"; done'
[Install]
WantedBy=multi-user.target
UNIT
for unit in lab-net lab-cgroups; do
  ln -sf "/etc/systemd/system/$unit.service" "$root/etc/systemd/system/multi-user.target.wants/$unit.service"
done

touch "$root/.complete"
mkdir -p "$dest"
mv "$root" "$dest/rootfs"
echo "systemd-host-tree: $(du -sh "$dest/rootfs" | cut -f1) in $dest/rootfs" >&2
