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
    chromium firefox-esr python3-aiortc coturn nftables iproute2 python3-aiosmtpd
    nodejs npm dpkg-dev ca-certificates openssl curl janus python3-matplotlib
    podman runc catatonit docker-compose debootstrap
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in "${apt_packages[@]}"; do
    # Node.js from another repository already brings npm; Debian's npm would conflict.
    if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
    if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
    installed "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

bash "$top/scripts/build-libsrtp.sh"

# npm ci wipes node_modules: only when the lock file changed since the last install.
if [ ! -f "$top/node_modules/.package-lock.json" ] ||
   [ "$top/package-lock.json" -nt "$top/node_modules/.package-lock.json" ]; then
    (cd "$top" && npm ci --no-audit --no-fund --loglevel=error)
fi

cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j"$(nproc)"
