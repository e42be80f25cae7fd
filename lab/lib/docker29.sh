# Docker Engine 29 (dockerd + docker-proxy), unpacked into .tools/docker29 (a cache kept across labs)
# from a bundle built from moby's release tag (see ../shared/docker29/README.md). Neither Debian nor
# npm has Docker 29. Everything else a Docker 29 host runs comes from the Docker 28 cache: sid's
# containerd 2.1 and its shim, the docker CLI 28 and tini; runc stays bookworm's 1.1, which has no
# time namespaces, so Docker 29 hosts get "features": {"time-namespaces": false} (host.sh).

DOCKER29_DIR=$TOOLS_DIR/docker29
DOCKER29_BIN=$DOCKER29_DIR/bin
DOCKER29_BUNDLE_NAME=docker29-bundle.tar.xz

# The bundle: LAB_DOCKER29_BUNDLE, else ../shared/docker29/ beside this repository, else beside the
# repository that owns .tools (a git worktree shares the main checkout's .tools through a link).
docker29_bundle() {
  local candidate tools_owner
  tools_owner=$(dirname "$(readlink -f "$TOOLS_DIR")")
  for candidate in "${LAB_DOCKER29_BUNDLE:-}" \
    "$REPO_ROOT/../shared/docker29/$DOCKER29_BUNDLE_NAME" \
    "$tools_owner/../shared/docker29/$DOCKER29_BUNDLE_NAME"; do
    [[ -n $candidate && -s $candidate && -s $candidate.sha256 ]] || continue
    readlink -f "$candidate"
    return 0
  done
  return 1
}

# The sha256 written beside the bundle (first word of its .sha256 file).
bundle_sha256() { awk 'NR == 1 { print $1 }' "$1.sha256"; }

docker29_installed() {
  [[ -x $DOCKER29_BIN/dockerd && -x $DOCKER29_BIN/docker-proxy && -s $DOCKER29_DIR/VERSION && -s $DOCKER29_DIR/bundle.sha256 ]] || return 1
  # A newer bundle next to the repository replaces the cache; without one the cache is used as it is.
  local bundle
  bundle=$(docker29_bundle) || return 0
  [[ $(bundle_sha256 "$bundle") == "$(cat "$DOCKER29_DIR/bundle.sha256")" ]]
}

ensure_docker29() {
  docker29_installed && return 0
  local bundle sum tmp version
  bundle=$(docker29_bundle) || die "Docker 29 needs $DOCKER29_BUNDLE_NAME and its .sha256 (set LAB_DOCKER29_BUNDLE, or put them in ../shared/docker29/)"
  sum=$(bundle_sha256 "$bundle")
  [[ $sum =~ ^[0-9a-f]{64}$ ]] || die "$bundle.sha256 holds no sha256"
  say "unpacking Docker 29 from $bundle into ${DOCKER29_DIR#"$REPO_ROOT"/} (first time only)"
  [[ $(sha256sum <"$bundle" | cut -d' ' -f1) == "$sum" ]] || die "$bundle does not match its sha256 ($sum)"
  mkdir -p "$DOCKER29_DIR"
  tmp=$(mktemp -d "$DOCKER29_DIR/unpack.XXXXXX")
  tar -xJf "$bundle" -C "$tmp" dockerd docker-proxy VERSION || { rm -rf "$tmp"; die "could not unpack $bundle"; }
  version=$("$tmp/dockerd" --version | sed -n 's/^Docker version \([0-9][^,]*\),.*/\1/p')
  [[ $version == 29.* ]] || { rm -rf "$tmp"; die "the bundle's dockerd is not Docker 29 ('$version')"; }
  rm -rf "$DOCKER29_BIN" "$DOCKER29_DIR/bundle.sha256"
  mkdir -p "$DOCKER29_BIN"
  mv "$tmp/dockerd" "$tmp/docker-proxy" "$DOCKER29_BIN/"
  mv "$tmp/VERSION" "$DOCKER29_DIR/BUNDLE-VERSION"
  rmdir "$tmp"
  printf '%s\n' "$version" >"$DOCKER29_DIR/VERSION"
  # Written last: the cache counts as complete only with it.
  printf '%s\n' "$sum" >"$DOCKER29_DIR/bundle.sha256"
  say "Docker $version unpacked"
}
