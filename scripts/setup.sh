#!/usr/bin/env bash
# Installs everything Kelisim needs on Debian 12, skipping what is already there.
# Safe to run again and again; needs root (or sudo) only when something is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

debian_packages=(
  build-essential cmake pkg-config git openssl ca-certificates
  libboost1.81-dev libboost-url1.81-dev
  nlohmann-json3-dev libssl-dev libspdlog-dev libsqlite3-dev
  libgtest-dev libgmock-dev libcli11-dev libcpp-jwt-dev
  clang-14 libclang-rt-14-dev
  chromium nodejs npm
)

missing=()
for pkg in "${debian_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    # nodejs/npm may come from another source already on PATH; do not fight it.
    if [[ "$pkg" == nodejs && -x "$(command -v node || true)" ]]; then continue; fi
    if [[ "$pkg" == npm && -x "$(command -v npm || true)" ]]; then continue; fi
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Browser-test and benchmark tooling from the committed lock file.
if [[ -f "$here/package-lock.json" ]]; then
  if [[ ! -d "$here/node_modules" ]] || ! (cd "$here" && npm ls --silent >/dev/null 2>&1); then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
