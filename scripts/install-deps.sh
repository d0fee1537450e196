#!/usr/bin/env bash
# Installs everything dredge needs to build and test on Debian 12 (run as root).
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential cmake ninja-build pkg-config git
      libcurl4-openssl-dev libssl-dev libpq-dev libsqlite3-dev nlohmann-json3-dev
      libzstd-dev libexpat1-dev libcli11-dev libtomlplusplus-dev libgtest-dev libgmock-dev
      postgresql awscli jq python3 clang clang-format ccache libclang-rt-14-dev lld
      dpkg-dev man-db
      chromium)  # headless, for the `dredge report` page test (tests/report/)
# Node.js may come from another repository with npm bundled (this image's does): only ask
# Debian for it when the commands are missing.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PKGS+=(nodejs npm)
command -v psql >/dev/null 2>&1 || PKGS+=(postgresql-client)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The SigV4-checking S3 server the tests start (pinned in package-lock.json).
if [ ! -d node_modules/@20minutes/s3rver ]; then
  echo "install-deps: npm ci (test S3 server)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
