#!/usr/bin/env bash
# s6_pps.sh: raw forwarding rate (Konsil's "150,000 forwarded packets per second on one
# core" target): P publishers, each sending one VP8 layer of a noisy 320x180 pattern
# encoded at --top-kbps (default 12,000 kbit/s: ~1,250 packets/s, almost all 1200 B of
# payload) plus Opus, each watched by K subscribers (default 12); load = P. AEAD_AES_128_GCM,
# the server pinned to CPU 0, kn-loadgen to CPU 1 with --verify-sample N (default 8:
# subscribers unprotect every 8th RTP packet and count all from the clear header;
# bench/loadgen/README.md). Default targets: Konsil only (Janus saturates far below;
# KN_TARGETS="konsil janus" runs both). Publishers pace their video like a browser
# (--pace 2.5: packets leave at 2.5 x the bitrate, kn-loadgen timer 1 ms), so a frame is
# not one burst of ~42 packets (x K copies) in front of the server.
# --quick: 1 publisher x 2 subscribers for 3 s (CI smoke: tests/integration/test_bench_quick.sh).
# Usage: bench/s6_pps.sh [--quick] [--out FILE] [--duration SEC] [--k K] [--kbps KBPS]
#                        [--verify N] [--pace F] [P...]
set -u
KN_TARGETS=${KN_TARGETS:-konsil}
. "$(dirname "$0")/lib.sh"
OUT=$KN_ROOT/bench/results/s6_pps.jsonl
DURATION=10
K=12
KBPS=12000
VERIFY=8
PACE=2.5
PS="2 4 6 8 9 10 12 14 16"
while [ $# -gt 0 ]; do
    case $1 in
    --out) OUT=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --k) K=$2; shift 2 ;;
    --kbps) KBPS=$2; shift 2 ;;
    --verify) VERIFY=$2; shift 2 ;;
    --pace) PACE=$2; shift 2 ;;
    --quick) DURATION=3; PS=1; K=2; KN_WARMUP=2; shift ;;
    -h|--help) sed -n 2,17p "$0" >&2; kn_usage_common; exit 2 ;;
    *) PS="$*"; break ;;
    esac
done
: >"$OUT"
for p in $PS; do
    kn_point "$OUT" "$p" --scenario pps --publishers "$p" --subscribers $((p * K)) --layers 1 \
        --top-kbps "$KBPS" --verify-sample "$VERIFY" --pace "$PACE" --tick-ms 1 \
        --duration "$DURATION" --connect-timeout 20
done
