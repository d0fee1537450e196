#!/usr/bin/env bash
# Builds dredge and the server-free unit tests plus the S3 suite (conformance, driver, interop)
# with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ and runs them through
# ctest. Any sanitizer report fails the test that triggered it (halt_on_error).
#   scripts/sanitize.sh            unit_tests + s3_tests (what scripts/test.sh runs)
#   scripts/sanitize.sh --all      every test binary (needs both servers; slower)
#   scripts/sanitize.sh --build    only build them; --run: only run them (built before), with
#                                  ctest -j "$DREDGE_SANITIZE_JOBS" (default: one per core)
# scripts/test.sh builds first, then runs the sanitized tests at -j1 beside the main suite.
set -euo pipefail
cd "$(dirname "$0")/.."
labels='^(unit_tests|s3_tests)$'
targets=(dredge unit_tests s3_tests)
build=1
run=1
for arg in "$@"; do
  case $arg in
  --all)
    labels='.'
    targets=(all)
    ;;
  --build) run=0 ;;
  --run) build=0 ;;
  *)
    echo "usage: scripts/sanitize.sh [--all] [--build | --run]" >&2
    exit 2
    ;;
  esac
done
# -O0 -g1: an instrumented -O1 -g build costs three times the compile time (measured: 27 s vs
# 9 s CPU for one command file); -g1 keeps file:line in the reports.
if [ "$build" = 1 ]; then
  cmake -S . -B build-asan -G Ninja -DDREDGE_SANITIZE=ON -DDREDGE_WERROR=ON \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="${DREDGE_SANITIZE_FLAGS:--O0 -g1}" >/dev/null
  cmake --build build-asan -j "$(nproc)" --target "${targets[@]}"
fi
[ "$run" = 1 ] || exit 0
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
cd build-asan
ctest --output-on-failure -j "${DREDGE_SANITIZE_JOBS:-$(nproc)}" --timeout 900 -L "$labels"
