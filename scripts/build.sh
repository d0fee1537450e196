#!/usr/bin/env bash
# Configures and builds into build/ (warnings are errors). Extra args go to cmake configure.
# DREDGE_BUILD_TARGET=dredge builds only that target (scripts/demo.sh) instead of everything.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DDREDGE_WERROR=ON "$@" >/dev/null
cmake --build build -j "$(nproc)" ${DREDGE_BUILD_TARGET:+--target "$DREDGE_BUILD_TARGET"}
