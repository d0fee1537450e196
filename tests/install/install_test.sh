#!/usr/bin/env bash
# `cmake --install` puts every file where it belongs, under a --prefix and staged for /usr
# (DESTDIR, as scripts/package.sh does), and the installed binary and man page work.
#   install_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(sed -n 's/^DREDGE_SOURCE_DIR=//p' "$build/test-env/paths.env")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
has() { [ -e "$1" ] || { echo "missing after install: ${1#$work}"; fail=1; }; }

prefix=$work/prefix
"${CMAKE:-cmake}" --install "$build" --prefix "$prefix" >/dev/null
for f in bin/dredge share/man/man1/dredge.1 share/bash-completion/completions/dredge \
  share/zsh/site-functions/_dredge share/fish/vendor_completions.d/dredge.fish \
  share/doc/dredge/dredge.example.toml share/doc/dredge/operations.md \
  share/doc/dredge/examples/crontab.example \
  lib/systemd/system/dredge-backup.service lib/systemd/system/dredge-backup.timer; do
  has "$prefix/$f"
done
[ -x "$prefix/bin/dredge" ] || { echo "bin/dredge is not executable"; fail=1; }
want=$(env -i "$build/dredge" --version)
got=$(env -i "$prefix/bin/dredge" --version)
[ "$got" = "$want" ] || { echo "installed --version '$got', built '$want'"; fail=1; }
grep -qx "ExecStart=$prefix/bin/dredge backup .*" "$prefix/lib/systemd/system/dredge-backup.service" ||
  { echo "dredge-backup.service does not start $prefix/bin/dredge"; fail=1; }
cmp "$src/dredge.example.toml" "$prefix/share/doc/dredge/dredge.example.toml" || fail=1
page=$(MANPATH=$prefix/share/man man -P cat dredge 2>&1) || true
for text in "dredge backup files" "--source" "DREDGE_CONFIG"; do
  grep -qF -- "$text" <<<"$page" || { echo "man dredge (MANPATH=prefix) lacks '$text'"; fail=1; }
done

# Staged for /usr: zsh's Debian directory, units under /usr/lib, ExecStart=/usr/bin/dredge.
stage=$work/stage
DESTDIR=$stage "${CMAKE:-cmake}" --install "$build" --prefix /usr >/dev/null
has "$stage/usr/bin/dredge"
has "$stage/usr/share/zsh/vendor-completions/_dredge"
grep -q "^ExecStart=/usr/bin/dredge " "$stage/usr/lib/systemd/system/dredge-backup.service" ||
  { echo "staged dredge-backup.service does not start /usr/bin/dredge"; fail=1; }
exit $fail
