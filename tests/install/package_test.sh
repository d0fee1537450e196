#!/usr/bin/env bash
# The Debian package installs with apt, works from /usr/bin (--version with the commit, a files
# backup and restore on file:// stores, man dredge, bash completion), and removes cleanly.
# Needs root (apt-get): label `package`; CI runs as root. Refuses to touch an already installed
# dredge package, and removes its own one on every exit, failed or not.
#   package_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(sed -n 's/^DREDGE_SOURCE_DIR=//p' "$build/test-env/paths.env")
if [ "$(id -u)" != 0 ]; then
  echo "package test: needs root to apt-get install the package (CI runs it as root)"
  exit 1
fi
installed() { dpkg-query -W -f='${Status}' dredge 2>/dev/null | grep -q "ok installed"; }
if installed; then
  echo "package test: a dredge package is already installed here; not replacing it"
  exit 1
fi
work=$(mktemp -d)
cleanup() {
  if installed; then apt-get remove -y -qq -o DPkg::Lock::Timeout=300 dredge >/dev/null 2>&1 || dpkg --purge dredge; fi
  rm -rf "$work"
}
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
fail=0
check() { echo "package test: $*"; fail=1; }

# --no-build: the binary the suite tests, never relinked under the other tests that run it.
deb=$("$src/scripts/package.sh" --build-dir "$build" --out "$work" --no-build | tail -1)
arch=$(dpkg --print-architecture)
commit=$(env -i "$build/dredge" --version | sed -n 's/.*(git \([0-9a-f]*\)).*/\1/p')
[[ $(basename "$deb") =~ ^dredge_[0-9]+\.[0-9]+\.[0-9]+\+git${commit}_${arch}\.deb$ ]] ||
  check "package name $(basename "$deb") is not dredge_<version>+git<commit>_$arch.deb"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libcurl4 libpq5 libsqlite3-0 libzstd1 libssl3; do
  grep -q "\b$lib\b" <<<"$depends" || check "Depends lacks $lib: $depends"
done

apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$deb" >/dev/null
[ "$(command -v dredge)" = /usr/bin/dredge ] || check "dredge on PATH is $(command -v dredge)"
version=$(env -i /usr/bin/dredge --version)
[[ $version == "dredge "*"(git $commit)" ]] || check "--version says '$version'"

# A backup and a restore with the installed binary, in scratch directories.
mkdir -p "$work/source/sub" "$work/home"
printf 'page one\n' >"$work/source/a.txt"
head -c 300000 /dev/urandom >"$work/source/sub/b.bin"
run() { env -i PATH=/usr/bin:/bin HOME="$work/home" XDG_CACHE_HOME="$work/home/cache" \
  /usr/bin/dredge --log-dir "$work/logs" "$@"; }
run backup files --source "$work/source" --dest "file://$work/store" >/dev/null ||
  check "backup files failed"
run restore files --dest "file://$work/store" --target "$work/restored" >/dev/null ||
  check "restore files failed"
diff -r "$work/source" "$work/restored" >/dev/null || check "restored tree differs from the source"

page=$(man -P cat dredge 2>&1) || check "man dredge failed: $page"
grep -q "dredge backup files" <<<"$page" || check "man dredge does not render the commands"
bash -c 'source /usr/share/bash-completion/completions/dredge; complete -p dredge' >/dev/null ||
  check "the bash completion does not load"

apt-get remove -y -qq -o DPkg::Lock::Timeout=300 dredge >/dev/null
installed && check "dredge still installed after apt-get remove"
[ ! -e /usr/bin/dredge ] || check "/usr/bin/dredge left behind"
[ ! -e /usr/share/man/man1/dredge.1.gz ] || check "the man page left behind"
exit $fail
