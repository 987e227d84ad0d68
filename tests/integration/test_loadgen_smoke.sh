#!/usr/bin/env bash
# test_loadgen_smoke.sh: kn-loadgen against a real konsil-signaling (+ its konsil-sfu
# SFU) on loopback: 1 publisher (Opus + 3 VP8 simulcast layers) and 3 subscribers
# for ~8 s (AEAD_AES_128_GCM), then 1 subscriber for ~3 s with AES_CM_128_HMAC_SHA1_80.
# Asserts every subscriber connected and completed frames, loss < 5 %, the profile.
# No timing assertions. Stops exactly the PIDs it started (signaling and
# the SFU) on every exit path.
set -u
BIN=${KONSIL_BIN_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin}
STATE=$(mktemp -d /tmp/kn-loadgen-smoke.XXXXXX)
SIG_PID=""
SFU_PID=""

cleanup() {
    for pid in $SIG_PID $SFU_PID; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in $SIG_PID $SFU_PID; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    done
    [ -n "${KONSIL_KEEP_STATE:-}" ] || rm -rf "$STATE"
}
trap cleanup EXIT
fail() {
    echo "FAIL test_loadgen_smoke: $*"
    tail -20 "$STATE/signaling.log" "$STATE/sfu.log" 2>/dev/null
    exit 1
}

free_port() {
    python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); t=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
p=s.getsockname()[1]; t.bind(("127.0.0.1",p)); print(p)'
}

[ -x "$BIN/konsil-signaling" ] && [ -x "$BIN/kn-loadgen" ] || fail "binaries not built in $BIN"
PORT=$(free_port)
MEDIA=$(free_port)
SECRET=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
# konsil-sfu is started first and handed to signaling as an external SFU (KONSIL_SFU), so
# both PIDs are ours from the start and signaling's first control connection succeeds.
"$BIN/konsil-sfu" --port "$MEDIA" --announce-ip 127.0.0.1 --bind-ip 127.0.0.1 \
    --control "unix:$STATE/sfu-0.sock" >"$STATE/sfu.log" 2>&1 &
SFU_PID=$!
for _ in $(seq 100); do
    [ -S "$STATE/sfu-0.sock" ] && break
    kill -0 "$SFU_PID" 2>/dev/null || fail "konsil-sfu exited"
    sleep 0.1
done
KONSIL_STATE_DIR=$STATE KONSIL_LISTEN=127.0.0.1:$PORT KONSIL_TOKEN_SECRET=$SECRET \
    KONSIL_TLS=on KONSIL_SFU="unix:$STATE/sfu-0.sock" "$BIN/konsil-signaling" \
    >"$STATE/signaling.log" 2>&1 &
SIG_PID=$!
UP=""
for _ in $(seq 150); do
    kill -0 "$SIG_PID" 2>/dev/null || fail "konsil-signaling exited"
    if curl -sfk -o /dev/null "https://127.0.0.1:$PORT/readyz"; then UP=1; break; fi
    sleep 0.1
done
[ -n "$UP" ] || fail "konsil-signaling not healthy"
echo "konsil-signaling pid $SIG_PID, konsil-sfu pid $SFU_PID, https://127.0.0.1:$PORT"

CPU=$(( $(nproc) > 1 ? 1 : 0 ))

# run ROOM SUBSCRIBERS SECONDS SRTP PROFILE: one kn-loadgen run and its assertions.
run() {
    local out rc
    out=$("$BIN/kn-loadgen" --server "https://127.0.0.1:$PORT" --secret "$SECRET" --room "$1" \
        --publishers 1 --subscribers "$2" --duration "$3" --srtp "$4" --cpu "$CPU" \
        --server-pid "$SFU_PID" --server-pid "$SIG_PID" 2>"$STATE/loadgen-$1.err")
    rc=$?
    echo "kn-loadgen ($1) exit $rc: $out"
    cat "$STATE/loadgen-$1.err"
    [ "$rc" -eq 3 ] && fail "generator saturated (run refused)"
    [ -n "$out" ] || fail "no result line"
    python3 - "$out" "$2" "$5" <<'PY' || fail "assertions ($1)"
import json, sys
r = json.loads(sys.argv[1])
want, profile = int(sys.argv[2]), sys.argv[3]
subs = r["subscribers"]["per_subscriber"]
ok = len(subs) == want
print(f"{'ok  ' if ok else 'FAIL'} {want} subscribers reported")
p = r["publishers"]["srtp_profile"] == profile
print(f"{'ok  ' if p else 'FAIL'} SRTP profile {r['publishers']['srtp_profile']} == {profile}")
for s in subs:
    c = s["connected"] and s["frames"] > 0 and s["packets"] > 0
    print(f"{'ok  ' if c else 'FAIL'} subscriber {s['peer']}: connected, {s['frames']} frames, {s['packets']} packets")
    l = s["loss_pct"] < 5.0
    print(f"{'ok  ' if l else 'FAIL'} subscriber {s['peer']}: loss {s['loss_pct']:.2f} % < 5 %")
    ok = ok and c and l
srv = r["server"]["pids"]
s = all(p["cpu_s"] >= 0 and p["rss_kb"] > 0 for p in srv)
print(f"{'ok  ' if s else 'FAIL'} server CPU and RSS read for {len(srv)} pids")
sys.exit(0 if ok and p and s else 1)
PY
    [ "$rc" -eq 0 ] || fail "kn-loadgen exit $rc"
}

run smoke 3 8 any AEAD_AES_128_GCM
run smokecm 1 3 cm AES_CM_128_HMAC_SHA1_80
echo "PASS test_loadgen_smoke"
