# `up`: builds the lab, or brings an existing one to the asked shape. Every step checks
# first and acts only when something is missing, so a second `up` is quick and changes nothing.

parse_up_options() {
  UP_HOSTS="" UP_DOCKER="" UP_EXTRA=""
  while (($#)); do
    case $1 in
      --hosts) UP_HOSTS=${2:-}; shift 2 || die "--hosts needs a number" ;;
      --hosts=*) UP_HOSTS=${1#*=}; shift ;;
      --docker) UP_DOCKER=${2:-}; shift 2 || die "--docker needs a list such as 20,28" ;;
      --docker=*) UP_DOCKER=${1#*=}; shift ;;
      --extra-containers) UP_EXTRA=${2:-}; shift 2 || die "--extra-containers needs a number" ;;
      --extra-containers=*) UP_EXTRA=${1#*=}; shift ;;
      *) die "unknown option for up: $1 (see lab.sh --help)" ;;
    esac
  done
  local docker_given=$UP_DOCKER
  UP_DOCKER=${UP_DOCKER:-$(lab_option docker 20)}
  local item='(20|28|29|29-nft)(\+legacy)?'
  [[ $UP_DOCKER =~ ^$item(,$item)*$ ]] ||
    die "--docker takes 20, 28, 29 or 29-nft, each optionally with +legacy, comma-separated: got '$UP_DOCKER'"
  if [[ -z $UP_HOSTS ]]; then
    if [[ -n $docker_given ]]; then
      UP_HOSTS=$(($(tr -cd , <<<"$UP_DOCKER" | wc -c) + 1))
    else
      UP_HOSTS=$(lab_option hosts 1)
    fi
  fi
  [[ $UP_HOSTS =~ ^[1-9][0-9]?$ ]] || die "--hosts must be 1..99: got '$UP_HOSTS'"
  UP_EXTRA=${UP_EXTRA:-$(lab_option extra_containers 0)}
  if [[ ! $UP_EXTRA =~ ^[0-9]+$ ]] || ((UP_EXTRA > 1000)); then
    die "--extra-containers must be 0..1000: got '$UP_EXTRA'"
  fi
}

# Docker flavor of host number I (1-based): the I-th entry of the list, the last one repeating.
docker_flavor_of() {
  local -a flavors
  IFS=, read -r -a flavors <<<"$UP_DOCKER"
  local i=$1
  ((i > ${#flavors[@]})) && i=${#flavors[@]}
  printf '%s' "${flavors[i - 1]}"
}

lab_up() {
  parse_up_options "$@"
  local hosts=() flavors=() majors=() i
  for ((i = 1; i <= UP_HOSTS; i++)); do
    hosts+=("h$i")
    flavors+=("$(docker_flavor_of "$i")")
    majors+=("$(flavor_major "${flavors[i - 1]}")")
  done
  local plan=""
  for i in "${!hosts[@]}"; do plan+=" ${hosts[i]}:docker${flavors[i]}"; done
  say "up:$plan, extra containers on h1: $UP_EXTRA"

  mkdir -p "$LAB_DIR/hosts"
  ensure_packages
  # Docker 29's nftables backend runs the nft command.
  [[ " ${flavors[*]} " == *-nft* ]] && ensure_packages nftables
  [[ " ${majors[*]} " == *" 28 "* || " ${majors[*]} " == *" 29 "* ]] && ensure_docker28
  [[ " ${majors[*]} " == *" 29 "* ]] && ensure_docker29
  ensure_users
  ensure_image_tarballs
  ensure_lan
  ensure_outside
  remove_hosts_beyond "$UP_HOSTS"

  # Hosts come up side by side; each prints its own progress.
  local pids=() failed=0
  for i in "${!hosts[@]}"; do
    host_up "${hosts[i]}" "${flavors[i]}" "$UP_EXTRA" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[i]}" || { failed=1; say "${hosts[i]} failed (logs in $(host_dir "${hosts[i]}")/logs)"; }
  done
  ((failed == 0)) || die "up failed; 'lab.sh down' cleans up whatever was made"

  write_known_hosts "${hosts[@]}"
  write_ssh_config "${hosts[@]}"
  check_ssh_logins "${hosts[@]}"
  save_options "$UP_HOSTS" "$UP_DOCKER" "$UP_EXTRA"
  write_state "$UP_EXTRA" "${hosts[@]}"
  say "lab $LAB_NAME is up: state in ${LAB_DIR#"$REPO_ROOT"/}/state.json"
  say "try: ip netns exec $(ns_of out) ssh -F ${LAB_DIR#"$REPO_ROOT"/}/ssh_config h1 docker ps"
}

remove_hosts_beyond() {
  local keep=$1 dir host
  for dir in "$LAB_DIR"/hosts/h*; do
    [[ -d $dir ]] || continue
    host=${dir##*/}
    (($(host_index "$host") > keep)) || continue
    say "$host: not asked for any more, removing it"
    host_down "$host"
    rm -rf "$dir"
  done
}
