# Users shared by every lab (one /etc/passwd), and the per-lab key pairs and sudo password.
#   deploy  member of group docker, passwordless sudo
#   nosudo  neither
#   sudopw  sudo that asks for a password (copied to .lab/<name>/sudopw.password)
#   sudomixed  sudo with sudopw's password for everything but the docker CLI, which is NOPASSWD;
#           not in group docker (the sudo route is decided per command: test/lab/sudoRoute.test.ts)

LAB_USERS=(root deploy nosudo sudopw sudomixed)
SUDOERS_FILE=/etc/sudoers.d/docker-firewall-lab
# Its own file: labs of other checkouts rewrite SUDOERS_FILE without this user's lines.
SUDOMIXED_SUDOERS_FILE=/etc/sudoers.d/docker-firewall-lab-sudomixed

ensure_users() {
  getent group docker >/dev/null || groupadd --system docker
  local user
  for user in deploy nosudo sudopw sudomixed; do
    if ! id -u "$user" >/dev/null 2>&1; then
      say "creating user $user"
      useradd --create-home --shell /bin/bash "$user"
    fi
  done
  # useradd leaves the password "!", which sshd without PAM takes as a locked account and
  # refuses even key logins; "*" means no password, not locked.
  for user in deploy nosudo; do
    [[ $(getent shadow "$user" | cut -d: -f2) == '*' ]] || usermod -p '*' "$user"
  done
  id -nG deploy | tr ' ' '\n' | grep -qx docker || usermod -aG docker deploy
  local sudoers tmp
  sudoers=$(printf '%s\n' \
    '# Docker Firewall test lab (lab/lib/users.sh)' \
    'deploy ALL=(ALL) NOPASSWD: ALL' \
    'sudopw ALL=(ALL) ALL')
  if [[ $(cat "$SUDOERS_FILE" 2>/dev/null) != "$sudoers" ]]; then
    tmp=$(mktemp)
    printf '%s\n' "$sudoers" >"$tmp"
    visudo -cqf "$tmp" || die "generated sudoers file does not parse"
    install -m 0440 "$tmp" "$SUDOERS_FILE"
    rm -f "$tmp"
  fi
  # Later lines win in sudoers: the NOPASSWD line for docker comes after the one asking a password.
  # Both places a docker CLI may be: sudo runs the first one its secure_path finds.
  sudoers=$(printf '%s\n' \
    '# Docker Firewall test lab (lab/lib/users.sh)' \
    'sudomixed ALL=(ALL) ALL' \
    'sudomixed ALL=(root) NOPASSWD: /usr/local/bin/docker, /usr/bin/docker')
  if [[ $(cat "$SUDOMIXED_SUDOERS_FILE" 2>/dev/null) != "$sudoers" ]]; then
    tmp=$(mktemp)
    printf '%s\n' "$sudoers" >"$tmp"
    visudo -cqf "$tmp" || die "generated sudoers file does not parse"
    install -m 0440 "$tmp" "$SUDOMIXED_SUDOERS_FILE"
    rm -f "$tmp"
  fi
  ensure_rootless_user
  ensure_sudopw_password
  # sudomixed shares sudopw's password (one file to read for both).
  user_password_matches sudomixed "$(cat "$LAB_DIR/sudopw.password")" ||
    printf 'sudomixed:%s\n' "$(cat "$LAB_DIR/sudopw.password")" | chpasswd
  ensure_user_keys
}

# user_password_matches USER PASSWORD
user_password_matches() {
  local hash
  hash=$(getent shadow "$1" | cut -d: -f2)
  LAB_PW=$2 LAB_HASH=$hash perl -e 'exit(crypt($ENV{LAB_PW}, $ENV{LAB_HASH}) eq $ENV{LAB_HASH} ? 0 : 1)'
}

sudopw_password_matches() {
  user_password_matches sudopw "$1"
}

# sudopw is one account for the whole machine, so every lab up at the same time, from any checkout,
# must use the same password: it is kept in SHARED_PASSWORD (root only, outside every checkout) and
# copied into each lab. It is made afresh per run: a lab that comes up while no other lab is up on
# the machine sets a new random password; one that comes up beside others takes theirs.
SHARED_PASSWORD_DIR=/run/docker-firewall-lab
SHARED_PASSWORD=$SHARED_PASSWORD_DIR/sudopw.password

# Other labs up on this machine (from any checkout): every lab has a "<name>-lan" namespace.
other_labs_up() {
  ip netns list | awk '{ print $1 }' | sed -n 's/^\([a-z][a-z0-9]\{0,11\}\)-lan$/\1/p' | grep -vx "$LAB_NAME" || true
}

new_password() {
  head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20
}

ensure_sudopw_password() {
  local file=$LAB_DIR/sudopw.password others
  mkdir -p "$SHARED_PASSWORD_DIR"
  chmod 0700 "$SHARED_PASSWORD_DIR"
  others=$(other_labs_up | tr '\n' ' ')
  if [[ -s $file ]] && sudopw_password_matches "$(cat "$file")"; then
    : # this lab's run goes on (up again): keep its password
  elif [[ -n $others && -s $SHARED_PASSWORD ]] && sudopw_password_matches "$(cat "$SHARED_PASSWORD")"; then
    install -m 0600 "$SHARED_PASSWORD" "$file"
  else
    if [[ -n $others ]]; then
      say "warning: labs ${others% } are up, but sudopw's password is not in $SHARED_PASSWORD (an older lab.sh made them): setting a new one; their sudopw logins fail until they are brought up again"
    fi
    (umask 077 && new_password >"$file")
    printf 'sudopw:%s\n' "$(cat "$file")" | chpasswd
  fi
  install -m 0600 "$file" "$SHARED_PASSWORD"
}

ensure_user_keys() {
  local user
  mkdir -p "$LAB_DIR/keys" "$LAB_DIR/authorized_keys"
  chmod 0700 "$LAB_DIR/keys"
  # sshd reads AuthorizedKeysFile as the logging-in user, so this folder is world-readable.
  chmod 0755 "$LAB_DIR" "$LAB_DIR/authorized_keys"
  for user in "${LAB_USERS[@]}"; do
    if [[ ! -s $LAB_DIR/keys/$user ]]; then
      ssh-keygen -q -t ed25519 -N '' -C "$user@lab-$LAB_NAME" -f "$LAB_DIR/keys/$user"
    fi
    write_if_changed "$LAB_DIR/authorized_keys/$user" 0644 <"$LAB_DIR/keys/$user.pub"
  done
}
