#!/usr/bin/env bash
# s5_joinstorm.sh: capacity scenario 5, join storm: 1 publisher up, then 100 subscribers
# join evenly spread over 10 s while media flows (kn-loadgen --join-spread); time to first
# media per subscriber = its WHEP POST (Konsil) or Janus join request -> first RTP packet
# and first complete video frame; p50/p99 in the result's subscribers.join. Then DURATION
# seconds of steady state. Konsil then Janus.
# Usage: bench/s5_joinstorm.sh [--out FILE] [--duration SEC] [PEERS [SPREAD_S]]
set -u
. "$(dirname "$0")/lib.sh"
OUT=$KN_ROOT/bench/results/s5_joinstorm.jsonl
DURATION=5
N=100
SPREAD=10
while [ $# -gt 0 ]; do
    case $1 in
    --out) OUT=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    -h|--help) sed -n 2,7p "$0" >&2; kn_usage_common; exit 2 ;;
    *) N=$1; SPREAD=${2:-$SPREAD}; break ;;
    esac
done
: >"$OUT"
kn_point "$OUT" "$N" --scenario joinstorm --publishers 1 --subscribers "$N" --join-spread "$SPREAD" \
    --duration "$DURATION" --connect-timeout 20
