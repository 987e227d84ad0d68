#!/usr/bin/env bash
# s3_consult.sh: capacity scenario 3, doctor + patient + interpreter: rooms of 3, everyone
# publishing 3-layer simulcast and watching the other two (top layer), rooms added until
# quality drops (>= 99 % of subscribers at >= 25 frames/s with < 1 % loss). Konsil then
# Janus at each room count (bench/lib.sh kn_rooms_until_drop); 1 and 5 rooms are light
# points, run three times (KN_LIGHT_X).
# Usage: bench/s3_consult.sh [--out FILE] [--duration SEC] [R...]
set -u
. "$(dirname "$0")/lib.sh"
OUT=$KN_ROOT/bench/results/s3_consult.jsonl
DURATION=10
RS="1 5 10 20 40 60 80 90 100 110"
KN_LIGHT_X=${KN_LIGHT_X:-5}
while [ $# -gt 0 ]; do
    case $1 in
    --out) OUT=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    -h|--help) sed -n 2,6p "$0" >&2; kn_usage_common; exit 2 ;;
    *) RS="$*"; break ;;
    esac
done
: >"$OUT"
KN_ROOM_ARGS="--scenario consult3 --duration $DURATION --connect-timeout 20"
[ -n "${KN_SUB_LAYER:-}" ] && KN_ROOM_ARGS="$KN_ROOM_ARGS --sub-layer $KN_SUB_LAYER"
kn_rooms_until_drop "$OUT" 3 $RS
