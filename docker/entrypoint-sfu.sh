#!/bin/sh
# entrypoint-sfu.sh: starts konsil-sfu in its container from KONSIL_* environment variables
# (the binary itself takes flags; docs/configuration.md lists both). Extra arguments are
# passed through. The control secret comes from KONSIL_SFU_SECRET_FILE (compose secret,
# preferred) or KONSIL_SFU_SECRET (written to a private file, never put on the command line).
set -eu

die() { echo "konsil-sfu-entrypoint: $*" >&2; exit 2; }
case "${1:-}" in
--help | --version) exec /usr/bin/konsil-sfu "$@" ;;
esac

control=${KONSIL_SFU:-tcp:127.0.0.1:7000}
case "$control" in
unix:/?* | tcp:?*:[0-9]*) ;;
*) die "KONSIL_SFU must be unix:/path or tcp:host:port (got '$control')" ;;
esac
port=${KONSIL_MEDIA_PORT:-10000}
case "$port" in
'' | *[!0-9]*) die "KONSIL_MEDIA_PORT must be a port number (got '$port')" ;;
esac
[ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "KONSIL_MEDIA_PORT out of range: $port"
announce=${KONSIL_ANNOUNCE_IP:-127.0.0.1}

set -- --port "$port" --announce-ip "$announce" --control "$control" "$@"
[ -n "${KONSIL_BIND_IP:-}" ] && set -- --bind-ip "$KONSIL_BIND_IP" "$@"
[ -n "${KONSIL_CONSENT_TIMEOUT:-}" ] && set -- --consent-timeout "$KONSIL_CONSENT_TIMEOUT" "$@"
[ -n "${KONSIL_LOG_LEVEL:-}" ] && set -- --log-level "$KONSIL_LOG_LEVEL" "$@"
[ -n "${KONSIL_POOL_PACKETS:-}" ] && set -- --pool-packets "$KONSIL_POOL_PACKETS" "$@"
[ -n "${KONSIL_SFU_CONFIG:-}" ] && set -- --config "$KONSIL_SFU_CONFIG" "$@" # SIGHUP re-reads it

if [ -n "${KONSIL_SFU_SECRET_FILE:-}" ]; then
    [ -r "$KONSIL_SFU_SECRET_FILE" ] || die "cannot read KONSIL_SFU_SECRET_FILE $KONSIL_SFU_SECRET_FILE"
    set -- --control-secret-file "$KONSIL_SFU_SECRET_FILE" "$@"
elif [ -n "${KONSIL_SFU_SECRET:-}" ]; then
    umask 077
    dir=$(mktemp -d)
    printf '%s\n' "$KONSIL_SFU_SECRET" >"$dir/control-secret"
    unset KONSIL_SFU_SECRET
    set -- --control-secret-file "$dir/control-secret" "$@"
else
    case "$control" in
    tcp:*) die "a tcp: control address needs KONSIL_SFU_SECRET_FILE or KONSIL_SFU_SECRET" ;;
    esac
fi
exec /usr/bin/konsil-sfu "$@"
