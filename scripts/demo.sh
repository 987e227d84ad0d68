#!/usr/bin/env bash
# demo.sh: installs what is missing, builds, and starts a complete local Konsil
# server (konsil-signaling with its own konsil-sfu, self-signed TLS) in the
# foreground. Prints the URL to open. Ctrl-C stops both processes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/setup.sh"
export KONSIL_STATE_DIR=${KONSIL_STATE_DIR:-$top/state}
export KONSIL_LISTEN=${KONSIL_LISTEN:-127.0.0.1:8443}
mkdir -p "$KONSIL_STATE_DIR"
url=$("$top/build/bin/konsil-signaling" demo-url --room demo --ttl 86400)
echo
echo "Konsil is starting. Open this URL (self-signed certificate: accept it once):"
echo "  $url"
echo
exec "$top/build/bin/konsil-signaling"
