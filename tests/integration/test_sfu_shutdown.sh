#!/usr/bin/env bash
# test_sfu_shutdown.sh: konsil-sfu ends with exit 0 within 1 s of SIGTERM (as in a
# container without an init: docker stop sends one SIGTERM to PID 1) in three setups,
# all with a TCP control listener and a secret file:
#   1. an authenticated control client still connected;
#   2. the same with konsil-sfu as PID 1 of its own PID namespace (unshare, root only);
#   3. live media: konsil-signaling + kn-loadgen (1 publisher, 2 subscribers, transport-cc,
#      bandwidth probing) still sending when the signal arrives.
# Stops exactly the PIDs it started on every exit path.
set -u
BIN=${KONSIL_BIN_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin}
STATE=$(mktemp -d /tmp/kn-sfu-shutdown.XXXXXX)
PIDS=""

cleanup() {
    for pid in $PIDS; do kill -KILL "$pid" 2>/dev/null; done
    [ -n "${KONSIL_KEEP_STATE:-}" ] || rm -rf "$STATE"
}
trap cleanup EXIT
fail() {
    echo "FAIL test_sfu_shutdown: $*"
    tail -20 "$STATE"/*.log 2>/dev/null
    exit 1
}

free_port() {
    python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); t=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
p=s.getsockname()[1]; t.bind(("127.0.0.1",p)); print(p)'
}

[ -x "$BIN/konsil-sfu" ] && [ -x "$BIN/konsil-signaling" ] && [ -x "$BIN/kn-loadgen" ] ||
    fail "binaries not built in $BIN"
SECRET=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$SECRET" >"$STATE/secret"
chmod 600 "$STATE/secret"

# start_sfu NAME [PREFIX...]: starts konsil-sfu (optionally under PREFIX), sets SFU_PID
# (the process to signal), WAIT_PID (the one to wait for), MEDIA and CTL.
start_sfu() {
    local name=$1
    shift
    MEDIA=$(free_port)
    CTL=$(free_port)
    "$@" "$BIN/konsil-sfu" --port "$MEDIA" --announce-ip 127.0.0.1 --bind-ip 127.0.0.1 \
        --control "tcp:127.0.0.1:$CTL" --control-secret-file "$STATE/secret" \
        >"$STATE/sfu-$name.log" 2>&1 &
    WAIT_PID=$!
    PIDS="$PIDS $WAIT_PID"
    SFU_PID=$WAIT_PID
    for _ in $(seq 100); do
        kill -0 "$WAIT_PID" 2>/dev/null || fail "$name: konsil-sfu exited at start"
        (exec 3<>"/dev/tcp/127.0.0.1/$CTL") 2>/dev/null && break
        sleep 0.1
    done
    if [ $# -gt 0 ]; then # under unshare: the SFU is its child
        SFU_PID=$(cat "/proc/$WAIT_PID/task/$WAIT_PID/children" 2>/dev/null | awk '{print $1}')
        [ -n "$SFU_PID" ] || fail "$name: no child of $*"
        PIDS="$PIDS $SFU_PID"
        grep -q "^NSpid:.*[[:space:]]1$" "/proc/$SFU_PID/status" || fail "$name: not PID 1"
    fi
}

# control_client: an authenticated client that stays connected; sets CLIENT_PID.
control_client() {
    python3 - "$CTL" "$SECRET" >"$STATE/client.log" 2>&1 <<'PY' &
import json, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall((json.dumps({"method": "auth", "id": 1, "params": {"secret": sys.argv[2]}}) + "\n").encode())
print(s.recv(200), flush=True)
time.sleep(30)
PY
    CLIENT_PID=$!
    PIDS="$PIDS $CLIENT_PID"
    for _ in $(seq 50); do grep -q '"result"' "$STATE/client.log" && return; sleep 0.1; done
    fail "control client not authenticated: $(cat "$STATE/client.log")"
}

# stop_sfu NAME: SIGTERM, then exit 0 within 1 s.
stop_sfu() {
    local name=$1 t0 t1 rc
    t0=$(date +%s%N)
    kill -TERM "$SFU_PID"
    for _ in $(seq 100); do kill -0 "$SFU_PID" 2>/dev/null || break; sleep 0.01; done
    t1=$(date +%s%N)
    if kill -0 "$SFU_PID" 2>/dev/null && ! grep -q Z "/proc/$SFU_PID/stat" 2>/dev/null; then
        fail "$name: konsil-sfu still running 1 s after SIGTERM"
    fi
    wait "$WAIT_PID"
    rc=$?
    echo "ok   $name: exit $rc $(((t1 - t0) / 1000000)) ms after SIGTERM"
    [ "$rc" -eq 0 ] || fail "$name: exit status $rc"
    grep -E "handles left|left open" "$STATE/sfu-$name.log" && fail "$name: a handle was not closed by its owner"
    return 0
}

start_sfu client
control_client
stop_sfu client
kill "$CLIENT_PID" 2>/dev/null

if [ "$(id -u)" -eq 0 ] && unshare --pid --fork true 2>/dev/null; then
    start_sfu pid1 unshare --pid --fork --kill-child
    control_client
    stop_sfu pid1
    kill "$CLIENT_PID" 2>/dev/null
else
    echo "skip pid1: needs root and unshare"
fi

start_sfu media
PORT=$(free_port)
KONSIL_STATE_DIR=$STATE KONSIL_LISTEN=127.0.0.1:$PORT KONSIL_TOKEN_SECRET=$SECRET \
    KONSIL_TLS=on KONSIL_SFU="tcp:127.0.0.1:$CTL" KONSIL_SFU_SECRET="$SECRET" \
    "$BIN/konsil-signaling" >"$STATE/signaling.log" 2>&1 &
SIG_PID=$!
PIDS="$PIDS $SIG_PID"
UP=""
for _ in $(seq 150); do
    kill -0 "$SIG_PID" 2>/dev/null || fail "konsil-signaling exited"
    if curl -sfk -o /dev/null "https://127.0.0.1:$PORT/readyz"; then UP=1; break; fi
    sleep 0.1
done
[ -n "$UP" ] || fail "konsil-signaling not healthy"
"$BIN/kn-loadgen" --server "https://127.0.0.1:$PORT" --secret "$SECRET" --room shut \
    --publishers 1 --subscribers 2 --duration 20 >"$STATE/loadgen.out" 2>"$STATE/loadgen.log" &
LG_PID=$!
PIDS="$PIDS $LG_PID"
# Wait until the publisher and both subscribers are connected, then let media and
# bandwidth probing run a while.
for _ in $(seq 100); do
    [ "$(grep -c "connected via" "$STATE/sfu-media.log")" -ge 3 ] && break
    sleep 0.1
done
sleep 4
kill -0 "$LG_PID" 2>/dev/null || fail "kn-loadgen ended before the signal"
stop_sfu media
kill -TERM "$SIG_PID" "$LG_PID" 2>/dev/null
for _ in $(seq 30); do kill -0 "$SIG_PID" 2>/dev/null || kill -0 "$LG_PID" 2>/dev/null || break; sleep 0.1; done
echo "PASS test_sfu_shutdown"
