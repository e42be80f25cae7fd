# `status`: what of the lab is up.

proc_state() {
  local pid
  if pid=$(live_pid "$1"); then printf 'pid %s' "$pid"; else printf 'not running'; fi
}

lab_status() {
  local namespaces
  namespaces=$(lab_namespaces | sort | tr '\n' ' ')
  if [[ ! -d $LAB_DIR && -z $namespaces ]]; then
    echo "lab $LAB_NAME: down"
    return 0
  fi
  echo "lab $LAB_NAME: ${LAB_DIR#"$REPO_ROOT"/}"
  echo "  namespaces: ${namespaces:-none}"
  echo "  options: hosts=$(lab_option hosts '?') docker=$(lab_option docker '?') extra-containers=$(lab_option extra_containers '?')"
  [[ -s $LAB_DIR/state.json ]] && echo "  state: ${LAB_DIR#"$REPO_ROOT"/}/state.json" || echo "  state: missing (up did not finish)"
  local dir host
  for dir in "$LAB_DIR"/hosts/h*; do
    [[ -d $dir ]] || continue
    host=${dir##*/}
    echo "  $host $(host_ipv4 "$host") $(host_ipv6 "$host") (Docker $(cat "$dir/docker-flavor" 2>/dev/null || cat "$dir/docker-major" 2>/dev/null || echo '?'))"
    echo "    holder: $(proc_state "$dir/holder.pid"), sshd: $(proc_state "$dir/sshd.pid"), dockerd: $(proc_state "$dir/dockerd.pid")"
    if live_pid "$dir/dockerd.pid" >/dev/null && docker_pings "$host" >/dev/null 2>&1; then
      echo "    docker $(docker_server_version "$host")"
      host_docker "$host" ps --all --format '{{.Names}}\t{{.Status}}\t{{.Ports}}' | sort | sed 's/^/      /'
    fi
  done
}
