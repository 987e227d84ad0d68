#!/usr/bin/env bash
# run_fanout.sh: capacity scenario 1 (fan-out) on this host. Starts konsil-sfu pinned to
# CPU 0 and konsil-signaling (using it as KONSIL_SFU) on loopback, then for each N in
# SUBSCRIBERS runs kn-loadgen pinned to CPU 1 with N subscribers for
# DURATION seconds (KN_PUBLISHERS publishers, default 1, subscribers spread over them
# round-robin; KN_SRTP any|gcm|cm) and prints its JSON result line. Stops exactly the PIDs it started.
# Usage: bench/loadgen/run_fanout.sh [DURATION] [N...]   (defaults: 20, 10)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${KONSIL_BIN_DIR:-$ROOT/build/bin}
DURATION=${1:-20}
shift || true
SUBS=${*:-10}
STATE=$(mktemp -d /tmp/kn-fanout.XXXXXX)
SIG_PID=""
SFU_PID=""
cleanup() {
    for pid in $SIG_PID $SFU_PID; do kill -TERM "$pid" 2>/dev/null; done
    for pid in $SIG_PID $SFU_PID; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    done
    [ -n "${KONSIL_KEEP_STATE:-}" ] && echo "state kept in $STATE" >&2 || rm -rf "$STATE"
}
trap cleanup EXIT
free_port() {
    python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); t=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
p=s.getsockname()[1]; t.bind(("127.0.0.1",p)); print(p)'
}
PORT=$(free_port)
MEDIA=$(free_port)
SECRET=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
taskset -c 0 "$BIN/konsil-sfu" --port "$MEDIA" --announce-ip 127.0.0.1 --bind-ip 127.0.0.1 \
    --control "unix:$STATE/sfu-0.sock" --log-level ${KN_SFU_LOG:-warn} >"$STATE/sfu.log" 2>&1 &
SFU_PID=$!
for _ in $(seq 100); do [ -S "$STATE/sfu-0.sock" ] && break; sleep 0.1; done
KONSIL_STATE_DIR=$STATE KONSIL_LISTEN=127.0.0.1:$PORT KONSIL_TOKEN_SECRET=$SECRET KONSIL_TLS=on \
    KONSIL_SFU="unix:$STATE/sfu-0.sock" taskset -c 0 "$BIN/konsil-signaling" \
    >"$STATE/signaling.log" 2>&1 &
SIG_PID=$!
for _ in $(seq 150); do curl -sfk -o /dev/null "https://127.0.0.1:$PORT/readyz" && break; sleep 0.1; done
for n in $SUBS; do
    "$BIN/kn-loadgen" --server "https://127.0.0.1:$PORT" --secret "$SECRET" --room "fanout$n" \
        --publishers "${KN_PUBLISHERS:-1}" --subscribers "$n" --duration "$DURATION" --cpu 1 \
        --srtp "${KN_SRTP:-any}" \
        --server-pid "$SFU_PID" --server-pid "$SIG_PID"
    echo "exit $?" >&2
done
