#!/usr/bin/env bash
# setup.sh: installs everything Konsil needs on Debian 12 (apt + npm), builds the
# OpenSSL-backed static libsrtp2 from Debian's source package, and builds the tree.
# Idempotent: a second run only rebuilds what changed. Run as root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

apt_packages=(
    build-essential cmake pkg-config clang libclang-rt-14-dev
    libuv1-dev libwebsockets-dev libjansson-dev libssl-dev libopus-dev libvpx-dev
    libsrtp2-dev libsqlite3-dev libcmocka-dev
    chromium firefox-esr python3-aiortc coturn nftables iproute2
    nodejs npm dpkg-dev ca-certificates openssl curl janus
)

missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # nodejs may come from another repository already; npm then is part of it.
    if dpkg-query -W -f='${Status}' nodejs 2>/dev/null | grep -q 'install ok installed' &&
       command -v npm >/dev/null; then
        missing=("${missing[@]/npm/}")
        missing=("${missing[@]/nodejs/}")
    fi
    apt-get install -y -q --no-install-recommends ${missing[@]}
fi

bash "$top/scripts/build-libsrtp.sh"

if [ -f "$top/package.json" ]; then
    (cd "$top" && npm ci --no-audit --no-fund --loglevel=error)
fi

cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j"$(nproc)"
