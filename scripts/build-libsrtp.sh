#!/usr/bin/env bash
# build-libsrtp.sh: fetches Debian's libsrtp2 source package and builds a static
# libsrtp2 against OpenSSL into .deps/libsrtp2 (Debian's binary uses NSS and costs
# about 4x more per packet, see docs/architecture.md). On any failure the build
# falls back to the system libsrtp2 and says so; konsil-sfu logs which one it runs.
# The patches in scripts/libsrtp-patches/ are applied to the extracted source (each says
# why at its top); when they change, the library is rebuilt from a fresh extraction.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
prefix="$top/.deps/libsrtp2"
patches=("$top"/scripts/libsrtp-patches/*.patch)
[ -e "${patches[0]}" ] || patches=()
stamp=$(cat "${patches[@]}" /dev/null | sha256sum | cut -d' ' -f1)
[ -f "$prefix/lib/libsrtp2.a" ] && [ "$(cat "$prefix/patches.sha256" 2>/dev/null)" = "$stamp" ] && exit 0

work="$top/.deps/src"
mkdir -p "$work"
fail() { echo "build-libsrtp: $1; the build falls back to the system libsrtp2" >&2; exit 0; }

rm -rf "$prefix" "$work"/libsrtp2-*/
if ! ls "$work"/libsrtp2_*.dsc >/dev/null 2>&1; then
    if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
        src_list=/etc/apt/sources.list.d/konsil-src.sources
        if [ -f /etc/apt/sources.list.d/debian.sources ]; then
            sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$src_list"
        else
            sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/konsil-src.list
        fi
        apt-get update -q >/dev/null || fail "apt-get update for deb-src failed"
    fi
    (cd "$work" && apt-get source --download-only libsrtp2 >/dev/null 2>&1) ||
        fail "apt-get source libsrtp2 failed"
fi
(cd "$work" && dpkg-source -x --no-check libsrtp2_*.dsc >/dev/null) || fail "dpkg-source -x libsrtp2 failed"
srcdir=$(ls -d "$work"/libsrtp2-*/ | head -n1)
for p in "${patches[@]}"; do
    patch -d "$srcdir" -p1 -s <"$p" || fail "patch $(basename "$p") does not apply"
done
(cd "$srcdir" && ./configure --enable-openssl --prefix="$prefix" CFLAGS="-O2 -fPIC" >/dev/null &&
    make -j"$(nproc)" libsrtp2.a >/dev/null) || fail "configure/make failed"
mkdir -p "$prefix/lib" "$prefix/include/srtp2"
cp "$srcdir/libsrtp2.a" "$prefix/lib/"
cp "$srcdir"/include/srtp.h "$srcdir"/crypto/include/auth.h "$srcdir"/crypto/include/cipher.h \
   "$srcdir"/crypto/include/crypto_types.h "$prefix/include/srtp2/"
echo "$stamp" >"$prefix/patches.sha256"
echo "build-libsrtp: static libsrtp2 with OpenSSL crypto in $prefix"
