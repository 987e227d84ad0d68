#!/bin/sh
# entrypoint-signaling.sh: starts konsil-signaling in its container. Secrets may come as
# files (compose secrets): KONSIL_SFU_SECRET_FILE, KONSIL_TOKEN_SECRET_FILE and
# KONSIL_TURN_SECRET_FILE are read into KONSIL_SFU_SECRET, KONSIL_TOKEN_SECRET and
# KONSIL_TURN_SECRET. Every other KONSIL_* variable goes to the
# binary unchanged, which checks it (docs/configuration.md). Arguments pass through, so
# `... konsil-signaling token --room R --role publish` also works.
set -eu

from_file() { # from_file VAR: VAR_FILE -> VAR
    eval "file=\${$1_FILE:-}"
    [ -n "$file" ] || return 0
    [ -r "$file" ] || { echo "konsil-signaling-entrypoint: cannot read $1_FILE $file" >&2; exit 2; }
    value=$(cat "$file")
    export "$1=$value"
    unset "$1_FILE"
}
from_file KONSIL_SFU_SECRET
from_file KONSIL_TOKEN_SECRET
from_file KONSIL_TURN_SECRET
exec /usr/bin/konsil-signaling "$@"
