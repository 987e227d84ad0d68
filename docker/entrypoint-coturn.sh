#!/bin/sh
# entrypoint-coturn.sh: runs coturn with docker/turnserver.conf plus the TURN REST shared
# secret (KONSIL_TURN_SECRET_FILE or KONSIL_TURN_SECRET), written into a private copy of
# the configuration so it never appears on a command line. Extra arguments go to turnserver
# (e.g. --listening-port, --external-ip).
set -eu
secret=
if [ -n "${KONSIL_TURN_SECRET_FILE:-}" ]; then
    [ -r "$KONSIL_TURN_SECRET_FILE" ] || { echo "konsil-coturn-entrypoint: cannot read $KONSIL_TURN_SECRET_FILE" >&2; exit 2; }
    secret=$(cat "$KONSIL_TURN_SECRET_FILE")
elif [ -n "${KONSIL_TURN_SECRET:-}" ]; then
    secret=$KONSIL_TURN_SECRET
fi
[ -n "$secret" ] || { echo "konsil-coturn-entrypoint: set KONSIL_TURN_SECRET_FILE or KONSIL_TURN_SECRET" >&2; exit 2; }
unset KONSIL_TURN_SECRET
umask 077
dir=$(mktemp -d)
cp /etc/konsil/turnserver.conf "$dir/turnserver.conf"
printf 'static-auth-secret=%s\n' "$secret" >>"$dir/turnserver.conf"
exec turnserver -c "$dir/turnserver.conf" "$@"
