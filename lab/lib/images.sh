# Demo images made from this machine's files, no registry:
#   lab/busybox:1  Debian's busybox-static with a link per applet (httpd, sh, wget, sleep...)
#   lab/udp:1      the same plus socat and its libraries: busybox 1.35 as Debian builds it has
#                  no UDP server (its nc has no -u, no udpsvd), socat answers every datagram.

IMAGE_BUSYBOX=lab/busybox:1
IMAGE_UDP=lab/udp:1

build_rootfs_busybox() {
  local root=$1 applet
  mkdir -p "$root/bin" "$root/www" "$root/tmp" "$root/etc"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  # Serves one page naming host and container (env LAB_HOST, LAB_CONTAINER).
  cat >"$root/bin/lab-page-server" <<'SCRIPT'
#!/bin/sh
printf 'host=%s container=%s\n' "$LAB_HOST" "$LAB_CONTAINER" >/www/index.html
exec httpd -f -p "${1:-80}" -h /www
SCRIPT
  chmod 0755 "$root/bin/lab-page-server"
}

build_rootfs_udp() {
  local root=$1 lib
  build_rootfs_busybox "$root"
  cp /usr/bin/socat "$root/bin/socat"
  # Copy the dynamic libraries socat needs, at the same paths.
  for lib in $(ldd /usr/bin/socat | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  # socat runs this once per datagram: it answers with host and container names.
  cat >"$root/bin/lab-udp-reply" <<'SCRIPT'
#!/bin/sh
cat >/dev/null
printf 'host=%s container=%s\n' "$LAB_HOST" "$LAB_CONTAINER"
SCRIPT
  chmod 0755 "$root/bin/lab-udp-reply"
}

# Image tarballs are built once per lab and imported into each host.
ensure_image_tarballs() {
  local dir=$LAB_DIR/images kind
  mkdir -p "$dir"
  for kind in busybox udp; do
    [[ -s $dir/$kind.tar ]] && continue
    rm -rf "${dir:?}/$kind"
    "build_rootfs_$kind" "$dir/$kind"
    tar -C "$dir/$kind" -cf "$dir/$kind.tar.tmp" . && mv "$dir/$kind.tar.tmp" "$dir/$kind.tar"
    rm -rf "${dir:?}/$kind"
  done
}

ensure_host_images() {
  local host=$1 image kind
  for kind in busybox udp; do
    image=$IMAGE_BUSYBOX
    [[ $kind == udp ]] && image=$IMAGE_UDP
    host_docker "$host" image inspect "$image" >/dev/null 2>&1 && continue
    say "$host: importing image $image"
    host_docker "$host" import - "$image" <"$LAB_DIR/images/$kind.tar" >/dev/null
  done
}
