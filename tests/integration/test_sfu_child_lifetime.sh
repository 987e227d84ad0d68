#!/usr/bin/env bash
# test_sfu_child_lifetime.sh: konsil-signaling starts its own konsil-sfu child
# (no KONSIL_SFU) with --exit-with-parent; after kill -9 of signaling the child
# must be gone within 2 s (PR_SET_PDEATHSIG), not left orphaned. Also checks
# that a konsil-sfu started with --exit-with-parent by a shell that then ends
# exits. Stops exactly the PIDs it started.
set -u
BIN=${KONSIL_BIN_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin}
STATE=$(mktemp -d /tmp/kn-child-life.XXXXXX)
SIG_PID=""
SFU_PID=""
cleanup() {
    for pid in $SIG_PID $SFU_PID; do kill -KILL "$pid" 2>/dev/null; done
    [ -n "${KONSIL_KEEP_STATE:-}" ] || rm -rf "$STATE"
}
trap cleanup EXIT
fail() {
    echo "FAIL test_sfu_child_lifetime: $*"
    tail -20 "$STATE/signaling.log" 2>/dev/null
    exit 1
}
free_port() {
    python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); t=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
p=s.getsockname()[1]; t.bind(("127.0.0.1",p)); print(p)'
}
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

[ -x "$BIN/konsil-signaling" ] && [ -x "$BIN/konsil-sfu" ] || fail "binaries not built in $BIN"
PORT=$(free_port)
MEDIA=$(free_port)
KONSIL_STATE_DIR=$STATE KONSIL_LISTEN=127.0.0.1:$PORT KONSIL_TLS=off \
    KONSIL_TOKEN_SECRET=0123456789abcdef0123456789abcdef KONSIL_MEDIA_PORT=$MEDIA \
    "$BIN/konsil-signaling" >"$STATE/signaling.log" 2>&1 &
SIG_PID=$!
for _ in $(seq 100); do
    SFU_PID=$(ps -o pid= --ppid "$SIG_PID" 2>/dev/null | tr -d ' ' | head -1)
    [ -n "$SFU_PID" ] && grep -q -- "--exit-with-parent" "/proc/$SFU_PID/cmdline" 2>/dev/null \
        && break
    sleep 0.1
done
[ -n "$SFU_PID" ] || fail "signaling started no SFU child"
tr '\0' ' ' <"/proc/$SFU_PID/cmdline" | grep -q -- "--exit-with-parent" ||
    fail "child started without --exit-with-parent: $(tr '\0' ' ' <"/proc/$SFU_PID/cmdline")"
sleep 0.5
alive "$SFU_PID" || fail "SFU child $SFU_PID did not stay up"
kill -KILL "$SIG_PID"
wait "$SIG_PID" 2>/dev/null
T0=$(date +%s%N)
gone=""
for _ in $(seq 40); do
    alive "$SFU_PID" || { gone=1; break; }
    sleep 0.05
done
MS=$(( ($(date +%s%N) - T0) / 1000000 ))
[ -n "$gone" ] || fail "SFU child $SFU_PID still running 2 s after kill -9 of signaling"
echo "signaling killed: SFU child $SFU_PID gone after ${MS} ms"
SIG_PID=""
SFU_PID=""

# A direct parent that exits (bash -c ... &; the inner shell ends right after).
SOCK="$STATE/direct.sock"
bash -c "\"$BIN/konsil-sfu\" --port 0 --announce-ip 127.0.0.1 --control unix:$SOCK \
    --exit-with-parent >\"$STATE/direct.log\" 2>&1 & echo \$! >\"$STATE/direct.pid\"; sleep 1" &
wait $!
SFU_PID=$(cat "$STATE/direct.pid")
gone=""
for _ in $(seq 40); do
    alive "$SFU_PID" || { gone=1; break; }
    sleep 0.05
done
[ -n "$gone" ] || fail "konsil-sfu $SFU_PID outlived its parent shell"
grep -q "signal 15" "$STATE/direct.log" || fail "no orderly SIGTERM shutdown: $(cat "$STATE/direct.log")"
SFU_PID=""
echo "PASS test_sfu_child_lifetime"
