# SSH: per-host sshd config and host keys, and the outside's known_hosts and ssh_config.

write_sshd_config() {
  local host=$1 dir type
  dir=$(host_dir "$host")
  mkdir -p "$dir/ssh"
  for type in ed25519 ecdsa; do
    [[ -s $dir/ssh/ssh_host_${type}_key ]] ||
      ssh-keygen -q -t "$type" -N '' -C "$host@lab-$LAB_NAME" -f "$dir/ssh/ssh_host_${type}_key"
  done
  write_if_changed "$dir/ssh/sshd_config" <<CONFIG
# sshd of lab $LAB_NAME host $host (lab/lib/ssh.sh)
ListenAddress $(host_ipv4 "$host"):22
ListenAddress [$(host_ipv6 "$host")]:22
HostKey $dir/ssh/ssh_host_ed25519_key
HostKey $dir/ssh/ssh_host_ecdsa_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $LAB_DIR/authorized_keys/%u
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
UseDNS no
PrintMotd no
MaxSessions 100
MaxStartups 100:30:200
# The host's Docker binaries first, as its package would install them.
SetEnv PATH=$(host_path "$host")
Subsystem sftp /usr/lib/openssh/sftp-server
CONFIG
}

# known_hosts: plain entries for each host by alias, lab-qualified name and both addresses.
write_known_hosts() {
  local host type names
  for host in "$@"; do
    names="$host,$LAB_NAME-$host,$(host_ipv4 "$host"),$(host_ipv6 "$host")"
    for type in ed25519 ecdsa; do
      printf '%s %s\n' "$names" "$(cut -d' ' -f1,2 "$(host_dir "$host")/ssh/ssh_host_${type}_key.pub")"
    done
  done | write_if_changed "$LAB_DIR/known_hosts"
}

# ssh_config: "h1" is root, "h1-deploy", "h1-nosudo", "h1-sudopw" the other users.
write_ssh_config() {
  local host user alias
  {
    echo "# Lab $LAB_NAME: use with ssh -F $LAB_DIR/ssh_config h1 (from the outside namespace)"
    for host in "$@"; do
      for user in "${LAB_USERS[@]}"; do
        alias=$host
        [[ $user == root ]] || alias=$host-$user
        cat <<ENTRY

Host $alias
  HostName $(host_ipv4 "$host")
  User $user
  Port 22
  IdentityFile $LAB_DIR/keys/$user
  IdentitiesOnly yes
  UserKnownHostsFile $LAB_DIR/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5
ENTRY
      done
    done
  } | write_if_changed "$LAB_DIR/ssh_config"
}

# Proves each host takes a real login from the outside with strict host key checking.
check_ssh_logins() {
  local host out
  for host in "$@"; do
    out=$(ip netns exec "$(ns_of out)" ssh -F "$LAB_DIR/ssh_config" "$host" hostname 2>&1) ||
      die "ssh from $(ns_of out) to $host failed: $out"
  done
}
