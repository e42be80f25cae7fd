# The lab's options (so a bare `up` keeps them) and state.json, read by test/support/lab.ts.

lab_option() {
  local key=$1 default=$2 value=""
  [[ -f $LAB_DIR/options ]] && value=$(sed -n "s/^$key=//p" "$LAB_DIR/options" | tail -n 1)
  printf '%s' "${value:-$default}"
}

save_options() {
  printf 'hosts=%s\ndocker=%s\nextra_containers=%s\n' "$1" "$2" "$3" | write_if_changed "$LAB_DIR/options"
}

# The iptables variant the host's own `iptables` is, as it says: "nft" or "legacy".
host_iptables_variant() {
  local version
  version=$(host_exec "$1" iptables --version) || return 1
  case $version in
    *'(legacy)'*) echo legacy ;;
    *'(nf_tables)'*) echo nft ;;
    *) return 1 ;;
  esac
}

host_state_json() {
  local host=$1 dir flavor variant
  dir=$(host_dir "$host")
  flavor=$(host_flavor "$host")
  variant=$(host_iptables_variant "$host") || die "$host: iptables --version names no variant"
  [[ $variant == "$(flavor_iptables "$flavor")" ]] || die "$host: iptables is $variant, but Docker $flavor asks for $(flavor_iptables "$flavor")"
  jq -n \
    --arg name "$host" \
    --arg ns "$(ns_of "$host")" \
    --arg ipv4 "$(host_ipv4 "$host")" \
    --arg ipv6 "$(host_ipv6 "$host")" \
    --arg docker "$(docker_server_version "$host")" \
    --argjson dockerMajor "$(cat "$dir/docker-major")" \
    --arg flavor "$flavor" \
    --arg firewallBackend "$(flavor_backend "$flavor")" \
    --arg iptablesVariant "$variant" \
    --arg holderPidFile "$dir/holder.pid" \
    --arg path "$(host_path "$host")" \
    --arg dataRoot "$dir/docker" \
    --arg rootless "$(if has_rootless "$host"; then rootless_socket; fi)" \
    '{name: $name, ns: $ns, ipv4: $ipv4, ipv6: $ipv6, docker: $docker, dockerMajor: $dockerMajor,
      flavor: $flavor, firewallBackend: $firewallBackend, iptablesVariant: $iptablesVariant,
      holderPidFile: $holderPidFile, path: $path, dockerSocket: "/var/run/docker.sock", dataRoot: $dataRoot,
      rootlessDockerSocket: (if $rootless == "" then null else $rootless end)}'
}

write_state() {
  local extra=$1 host
  shift
  local hosts_json
  hosts_json=$(for host in "$@"; do host_state_json "$host"; done | jq -s .)
  jq -n \
    --arg name "$LAB_NAME" \
    --arg labDir "$LAB_DIR" \
    --arg outNs "$(ns_of out)" --arg out2Ns "$(ns_of out2)" \
    --arg outV4 "$LAN_PREFIX4.$OUT_ADDR_SUFFIX" --arg outV6 "$LAN_PREFIX6:$OUT_ADDR_SUFFIX" \
    --arg out2V4 "$LAN_PREFIX4.$OUT2_ADDR_SUFFIX" --arg out2V6 "$LAN_PREFIX6:$OUT2_ADDR_SUFFIX" \
    --argjson hosts "$hosts_json" \
    --argjson extraContainers "$extra" \
    --arg keys "$LAB_DIR/keys" \
    '{
      name: $name,
      labDir: $labDir,
      outside: {ns: $outNs, ipv4: $outV4, ipv6: $outV6},
      outside2: {ns: $out2Ns, ipv4: $out2V4, ipv6: $out2V6},
      hosts: $hosts,
      extraContainers: $extraContainers,
      sshConfig: ($labDir + "/ssh_config"),
      knownHosts: ($labDir + "/known_hosts"),
      keys: {root: ($keys + "/root"), deploy: ($keys + "/deploy"), nosudo: ($keys + "/nosudo"), sudopw: ($keys + "/sudopw")},
      sudoPasswordFile: ($labDir + "/sudopw.password")
    }' | write_if_changed "$LAB_DIR/state.json"
}
