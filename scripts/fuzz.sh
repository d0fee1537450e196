#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan + UBSan) into build-fuzz/ and runs each for a
# bounded time, starting from the seed corpus in fuzz/corpus/<target>/.
#   scripts/fuzz.sh            $DREDGE_FUZZ_SECONDS (default 20) s per target
#                              (scripts/test.sh --long sets 600)
#   scripts/fuzz.sh 120        120 s per target
#   scripts/fuzz.sh --long     10 min per target, 2 jobs: run before a release or after a parser change
#   scripts/fuzz.sh --build    only build the targets (ctest fuzz.build, the setup of the fuzz.* tests)
#   scripts/fuzz.sh --check    fail when build-fuzz/crashes/ holds a crashing input (ctest
#                              fuzz.no_crashes, run after every target)
#   scripts/fuzz.sh --run TARGET
#                              only run TARGET (e.g. chunk_fuzz) for $DREDGE_FUZZ_SECONDS, without
#                              building: ctest fuzz.<parser>, one test per target, so the targets
#                              spread over the suite's run instead of running one after another
# Inputs that crash are written to build-fuzz/crashes/<target>/ and the script exits 1; turn each
# into a regression test (tests/unit/fuzz_regression_test.cpp feeds the input to the parser).
# New interesting inputs go to build-fuzz/corpus/<target>/ (the seeds in the repo stay small).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${DREDGE_FUZZ_SECONDS:-20}
jobs=1
build=1
targets=()
for f in fuzz/*_fuzz.cpp; do
  name=${f##*/}
  targets+=("${name%.cpp}")
done
case "${1:-}" in
--long) seconds=600; jobs=2 ;;
--build) targets=() ;;
--run)
  build=0
  [ -f "fuzz/${2:-}.cpp" ] || { echo "usage: scripts/fuzz.sh --run TARGET (one of: ${targets[*]})" >&2; exit 2; }
  targets=("$2")
  ;;
--check)
  found=$(find build-fuzz/crashes -type f 2>/dev/null | sort)
  if [ -n "$found" ]; then
    echo "fuzz: crashing inputs were found (turn each into a regression test, see above):" >&2
    echo "$found" >&2
    exit 1
  fi
  echo "fuzz: no crashing input in build-fuzz/crashes/"
  exit 0
  ;;
"") ;;
*) seconds=$1 ;;
esac
if [ "$build" = 1 ]; then
  CXX=${FUZZ_CXX:-clang++}
  cmake -S . -B build-fuzz -G Ninja -DDREDGE_FUZZ=ON -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
  cmake --build build-fuzz -j "$(nproc)"
fi
failed=0
total_runs=0
for target in "${targets[@]}"; do
  binary=build-fuzz/fuzz/$target
  [ -x "$binary" ] || { echo "fuzz: $binary is missing: run scripts/fuzz.sh --build first" >&2; exit 1; }
  work=build-fuzz/corpus/$target
  crashes=build-fuzz/crashes/$target
  mkdir -p "$work" "$crashes"
  log=build-fuzz/$target.log
  # -rss_limit_mb and -timeout catch runaway memory and hangs as failures, not just crashes.
  extra=()
  [ "$jobs" -gt 1 ] && extra=(-fork="$jobs")
  if "$binary" "$work" "fuzz/corpus/$target" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -max_len=65536 "${extra[@]}" \
      -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
    total_runs=$((total_runs + runs))
    echo "fuzz: $target ok, $runs inputs in ${seconds}s"
  else
    echo "fuzz: $target FAILED: crashing input(s) in $crashes/, log $log" >&2
    tail -30 "$log" >&2
    failed=1
  fi
done
[ ${#targets[@]} = 0 ] || echo "fuzz: $total_runs inputs tried, $( [ $failed = 0 ] && echo 0 || echo '>0') crashes"
exit $failed
