#!/usr/bin/env bash
# make-base-image.sh: builds the Debian 12 base image that the Konsil Dockerfiles start
# FROM (debian:bookworm-slim), locally with debootstrap from this machine's apt mirror, and
# imports it into podman and/or dockerd. Needed where no registry is reachable
# (shared/notes/containers.md); where one is, `FROM debian:bookworm-slim` pulls instead.
# Usage: make-base-image.sh [--force] [podman|docker ...]   (default: every engine that answers)
# Idempotent: an engine that already has debian:bookworm-slim is left alone unless --force.
set -euo pipefail

force=0
engines=()
for a in "$@"; do
    case "$a" in
    --force) force=1 ;;
    podman | docker) engines+=("$a") ;;
    *) echo "usage: $0 [--force] [podman|docker ...]" >&2; exit 2 ;;
    esac
done
if [ "${#engines[@]}" -eq 0 ]; then
    command -v podman >/dev/null && engines+=(podman)
    command -v docker >/dev/null && docker info >/dev/null 2>&1 && engines+=(docker)
fi
[ "${#engines[@]}" -gt 0 ] || { echo "make-base-image: no container engine found" >&2; exit 1; }

want=()
for e in "${engines[@]}"; do
    if [ "$force" = 1 ] || ! "$e" image inspect docker.io/library/debian:bookworm-slim >/dev/null 2>&1; then
        want+=("$e")
    fi
done
[ "${#want[@]}" -gt 0 ] || { echo "make-base-image: debian:bookworm-slim present in ${engines[*]}"; exit 0; }

mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list)
fi
mirror=${mirror:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || { echo "make-base-image: apt-get install debootstrap" >&2; exit 1; }

rootfs=$(mktemp -d /var/tmp/konsil-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "make-base-image: debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 ||
    { tail -20 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"
# Small and reproducible: no package cache, no apt lists, no host resolver config.
rm -f "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin
rm -rf "$rootfs"/var/lib/apt/lists/*
: >"$rootfs/etc/resolv.conf"
printf 'deb %s bookworm main\n' "$mirror" >"$rootfs/etc/apt/sources.list"
for e in "${want[@]}"; do
    tar -C "$rootfs" -c . | "$e" import - localhost/debian:bookworm >/dev/null
    "$e" tag localhost/debian:bookworm docker.io/library/debian:bookworm-slim
    echo "make-base-image: $e has debian:bookworm-slim ($mirror)"
done
