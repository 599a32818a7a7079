#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test Kelisim has:
# C++ unit and integration tests (CTest), web-client logic tests (node --test), browser tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

bash scripts/setup.sh
bash scripts/build.sh

echo "== C++ tests (ctest) =="
(cd build && ctest --output-on-failure --timeout 600 -j2)

if [[ -d web-client/tests ]]; then
  echo "== web client logic tests (node --test) =="
  node --test web-client/tests/
fi

if [[ -d tests/browser ]]; then
  echo "== browser tests (playwright-core + Debian chromium) =="
  KELISIM_BINARY="$here/build/server/app/kelisim" node --test --test-concurrency=1 tests/browser/
fi

# Hardening (docs/FUZZING.md): the C++ tests again under ASan+UBSan (build-asan), the integration
# tests under TSan (build-tsan), then every fuzz target for FUZZ_SECONDS (60) each. Any sanitizer
# report, crash, leak or timeout fails the run. Part of every run, CI's included (about 30 more
# minutes on 2 cores); KELISIM_HARDENING=0 skips them for a quick local run.
if [[ "${KELISIM_HARDENING:-1}" != 0 ]]; then
  bash scripts/sanitizers.sh address thread
  bash fuzz/run.sh
fi
