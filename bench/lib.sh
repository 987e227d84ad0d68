# bench/lib.sh: shared by the capacity scenario scripts (bench/s*_*.sh); sourced, not run.
# Starts and stops the two servers under test on loopback, each pinned to CPU 0:
#   konsil: konsil-sfu (one process) + konsil-signaling (KONSIL_SFU = that SFU), HTTPS;
#   janus:  Debian's /usr/bin/janus 1.1.2 VideoRoom (loadgen/janus/write_conf.sh, lo_ifaddrs.so).
# kn_point runs ONE measurement point against both servers in turn (Konsil, then Janus),
# each on a freshly started server (so RSS and CPU start from the same state), with
# kn-loadgen pinned to CPU 1 and the same SRTP profile (KN_SRTP, default gcm), holding
# the shared benchmark lock (KN_BENCH_LOCK; "none" under ctest, which already runs such tests
# serially and may itself be run under that lock) for the whole point. One JSON line per server
# is appended to the output file: kn-loadgen's result plus "x" (the point's load value),
# "exit" (kn-loadgen's exit code), "idle_rss_kb" (server RSS before any peer joined) and
# "rss_after_kb" (after the peers left). Stops exactly the PIDs it started.
KN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KN_BIN=${KONSIL_BIN_DIR:-$KN_ROOT/build/bin}
KN_LOCK=${KN_BENCH_LOCK:-/tmp/kn-browser.lock}
KN_SRTP=${KN_SRTP:-gcm}
KN_TARGETS=${KN_TARGETS:-konsil janus}
KN_SERVER_CPU=${KN_SERVER_CPU:-0}
KN_GEN_CPU=${KN_GEN_CPU:-1}
# The commit whose binaries run (run_all.sh sets it for its snapshot build); in every result line.
KN_COMMIT=${KN_COMMIT:-$(git -C "$KN_ROOT" rev-parse --short HEAD 2>/dev/null)}
export KN_COMMIT
# Warm-up before the window, both servers: konsil-sfu's bandwidth estimator starts each
# subscriber at 300 kbit/s and needs a few seconds to allow the 1.2 Mbit/s top layer.
KN_WARMUP=${KN_WARMUP:-8}
KN_PIDS=""
KN_STATE=""
KN_STOP_SIG=TERM

kn_free_port() {
    python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); t=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
p=s.getsockname()[1]; t.bind(("127.0.0.1",p)); print(p)'
}

