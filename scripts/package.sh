#!/usr/bin/env bash
# Builds the Debian package dredge_<version>_<arch>.deb: /usr/bin/dredge, its man page and
# completions, the example config, the systemd units and the cron example (cmake/install.cmake).
#   scripts/package.sh [--build-dir DIR] [--out DIR] [--no-build]
# DIR defaults to build/ (configured and built here if needed: only the binary and its docs;
# --no-build packages what DIR holds as it is, as the package test does: it runs inside the
# suite, and relinking the binary under the other running tests broke them);
# the package is written to --out (default: the build directory) and its path printed last.
# Version: the project version plus the commit the binary reports (0.1.0+git1a2b3c4).
# Depends: derived from the binary's shared libraries by dpkg-shlibdeps, never typed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
out=
build_first=1
while [ $# -gt 0 ]; do
  case $1 in
  --build-dir) build=$2; shift 2 ;;
  --out) out=$2; shift 2 ;;
  --no-build) build_first=0; shift ;;
  *) echo "usage: scripts/package.sh [--build-dir DIR] [--out DIR] [--no-build]" >&2; exit 2 ;;
  esac
done
out=${out:-$build}
umask 022

if [ "$build_first" = 1 ]; then
  [ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -G Ninja -DDREDGE_WERROR=ON >/dev/null
  cmake --build "$build" -j "$(nproc)" --target dredge dredge_docs >/dev/null
elif [ ! -x "$build/dredge" ]; then
  echo "package.sh --no-build: $build/dredge does not exist: build it first" >&2
  exit 1
fi

# "dredge 0.1.0 (git 1a2b3c4)" → 0.1.0+git1a2b3c4; "dredge 0.1.0" → 0.1.0
read -r _ upstream commit < <(env -i "$build/dredge" --version | tr -d '()' | sed 's/git //')
version=$upstream${commit:++git$commit}
arch=$(dpkg --print-architecture)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/stage
DESTDIR=$stage cmake --install "$build" --prefix /usr --strip >/dev/null
gzip -9n "$stage/usr/share/man/man1/dredge.1"

# dpkg-shlibdeps wants a debian/control naming the package.
mkdir -p "$work/src/debian" "$stage/DEBIAN"
printf 'Source: dredge\n\nPackage: dredge\nArchitecture: any\n' >"$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O -e"$stage/usr/bin/dredge" |
  sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "package: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

cat >"$stage/DEBIAN/control" <<EOF
Package: dredge
Version: $version
Architecture: $arch
Maintainer: dredge developers <dredge@localhost>
Installed-Size: $(du -sk "$stage/usr" | cut -f1)
Depends: $depends
Section: admin
Priority: optional
Description: backups of a file tree and a PostgreSQL table to file:// or s3:// stores
 dredge mirrors a directory one object per file and exports a PostgreSQL table
 incrementally as chunked JSON with manifests, to a local directory or any
 S3-compatible store; restores to any point, verifies, prunes and drills.
 The systemd units are installed but not enabled; see
 /usr/share/doc/dredge/operations.md.
EOF
(cd "$stage" && find usr -type f -exec md5sum {} + | sort -k2) >"$stage/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/dredge_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
