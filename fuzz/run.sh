#!/usr/bin/env bash
# Builds the libFuzzer targets with clang 14 into build-fuzz/ and runs each for FUZZ_SECONDS
# (default 60), two at a time. Fails on any crash, sanitizer report, leak or timeout; the input
# that failed is kept as build-fuzz/artifacts/<target>-crash-*, and the run's log is printed.
#
#   fuzz/run.sh                       # every target, 60 s each
#   FUZZ_SECONDS=3600 fuzz/run.sh engine   # one target, an hour (see docs/FUZZING.md)
#
# The committed seeds in fuzz/corpus/<target>/ are only read; what the fuzzer finds goes to
# build-fuzz/corpus/<target>/ and is reused by the next run on this machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${KELISIM_FUZZ_BUILD_DIR:-$here/build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"
parallel="${FUZZ_PARALLEL:-2}"
targets=("$@")
if ((${#targets[@]} == 0)); then targets=(protocol engine token static_path websocket_frames); fi

cxx="${KELISIM_FUZZ_CXX:-$(command -v clang++-14 || command -v clang++)}"
cc="${KELISIM_FUZZ_CC:-$(command -v clang-14 || command -v clang)}"

echo "== fuzz: building ${targets[*]} with $cxx into $build =="
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" \
  -DKELISIM_FUZZ=ON -DKELISIM_BUILD_TESTS=OFF --no-warn-unused-cli >/dev/null
cmake --build "$build" -j"${FUZZ_BUILD_JOBS:-2}" --target "${targets[@]/#/fuzz_}"

mkdir -p "$build/artifacts" "$build/logs"
# Leaks and UB are failures; symbolized traces so a report names file:line.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:symbolize=1}"

run_one() {
  local target="$1"
  local corpus="$build/corpus/$target"
  local dict=()
  mkdir -p "$corpus"
  if [[ -f "$here/fuzz/$target.dict" ]]; then dict=(-dict="$here/fuzz/$target.dict"); fi
  # -timeout: one input running longer than 10 s is a hang and fails the run.
  "$build/fuzz/fuzz_$target" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" \
    "$corpus" "$here/fuzz/corpus/$target" >"$build/logs/$target.log" 2>&1
  echo $? >"$build/logs/$target.rc"
}

echo "== fuzz: ${targets[*]} for ${seconds}s each, $parallel at a time =="
failed=()
running=0
for target in "${targets[@]}"; do
  rm -f "$build/logs/$target.rc"
  if ((running >= parallel)); then wait -n || true; running=$((running - 1)); fi
  (set +e; run_one "$target") &
  running=$((running + 1))
done
wait || true

for target in "${targets[@]}"; do
  log="$build/logs/$target.log"
  rc="$(cat "$build/logs/$target.rc" 2>/dev/null || echo missing)"
  runs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1 || true)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}' || true)"
  if [[ "$rc" != 0 ]] || grep -qE '^==[0-9]+==ERROR|^SUMMARY: |runtime error:|ALARM: working on the last Unit|deadly signal|property broken|invariant broken' "$log" \
     || ! grep -q 'stat::number_of_executed_units' "$log"; then
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $rc) — log $log; artifacts in $build/artifacts/"
    tail -60 "$log"
  else
    echo "fuzz: $target ok (${runs:-?} inputs, coverage ${cov:-?})"
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