kn_rss_kb() {
    local total=0 pid v
    for pid in "$@"; do
        v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

# kn_stop: stops the server PIDs this library started (TERM/INT, 5 s, then KILL).
kn_stop() {
    local pid
    for pid in $KN_PIDS; do kill "-${KN_STOP_SIG:-TERM}" "$pid" 2>/dev/null; done
    for pid in $KN_PIDS; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    KN_PIDS=""
    [ -n "$KN_STATE" ] && [ -z "${KONSIL_KEEP_STATE:-}" ] && rm -rf "$KN_STATE"
    KN_STATE=""
}

# kn_start_konsil: sets KN_ARGS (kn-loadgen target arguments) and KN_SERVER_PIDS.
kn_start_konsil() {
    local port media secret sfu sig
    KN_STATE=$(mktemp -d /tmp/kn-bench.XXXXXX)
    KN_STOP_SIG=TERM
    port=$(kn_free_port)
    media=$(kn_free_port)
    secret=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
    taskset -c "$KN_SERVER_CPU" "$KN_BIN/konsil-sfu" --port "$media" --announce-ip 127.0.0.1 \
        --bind-ip 127.0.0.1 --control "unix:$KN_STATE/sfu-0.sock" --log-level warn \
        >"$KN_STATE/sfu.log" 2>&1 &
    sfu=$!
    KN_PIDS="$sfu"
    for _ in $(seq 100); do [ -S "$KN_STATE/sfu-0.sock" ] && break; sleep 0.1; done
    KONSIL_STATE_DIR=$KN_STATE KONSIL_LISTEN=127.0.0.1:$port KONSIL_TOKEN_SECRET=$secret \
        KONSIL_TLS=on KONSIL_SFU="unix:$KN_STATE/sfu-0.sock" \
        taskset -c "$KN_SERVER_CPU" "$KN_BIN/konsil-signaling" >"$KN_STATE/signaling.log" 2>&1 &
    sig=$!
    KN_PIDS="$sig $sfu"
    for _ in $(seq 150); do
        curl -sfk -o /dev/null "https://127.0.0.1:$port/readyz" && break
        sleep 0.1
    done
    curl -sfk -o /dev/null "https://127.0.0.1:$port/readyz" || { echo "konsil did not start" >&2; return 1; }
    KN_ARGS="--server https://127.0.0.1:$port --secret $secret --room bench"
    KN_SERVER_PIDS="$sfu $sig"
}

kn_start_janus() {
    local port base janus
    [ -x /usr/bin/janus ] || { echo "/usr/bin/janus missing (apt-get install janus)" >&2; return 1; }
    KN_STATE=$(mktemp -d /tmp/kn-bench-janus.XXXXXX)
    KN_STOP_SIG=INT
    port=$(kn_free_port)
    base=$((20000 + RANDOM % 20000))
    "$KN_ROOT/bench/loadgen/janus/write_conf.sh" "$KN_STATE/conf" "$port" "$base-$((base + 3999))"
    LD_PRELOAD="$KN_BIN/lo_ifaddrs.so" taskset -c "$KN_SERVER_CPU" /usr/bin/janus \
        -F "$KN_STATE/conf" -L "$KN_STATE/janus.log" -N -o >"$KN_STATE/janus.out" 2>&1 &
    janus=$!
    KN_PIDS="$janus"
    for _ in $(seq 100); do
        kill -0 "$janus" 2>/dev/null || break
        curl -sf -o /dev/null "http://127.0.0.1:$port/janus/info" && break
        sleep 0.1
    done
    curl -sf -o /dev/null "http://127.0.0.1:$port/janus/info" || { echo "janus did not start" >&2; return 1; }
    KN_ARGS="--janus http://127.0.0.1:$port/janus --room 1000"
    KN_SERVER_PIDS="$janus"
}

# kn_point OUT X LOADGEN_ARGS...: one point, every target in KN_TARGETS; sets
# KN_LAST_<target> to the "good_pct" of the run ("" when it failed to produce results).
# A light point (X <= KN_LIGHT_X, default 0 = none) runs KN_LIGHT_REPS times (default 3),
# the targets' order reversed every other time; each line carries "rep", KN_LAST_<target>
# is the lowest good_pct of the reps and bench/plot.py keeps the median run.
kn_point() {
    local out=$1 x=$2 target line rc idle after pidargs pid reps=1 rep order g
    shift 2
    [ "${x%.*}" -le "${KN_LIGHT_X:-0}" ] && reps=${KN_LIGHT_REPS:-3}
    if [ "$KN_LOCK" != none ]; then
        exec {lockfd}>"$KN_LOCK"
        flock "$lockfd"
    fi
    for target in $KN_TARGETS; do eval "KN_LAST_$target=unset"; done
    for rep in $(seq "$reps"); do
        order=$KN_TARGETS
        [ $((rep % 2)) = 0 ] && order=$(echo "$KN_TARGETS" | tr ' ' '\n' | tac | tr '\n' ' ')
        for target in $order; do
            if ! "kn_start_$target"; then
                kn_stop
                eval "KN_LAST_$target="
                continue
            fi
            sleep 0.5
            idle=$(kn_rss_kb $KN_SERVER_PIDS)
            pidargs=""
            for pid in $KN_SERVER_PIDS; do pidargs="$pidargs --server-pid $pid"; done
            # shellcheck disable=SC2086
            line=$("$KN_BIN/kn-loadgen" $KN_ARGS --cpu "$KN_GEN_CPU" --srtp "$KN_SRTP" --brief --warmup "$KN_WARMUP" \
                $pidargs "$@" 2>"/tmp/kn-bench-$(basename "$out").$target.err")
            rc=$?
            after=$(kn_rss_kb $KN_SERVER_PIDS)
            kn_stop
            line=$(KN_REP=$rep python3 "$KN_ROOT/bench/benchjson.py" merge "$line" "$target" "$x" "$rc" \
                "$idle" "$after" "$*")
            echo "$line" >>"$out"
            python3 "$KN_ROOT/bench/benchjson.py" summary "$line" >&2
            g=$(python3 "$KN_ROOT/bench/benchjson.py" good "$line")
            eval "KN_LAST_$target=\$(python3 \"\$KN_ROOT/bench/benchjson.py\" lowest \"\$g\" \"\$KN_LAST_$target\")"
        done
    done
    if [ "$KN_LOCK" != none ]; then
        flock -u "$lockfd"
        exec {lockfd}>&-
    fi
}

# kn_rooms_until_drop OUT ROOM_SIZE R...: the room scenarios' stop rule. Adds rooms
# (the R list, ascending) until fewer than 99 % of subscribers get >= 25 frames/s with
# < 1 % loss (or the run fails or the generator saturates); each target stops on its own.
kn_rooms_until_drop() {
    local out=$1 size=$2 r t alive targets=$KN_TARGETS
    shift 2
    for r in "$@"; do
        [ -n "$targets" ] || break
        KN_TARGETS=$targets kn_point "$out" "$r" --rooms "$r" --room-size "$size" \
            $KN_ROOM_ARGS
        alive=""
        for t in $targets; do
            eval "g=\${KN_LAST_$t:-}"
            if [ -n "$g" ] && python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 99 else 1)' "$g"; then
                alive="$alive $t"
            else
                echo "  $t: stop rule reached at $r rooms (good ${g:-no result})" >&2
            fi
        done
        targets=$alive
    done
}

kn_usage_common() {
    echo "  --out FILE   JSON lines (default bench/results/<scenario>.jsonl, replaced)" >&2
    echo "  env: KN_TARGETS ($KN_TARGETS), KN_SRTP ($KN_SRTP), KN_WARMUP ($KN_WARMUP s), KN_BENCH_LOCK ($KN_LOCK)" >&2
}

trap kn_stop EXIT
trap 'kn_stop; exit 130' INT TERM
