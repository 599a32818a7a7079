#!/usr/bin/env bash
# README command 1: installs what is missing, builds, makes a development TLS certificate in
# certs/ if there is none, and starts the server on the embedded defaults (data in data/, the
# web client from web-client/). Extra arguments go to the server, e.g. --port 9443 or --plain.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

bash scripts/setup.sh
bash scripts/build.sh

# A self-signed certificate for localhost, only for development; the key never leaves certs/.
cert="certs/dev-cert.pem"
key="certs/dev-key.pem"
if [[ ! -f "$cert" || ! -f "$key" ]]; then
  echo "run-server: creating a self-signed development certificate in certs/"
  mkdir -p certs
  (
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$key" -out "$cert" -days 825 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -addext "keyUsage=digitalSignature" -addext "extendedKeyUsage=serverAuth" 2>/dev/null
  )
  chmod 644 "$cert"
fi

# The server prints the URL to open and where the admin token is; --demo makes sure a demo room
# exists and prints invite links for a mediator and two parties.
exec "$here/build/server/app/kelisim" --data-dir data --web-root web-client --demo "$@"
