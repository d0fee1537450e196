#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan + UBSan) into build-fuzz/ and runs each for a
# bounded time, starting from the seed corpus in fuzz/corpus/<target>/.
#   scripts/fuzz.sh            $DREDGE_FUZZ_SECONDS (default 20) s per target (ctest fuzz.parsers;
#                              scripts/test.sh --long sets 600)
#   scripts/fuzz.sh 120        120 s per target
#   scripts/fuzz.sh --long     10 min per target, 2 jobs: run before a release or after a parser change
# Inputs that crash are written to build-fuzz/crashes/<target>/ and the script exits 1; turn each
# into a regression test (tests/unit/fuzz_regression_test.cpp feeds the input to the parser).
# New interesting inputs go to build-fuzz/corpus/<target>/ (the seeds in the repo stay small).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${DREDGE_FUZZ_SECONDS:-20}
jobs=1
case "${1:-}" in
--long) seconds=600; jobs=2 ;;
"") ;;
*) seconds=$1 ;;
esac
CXX=${FUZZ_CXX:-clang++}
cmake -S . -B build-fuzz -G Ninja -DDREDGE_FUZZ=ON -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)"
failed=0
total_runs=0
for target in chunk_fuzz manifest_fuzz legacy_chunk_fuzz snapshot_fuzz s3_xml_fuzz config_fuzz; do
  work=build-fuzz/corpus/$target
  crashes=build-fuzz/crashes/$target
  mkdir -p "$work" "$crashes"
  log=build-fuzz/$target.log
  # -rss_limit_mb and -timeout catch runaway memory and hangs as failures, not just crashes.
  extra=()
  [ "$jobs" -gt 1 ] && extra=(-fork="$jobs")
  if build-fuzz/fuzz/$target "$work" "fuzz/corpus/$target" -max_total_time="$seconds" \
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
echo "fuzz: $total_runs inputs tried, $( [ $failed = 0 ] && echo 0 || echo '>0') crashes"
exit $failed
