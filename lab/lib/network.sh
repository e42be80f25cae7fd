# The LAN: a bridge inside its own namespace "<lab>-lan", and veth pairs from it to every
# other namespace. Nothing is made in the root namespace: both veth ends are created
# directly inside their target namespaces.

ensure_ns() {
  local ns=$1
  ns_exists "$ns" || ip netns add "$ns"
  ip -n "$ns" link set lo up
}

ensure_lan() {
  local ns
  ns=$(ns_of lan)
  ensure_ns "$ns"
  if ! ip -n "$ns" link show br0 >/dev/null 2>&1; then
    ip -n "$ns" link add br0 type bridge stp_state 0
  fi
  ip -n "$ns" link set br0 up
}

# attach_to_lan NS PORT_NAME IPV4 IPV6: NS gets eth0 with both addresses, plugged into the LAN.
attach_to_lan() {
  local ns=$1 port=$2 ipv4=$3 ipv6=$4 lan
  lan=$(ns_of lan)
  ensure_ns "$ns"
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    ip -n "$lan" link del "$port" 2>/dev/null || true
    ip -n "$lan" link add "$port" type veth peer name eth0 netns "$ns"
  fi
  ip -n "$lan" link set "$port" master br0 up
  ip -n "$ns" addr replace "$ipv4/24" dev eth0
  ip -n "$ns" -6 addr replace "$ipv6/64" dev eth0 nodad
  ip -n "$ns" link set eth0 up
}

ensure_outside() {
  attach_to_lan "$(ns_of out)" out "$LAN_PREFIX4.$OUT_ADDR_SUFFIX" "$LAN_PREFIX6:$OUT_ADDR_SUFFIX"
  attach_to_lan "$(ns_of out2)" out2 "$LAN_PREFIX4.$OUT2_ADDR_SUFFIX" "$LAN_PREFIX6:$OUT2_ADDR_SUFFIX"
}

ensure_host_network() {
  local host=$1 ns
  ns=$(ns_of "$host")
  attach_to_lan "$ns" "$host" "$(host_ipv4 "$host")" "$(host_ipv6 "$host")"
  # Forwarding inside the host's namespace only (`ip netns exec` scopes the sysctl to it).
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
    net.ipv6.conf.default.forwarding=1
}
