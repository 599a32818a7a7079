#!/usr/bin/env bash
# Smoke run of the benchmark for CTest: tiny parameters, plain WebSocket; passes when every message
# reached every participant (kelisim_loadgen exits 0 only at 100% delivery). Not a speed test.
#   bench/smoke.sh <kelisim binary> <kelisim_loadgen binary>
set -euo pipefail
server_bin=$1
loadgen_bin=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/kelisim-bench-smoke.XXXXXX")
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export KELISIM_ADMIN_TOKEN="smoke-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
"$server_bin" --plain --host 127.0.0.1 --port 0 --data-dir "$work/data" --log-level warn >"$work/server.out" 2>&1 &
server_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's#^kelisim: listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$work/server.out" | head -n1)
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.out" >&2; exit 1; }
  sleep 0.1
done
[[ -n $port ]] || { echo "smoke: server did not start" >&2; cat "$work/server.out" >&2; exit 1; }

"$loadgen_bin" --port "$port" --server-pid "$server_pid" --label smoke \
  --rooms 2 --participants 3 --rate 2 --duration 2 --drain-timeout 5 --max-runtime 25
