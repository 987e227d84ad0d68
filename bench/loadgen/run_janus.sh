#!/usr/bin/env bash
# run_janus.sh: capacity scenario 1 (fan-out) against the Janus 1.1.2 VideoRoom reference.
# Writes a Janus config (janus/write_conf.sh) into a temporary folder, starts Debian's
# /usr/bin/janus pinned to CPU 0 with lo_ifaddrs.so preloaded, then for each N in
# SUBSCRIBERS runs kn-loadgen --janus pinned to CPU 1 (KN_PUBLISHERS publishers, default 1)
# for DURATION seconds and prints its JSON result line. Stops exactly the PID it started.
# Usage: bench/loadgen/run_janus.sh [DURATION] [N...]   (defaults: 20, 10)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${KONSIL_BIN_DIR:-$ROOT/build/bin}
DURATION=${1:-20}
shift || true
SUBS=${*:-10}
STATE=$(mktemp -d /tmp/kn-janus.XXXXXX)
JANUS_PID=""
cleanup() {
    if [ -n "$JANUS_PID" ]; then
        kill -INT "$JANUS_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$JANUS_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$JANUS_PID" 2>/dev/null
    fi
    [ -n "${KONSIL_KEEP_STATE:-}" ] && echo "state kept in $STATE" >&2 || rm -rf "$STATE"
}
trap cleanup EXIT
free_port() {
    python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
[ -x /usr/bin/janus ] || { echo "run_janus.sh: /usr/bin/janus missing (apt-get install janus)" >&2; exit 1; }
PORT=$(free_port)
BASE=$((20000 + RANDOM % 20000))
"$ROOT/bench/loadgen/janus/write_conf.sh" "$STATE/conf" "$PORT" "$BASE-$((BASE + 999))"
LD_PRELOAD="$BIN/lo_ifaddrs.so" taskset -c 0 /usr/bin/janus -F "$STATE/conf" -L "$STATE/janus.log" \
    -N -o >"$STATE/janus.out" 2>&1 &
JANUS_PID=$!
UP=""
for _ in $(seq 100); do
    kill -0 "$JANUS_PID" 2>/dev/null || break
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/janus/info" && { UP=1; break; }
    sleep 0.1
done
if [ -z "$UP" ]; then
    echo "run_janus.sh: janus did not come up" >&2
    tail -n 20 "$STATE/janus.log" "$STATE/janus.out" >&2
    exit 1
fi
room=1000
for n in $SUBS; do
    room=$((room + 1))
    "$BIN/kn-loadgen" --janus "http://127.0.0.1:$PORT/janus" --room "$room" \
        --publishers "${KN_PUBLISHERS:-1}" --subscribers "$n" --duration "$DURATION" --cpu 1 \
        --srtp "${KN_SRTP:-any}" --server-pid "$JANUS_PID"
    echo "exit $?" >&2
done
