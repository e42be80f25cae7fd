# Demo containers on every host. Each page names its host and container ("host=h1
# container=web") so tests can tell who answered.
#   web     default bridge, published 8080:80
#   app     user-defined network appnet (a br-* bridge), published 8081:80
#   admin   published on 127.0.0.1:8082 only
#   dns     5353/udp, answers every datagram
#   worker  on appnet, idle; tests exec into it
#   extra-K (h1, --extra-containers) default bridge, published 9000+K-1:80

EXTRA_PORT_BASE=9000


# ensure_container HOST NAME DOCKER_RUN_ARGS...: starts it if stopped, creates it if missing.
ensure_container() {
  local host=$1 name=$2 running
  shift 2
  running=$(host_docker "$host" inspect --format '{{.State.Running}}' "$name" 2>/dev/null || echo missing)
  case $running in
    true) return 0 ;;
    false)
      say "$host: starting container $name"
      host_docker "$host" start "$name" >/dev/null
      ;;
    *)
      say "$host: creating container $name"
      # --init: signals reach the process (a shell or httpd as PID 1 ignores SIGTERM), so a
      # dockerd restart or stop takes a moment, not the 10 s kill timeout.
      host_docker "$host" run --detach --name "$name" --init --restart unless-stopped \
        --label "lab=$LAB_NAME" --env "LAB_HOST=$host" --env "LAB_CONTAINER=$name" "$@" >/dev/null
      ;;
  esac
}

# wait_all PID...: waits for every background job; fails if any failed.
wait_all() {
  local pid failed=0
  for pid in "$@"; do wait "$pid" || failed=1; done
  return "$failed"
}

ensure_network() {
  local host=$1 name=$2
  host_docker "$host" network inspect "$name" >/dev/null 2>&1 ||
    host_docker "$host" network create "$name" >/dev/null
}

ensure_containers() {
  local host=$1 extra=$2 k
  ensure_network "$host" appnet
  ensure_container "$host" web --publish 8080:80 "$IMAGE_BUSYBOX" lab-page-server
  ensure_container "$host" app --network appnet --publish 8081:80 "$IMAGE_BUSYBOX" lab-page-server
  ensure_container "$host" admin --publish 127.0.0.1:8082:80 "$IMAGE_BUSYBOX" lab-page-server
  ensure_container "$host" dns --publish 5353:5353/udp "$IMAGE_UDP" \
    socat -t 0.05 -T 5 UDP4-RECVFROM:5353,fork EXEC:/bin/lab-udp-reply
  ensure_container "$host" worker --network appnet "$IMAGE_BUSYBOX" sleep 2147483647
  [[ $host == h1 ]] || extra=0
  # Eight at a time: a benchmark lab may ask for many.
  local pids=()
  for ((k = 1; k <= extra; k++)); do
    ensure_container "$host" "extra-$k" --publish "$((EXTRA_PORT_BASE + k - 1)):80" "$IMAGE_BUSYBOX" lab-page-server &
    pids+=($!)
    if ((${#pids[@]} == 8)); then
      wait_all "${pids[@]}" || die "$host: could not start the extra containers"
      pids=()
    fi
  done
  wait_all "${pids[@]}" || die "$host: could not start the extra containers"
  # Fewer extras than last time: remove the ones beyond.
  local name
  for name in $(host_docker "$host" ps --all --filter "label=lab=$LAB_NAME" --format '{{.Names}}' | grep -E '^extra-[0-9]+$' || true); do
    ((${name#extra-} > extra)) && host_docker "$host" rm --force "$name" >/dev/null
  done
  return 0
}
