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

# Hardening (docs/FUZZING.md): the C++ tests again under ASan+UBSan (build-asan) and the
# integration tests under TSan (build-tsan), then every fuzz target for FUZZ_SECONDS (60) each.
# Any sanitizer report, crash, leak or timeout fails the run.
if [[ "${KELISIM_SKIP_SANITIZERS:-0}" != 1 ]]; then
  # The ASan+UBSan stage is wired but has not yet had a complete, clean run on CI's machine:
  # it joins the default run (KELISIM_ASAN=1 today) once it has. TSan runs always.
  if [[ "${KELISIM_ASAN:-0}" == 1 ]]; then
    bash scripts/sanitizers.sh address thread
  else
    bash scripts/sanitizers.sh thread
  fi
fi
if [[ "${KELISIM_SKIP_FUZZ:-0}" != 1 ]]; then
  bash fuzz/run.sh
fi
