# Docker 28 from Debian's sid suite, unpacked into .tools/docker28 (a cache kept across labs).
# apt runs with private lists, cache and sources, so the machine's own apt state is untouched.
# runc stays bookworm's: sid's runc needs a newer glibc than bookworm has.

DOCKER28_DIR=$TOOLS_DIR/docker28
DOCKER28_ROOT=$DOCKER28_DIR/root
DOCKER28_PACKAGES=(docker.io docker-cli containerd tini-static)
DEBIAN_MIRROR=${LAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# docker28_apt apt-get|apt-cache ARGS...
docker28_apt() {
  local tool=$1 apt=$DOCKER28_DIR/apt
  shift
  "$tool" \
    -o Dir::Etc::SourceList="$apt/sources.list" \
    -o Dir::Etc::SourceParts="$apt/sources.list.d" \
    -o Dir::Etc::Preferences="$apt/preferences" \
    -o Dir::Etc::PreferencesParts="$apt/preferences.d" \
    -o Dir::State::Lists="$apt/lists" \
    -o Dir::State::status="$apt/status" \
    -o Dir::Cache="$apt/cache" \
    -o Acquire::Languages=none \
    -o APT::Sandbox::User=root \
    -qq "$@"
}

docker28_installed() {
  [[ -x $DOCKER28_ROOT/usr/sbin/dockerd && -x $DOCKER28_ROOT/usr/bin/containerd && -s $DOCKER28_DIR/VERSION ]]
}

ensure_docker28() {
  if docker28_installed; then
    return 0
  fi
  say "fetching Docker 28 from Debian sid into ${DOCKER28_DIR#"$REPO_ROOT"/} (first time only)"
  local apt=$DOCKER28_DIR/apt version
  rm -rf "$DOCKER28_ROOT" "$DOCKER28_DIR/debs"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" \
    "$apt/preferences.d" "$DOCKER28_DIR/debs" "$DOCKER28_ROOT"
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s sid main\n' "$DEBIAN_MIRROR" >"$apt/sources.list"
  : >"$apt/preferences"
  : >"$apt/status"
  docker28_apt apt-get update || die "apt-get update of sid failed"
  version=$(docker28_apt apt-cache policy docker.io 2>/dev/null | awk '/Candidate:/ { print $2 }')
  [[ $version == 28.* ]] || die "sid offers docker.io '$version', not 28.x: the lab's Docker 28 needs another source"
  (cd "$DOCKER28_DIR/debs" && docker28_apt apt-get download "${DOCKER28_PACKAGES[@]}") || die "apt-get download from sid failed"
  local deb
  for deb in "$DOCKER28_DIR"/debs/*.deb; do
    dpkg -x "$deb" "$DOCKER28_ROOT"
  done
  "$DOCKER28_ROOT/usr/sbin/dockerd" --version >/dev/null || die "the downloaded dockerd does not run on this machine"
  printf '%s\n' "$version" >"$DOCKER28_DIR/VERSION"
  rm -rf "$DOCKER28_DIR/debs" "$apt/cache"
  say "Docker $version unpacked"
}
