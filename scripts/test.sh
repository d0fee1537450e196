#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test. The closing line is ctest's summary of the
# main suite.
#   scripts/test.sh          the default suite (CI; under 20 minutes on 2 cores):
#                            - scripts/sanitize.sh: the unit and S3 suites (conformance, driver,
#                              interop) built with AddressSanitizer + UndefinedBehaviorSanitizer
#                              (build-asan/), run first;
#                            - the main suite: every test binary, fuzz.<parser> (20 s each),
#                              crash loops of 5 kills per tier.
#   scripts/test.sh --long   full strength: crash loops of 20 kills per tier
#                            (DREDGE_HARDENING_LONG=1), 10 minutes of fuzzing per parser
#                            (DREDGE_FUZZ_SECONDS=600). About 1.5 hours on 2 cores.
# DREDGE_TEST_SANITIZE=0 skips the sanitizer pass (a quicker local run).
# DREDGE_TEST_JOBS sets the main suite's ctest -j (default: two per core).
set -euo pipefail
cd "$(dirname "$0")/.."
timeout=600
for arg in "$@"; do
  case $arg in
  --long)
    export DREDGE_HARDENING_LONG=1 DREDGE_FUZZ_SECONDS=600
    timeout=5400
    ;;
  *)
    echo "usage: scripts/test.sh [--long]" >&2
    exit 2
    ;;
  esac
done
scripts/install-deps.sh
scripts/build.sh
sanitized=0
if [ "${DREDGE_TEST_SANITIZE:-1}" = 1 ]; then
  scripts/sanitize.sh || sanitized=$?
fi
main=0
# Two ctest slots per core: most tests wait on a server or a child process; the ones that keep
# a core busy say so with PROCESSORS 2 (the fuzz targets). DREDGE_TEST_JOBS overrides.
jobs=${DREDGE_TEST_JOBS:-$(($(nproc) * 2))}
(cd build && ctest --output-on-failure -j "$jobs" --timeout "$timeout") || main=$?
if [ "$sanitized" != 0 ]; then
  echo "the ASan + UBSan pass failed (its report is above the main suite's)" >&2
  exit "$sanitized"
fi
exit "$main"
