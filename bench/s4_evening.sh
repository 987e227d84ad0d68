#!/usr/bin/env bash
# s4_evening.sh: capacity scenario 4, information evening: 1 speaker (Opus + VP8
# simulcast) and 300 audio/video listeners (subscribe only; top layer), Konsil then Janus.
# Usage: bench/s4_evening.sh [--out FILE] [--duration SEC] [LISTENERS]
set -u
. "$(dirname "$0")/lib.sh"
OUT=$KN_ROOT/bench/results/s4_evening.jsonl
DURATION=10
N=300
while [ $# -gt 0 ]; do
    case $1 in
    --out) OUT=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    -h|--help) sed -n 2,4p "$0" >&2; kn_usage_common; exit 2 ;;
    *) N=$1; shift ;;
    esac
done
: >"$OUT"
kn_point "$OUT" "$N" --scenario evening --publishers 1 --subscribers "$N" --duration "$DURATION" \
    --connect-timeout 30
