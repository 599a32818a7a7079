#!/usr/bin/env bash
# Runs the C++ tests again under sanitizers (called by scripts/test.sh after the normal suite):
#   address: ASan + UBSan build in build-asan/, every unit, integration and abuse test (not the
#            benchmark's smoke run);
#   thread:  TSan build in build-tsan/, the concurrency-heavy tests (CTest labels "integration",
#            "store" and "concurrency", and the in-process server tests on two io threads).
# Any report fails the run — from a test binary or from a kelisim server a test started: every
# process writes its reports to <build>/sanitizer-reports/ (log_path), which must stay empty.
#
#   scripts/sanitizers.sh                 # both
#   scripts/sanitizers.sh thread          # one
# KELISIM_SANITIZER_CXX picks the compiler (default g++; clang++-14 works too).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
modes=("$@")
if ((${#modes[@]} == 0)); then modes=(address thread); fi
jobs="${KELISIM_SANITIZER_JOBS:-$(nproc)}"
cxx="${KELISIM_SANITIZER_CXX:-g++}"

configure() {  # dir sanitizer
  local extra=""
  # GCC warns that TSan does not model std::atomic_thread_fence (Asio's fenced blocks use it)
  # and -Werror makes that fatal. The fence only adds ordering on top of the scheduler's mutex,
  # which TSan does see, so the warning is silenced rather than the fence removed.
  local is_gcc=0
  if [[ "$("$cxx" --version | head -1)" != *clang* ]]; then is_gcc=1; fi
  if [[ "$2" == thread && $is_gcc == 1 ]]; then extra="-Wno-tsan"; fi
  # At -O1 with ASan, g++ 12 reports std::optional<std::string> members as "maybe used
  # uninitialized" (a known false positive of its flow analysis with sanitizer instrumentation);
  # the normal -O2 build keeps the warning as an error.
  if [[ "$2" == address && $is_gcc == 1 ]]; then extra="-Wno-maybe-uninitialized"; fi
  # -O1 -g1: the usual sanitizer trade-off; line tables are enough for file:line in reports.
  cmake -S "$here" -B "$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_CXX_FLAGS="$extra" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DKELISIM_SANITIZE="$2" >/dev/null
}

# Fails (printing them) if any sanitizer report was written.
check_reports() {  # dir what
  local reports=("$1"/sanitizer-reports/*)
  if [[ -e "${reports[0]}" ]]; then
    echo "sanitizers: $2 wrote ${#reports[@]} report(s):"
    for r in "${reports[@]}"; do echo "---- $r"; head -80 "$r"; done
    return 1
  fi
  echo "sanitizers: $2: no reports"
}

run_address() {
  local dir="$here/build-asan"
  echo "== ASan+UBSan build ($dir) =="
  local start=$SECONDS
  configure "$dir" address
  # The tests/ directory's targets (and what they depend on, the kelisim binary included) and the
  # abuse suite: no benchmark, no fuzzers.
  cmake --build "$dir/tests" -j"$jobs"
  cmake --build "$dir" -j"$jobs" --target abuse_tests
  echo "sanitizers: ASan build took $((SECONDS - start)) s"
  rm -rf "$dir/sanitizer-reports" && mkdir -p "$dir/sanitizer-reports"
  start=$SECONDS
  echo "== C++ tests under ASan+UBSan =="
  # detect_leaks: a leak is a report too. Suppressions: none (docs/FUZZING.md says when one may be added).
  ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:log_path=$dir/sanitizer-reports/asan" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$dir/sanitizer-reports/ubsan" \
  LSAN_OPTIONS="log_path=$dir/sanitizer-reports/lsan" \
    ctest --test-dir "$dir" --output-on-failure --timeout 900 -j2 -LE bench || {
      check_reports "$dir" "ASan+UBSan" || true
      return 1
    }
  echo "sanitizers: ASan tests took $((SECONDS - start)) s"
  check_reports "$dir" "ASan+UBSan"
}

run_thread() {
  local dir="$here/build-tsan"
  echo "== TSan build ($dir) =="
  local start=$SECONDS
  configure "$dir" thread
  cmake --build "$dir" -j"$jobs" --target integration_tests store_tests net_concurrency_tests net_tests kelisim
  echo "sanitizers: TSan build took $((SECONDS - start)) s"
  rm -rf "$dir/sanitizer-reports" && mkdir -p "$dir/sanitizer-reports"
  start=$SECONDS
  echo "== integration, store and concurrency tests under TSan =="
  local suppressions=()
  if [[ -s "$here/scripts/tsan.supp" ]]; then suppressions=(":suppressions=$here/scripts/tsan.supp"); fi
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$dir/sanitizer-reports/tsan${suppressions[*]}" \
    ctest --test-dir "$dir" --output-on-failure --timeout 900 -j1 -L "integration|store|concurrency" || {
      check_reports "$dir" "TSan" || true
      return 1
    }
  # The in-process server on two io threads (connections moving between them after hello).
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$dir/sanitizer-reports/tsan${suppressions[*]}" \
    ctest --test-dir "$dir" --output-on-failure --timeout 900 -j1 -R '^server_(test|plain)\.' || {
      check_reports "$dir" "TSan" || true
      return 1
    }
  echo "sanitizers: TSan tests took $((SECONDS - start)) s"
  check_reports "$dir" "TSan"
}

for mode in "${modes[@]}"; do
  case "$mode" in
    address) run_address ;;
    thread) run_thread ;;
    *) echo "sanitizers: unknown mode $mode (address or thread)"; exit 2 ;;
  esac
done
