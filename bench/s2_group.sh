#!/usr/bin/env bash
# s2_group.sh: capacity scenario 2, group therapy: rooms of 9, everyone publishing
# 3-layer simulcast and subscribing to the other 8 (one subscribe PeerConnection per
# watched publisher, 72 per room), rooms added until quality drops (>= 99 % of
# subscribers at >= 25 frames/s with < 1 % loss; bench/lib.sh kn_rooms_until_drop).
# Subscribers ask for the middle layer (640x360): Janus `substream` 1, Konsil WHEP
# ?max_spatial=1 (docs/whip-whep.md); KN_SUB_LAYER overrides (2 = top). Konsil then
# Janus at each room count.
# Usage: bench/s2_group.sh [--out FILE] [--duration SEC] [R...]
set -u
. "$(dirname "$0")/lib.sh"
OUT=$KN_ROOT/bench/results/s2_group.jsonl
DURATION=10
RS="1 2 3 4 6 8 10 12 14"
while [ $# -gt 0 ]; do
    case $1 in
    --out) OUT=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    -h|--help) sed -n 2,9p "$0" >&2; kn_usage_common; exit 2 ;;
    *) RS="$*"; break ;;
    esac
done
: >"$OUT"
KN_ROOM_ARGS="--scenario group9 --duration $DURATION --connect-timeout 20"
KN_ROOM_ARGS="$KN_ROOM_ARGS --sub-layer ${KN_SUB_LAYER:-1}"
kn_rooms_until_drop "$OUT" 9 $RS
