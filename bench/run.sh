#!/usr/bin/env bash
# One command per benchmark mode (bench/README.md):
#   bench/run.sh i|ii|iii|iv|all [--tls|--plain|--both]
# Builds kelisim and kelisim_loadgen (Release), then for each mode and transport runs the same
# workload against a fresh Kelisim (temp data dir, generated certificate) and against the ws relay,
# prints each run's table and a side-by-side summary, and stops every process it started.
# Environment: BUILD_DIR (default build-bench), DURATION / RAMP_STEP / IDLE_CONNECTIONS to shorten
# runs while developing, RESULTS (JSON lines file; default $BUILD_DIR/bench-results.jsonl).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
modes=${1:-}
transport=${2:---both}
case $modes in
  i|ii|iii|iv) ;;
  all) modes="i ii iii iv" ;;
  *) echo "usage: bench/run.sh i|ii|iii|iv|all [--tls|--plain|--both]" >&2; exit 2 ;;
esac
case $transport in
  --plain) transports="plain" ;;
  --tls) transports="tls" ;;
  --both) transports="plain tls" ;;
  *) echo "bench/run.sh: transport is --tls, --plain or --both" >&2; exit 2 ;;
esac
duration=${DURATION:-20}
ramp_step=${RAMP_STEP:-5}
idle_connections=${IDLE_CONNECTIONS:-10000}

# Release build. -Wno-restrict: GCC 12 at -O2 reports a false -Wrestrict inside std::string
# (libstdc++ char_traits) in server code that is clean in Debug; it must not stop a benchmark build.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-Wno-restrict" >/dev/null
cmake --build "$build" -j"$(nproc)" --target kelisim kelisim_loadgen >/dev/null
server_bin=$build/server/app/kelisim
loadgen_bin=$build/bench/kelisim_loadgen
[[ -d $root/node_modules/ws ]] || (cd "$root" && npm install --no-audit --no-fund >/dev/null)

# Thousands of sockets: raise the descriptor limit for this shell and every child (server, relay, generator).
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d "${TMPDIR:-/tmp}/kelisim-bench.XXXXXX")
results=${RESULTS:-$build/bench-results.jsonl}
: >"$results"
server_pid=
stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

export KELISIM_ADMIN_TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
port=

# start_server kelisim|relay plain|tls: sets server_pid and port.
start_server() {
  local what=$1 tls=$2 log="$work/$1-$2-$RANDOM.log"
  if [[ $what == kelisim ]]; then
    local args=(--host 127.0.0.1 --port 0 --data-dir "$work/data-$RANDOM$RANDOM" --log-level warn
                --max-connections 20000 --max-connections-per-address 20000)
    if [[ $tls == tls ]]; then args+=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem"); else args+=(--plain); fi
    "$server_bin" "${args[@]}" >"$log" 2>&1 &
  else
    local args=(--host 127.0.0.1 --port 0)
    [[ $tls == tls ]] && args+=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
    node "$here/relay/relay.js" "${args[@]}" >"$log" 2>&1 &
  fi
  server_pid=$!
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's#^[a-z]*: listening on https\{0,1\}://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$log" | head -n1)
    [[ -n $port ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench/run.sh: $what did not start:" >&2
  cat "$log" >&2
  exit 1
}

workload_args() {
  case $1 in
    i)   echo "--mode load --rooms 100 --participants 4 --rate 20 --duration $duration" ;;
    ii)  echo "--mode load --rooms 1 --participants 50 --rate 5 --duration $duration" ;;
    iii) echo "--mode idle --rooms $((idle_connections / 50)) --participants 50 --idle-hold 5 --connect-concurrency 200" ;;
    iv)  echo "--mode ramp --rooms 100 --participants 10 --ramp-rates 2,4,8,12,16,20,24,28 --ramp-step $ramp_step" ;;
  esac
}

# A fixed piece of CPU work, timed before and after: this machine is a VM whose cores slow down
# when its neighbours are busy, and every figure of a run is only as good as the machine was.
cpu_check() { openssl speed -seconds 1 -bytes 1024 sha256 2>/dev/null | awk '/^sha256/ {printf "%.0f MB/s", $2 / 1000}'; }
cpu_before=$(cpu_check)

status=0
for mode in $modes; do
  for tls in $transports; do
    for target in kelisim relay; do
      start_server "$target" "$tls"
      tls_flag=()
      [[ $tls == tls ]] && tls_flag=(--tls)
      # shellcheck disable=SC2046
      "$loadgen_bin" --target "$target" --port "$port" --server-pid "$server_pid" "${tls_flag[@]}" \
        --label "($mode) $target $tls" --json-out "$results" --max-runtime 900 $(workload_args "$mode") || status=1
      stop_server
    done
  done
done

echo
echo "== summary ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)) =="
echo "CPU check (openssl sha256, 1 KiB blocks, one core): $cpu_before before, $(cpu_check) after; a quiet machine gives about 1,400 MB/s."
node "$here/report.js" "$results"
echo "JSON lines: $results"
exit $status
