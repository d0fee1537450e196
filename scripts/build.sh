#!/usr/bin/env bash
# Configures and builds into build/ (warnings are errors). Extra args go to cmake configure.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DDREDGE_WERROR=ON "$@" >/dev/null
cmake --build build -j "$(nproc)"
