#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test. The closing line is ctest's summary of the
# main suite.
#   scripts/test.sh          the default suite (CI; under 20 minutes on 2 cores):
#                            - scripts/sanitize.sh: the unit and S3 suites (conformance, driver,
#                              interop) built with AddressSanitizer + UndefinedBehaviorSanitizer
#                              (build-asan/), run beside the main suite (log:
#                              build-asan/sanitize.log);
#                            - the main suite: every test binary, fuzz.<parser> (20 s each),
#                              crash loops of 5 kills per tier.
#                            The closing lines are the sanitized pass's and the main suite's
#                            ctest summaries.
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
sanitize=${DREDGE_TEST_SANITIZE:-1}
sanitized=0
if [ "$sanitize" = 1 ]; then
  scripts/sanitize.sh --build
  # The sanitized tests run at -j1 beside the main suite, whose tests mostly wait on servers
  # (measured in session 6: the main suite keeps 0.8 of the 2 cores busy): their report is
  # printed after the main suite's, and the closing lines are both summaries.
  DREDGE_SANITIZE_JOBS=1 scripts/sanitize.sh --run >build-asan/sanitize.log 2>&1 &
  sanitize_pid=$!
fi
# Two ctest slots per core: most tests wait on a server or a child process; the fuzz tests run
# one at a time (tests/fuzz/CMakeLists.txt). DREDGE_TEST_JOBS overrides.
jobs=${DREDGE_TEST_JOBS:-$(($(nproc) * 2))}
set +e
(cd build && ctest --output-on-failure -j "$jobs" --timeout "$timeout") 2>&1 |
  tee build/main-suite.log
main=${PIPESTATUS[0]}
set -e
summary() { grep -E '^[0-9]+% tests passed' "$1" | tail -1; }
if [ "$sanitize" = 1 ]; then
  wait "$sanitize_pid" || sanitized=$?
  if [ "$sanitized" != 0 ]; then
    # Everything but the lines of tests that started and passed: the failures' output and
    # ctest's summary.
    echo "=== the ASan + UBSan pass FAILED (all of it: build-asan/sanitize.log):"
    grep -v -E '^ +Start +[0-9]+:|Passed +[0-9.]+ sec$' build-asan/sanitize.log
  fi
  echo "sanitized (ASan + UBSan, unit_tests + s3_tests): $(summary build-asan/sanitize.log || echo 'no summary: see build-asan/sanitize.log')"
fi
echo "main suite: $(summary build/main-suite.log || echo 'no summary: see above')"
[ "$sanitized" = 0 ] || exit "$sanitized"
exit "$main"
