#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test. The closing line is ctest's summary.
# The default suite includes the parsers' fuzz run (ctest fuzz.parsers, 20 s per target).
# DREDGE_TEST_SANITIZE=1 also runs scripts/sanitize.sh (ASan + UBSan build of the unit and S3
# suites) after the main suite: a second full build that does not fit the 20-minute budget on
# 2 cores, so it is opt-in (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 600)
if [ "${DREDGE_TEST_SANITIZE:-0}" = 1 ]; then
  scripts/sanitize.sh
fi
