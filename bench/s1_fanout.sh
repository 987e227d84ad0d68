#!/usr/bin/env bash
# s1_fanout.sh: capacity scenario 1, fan-out: 1 publisher (Opus + VP8 simulcast
# 320x180/640x360/1280x720) to N subscribers (each gets the top layer), N = 1 ... 500,
# Konsil then Janus at each N (bench/lib.sh). --quick: N = 1 and 3 for 3 s (the CI smoke
# variant: tests/integration/test_bench_quick.sh; asserts no timings). N <= 10 are light
# points, run three times (bench/lib.sh KN_LIGHT_X).
# Usage: bench/s1_fanout.sh [--quick] [--out FILE] [--duration SEC] [N...]
set -u
. "$(dirname "$0")/lib.sh"
OUT=$KN_ROOT/bench/results/s1_fanout.jsonl
DURATION=10
NS="1 10 50 100 200 300 500"
KN_LIGHT_X=${KN_LIGHT_X:-10}
while [ $# -gt 0 ]; do
    case $1 in
    --quick) DURATION=3; NS="1 3"; KN_WARMUP=2; KN_LIGHT_X=0; shift ;;
    --out) OUT=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    -h|--help) sed -n 2,6p "$0" >&2; kn_usage_common; exit 2 ;;
    *) NS="$*"; break ;;
    esac
done
: >"$OUT"
for n in $NS; do
    kn_point "$OUT" "$n" --scenario fanout --publishers 1 --subscribers "$n" --duration "$DURATION"
done
