#!/usr/bin/env bash
# run_all.sh: the single command that reruns every capacity scenario against Konsil and
# Janus and regenerates docs/benchmarks.md (capacity section) and docs/bench/*.png:
# builds the binaries, records the machine and versions (results/env.json), runs
# bench/s1_fanout.sh .. s6_pps.sh into bench/results/ (scenario 1 also with AES_CM_128_HMAC_SHA1_80
# up to 200 subscribers), then bench/plot.py.
# The micro section of the page (bench/micro/run.sh) is left as it is.
# Usage: bench/run_all.sh [--quick]   (--quick: scenario 1's smoke variant only, into
#        a temporary results folder; the page and plots are not touched)
# Env: KN_TARGETS, KN_SRTP, KN_BENCH_LOCK (bench/lib.sh); KONSIL_BIN_DIR to bench other binaries.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ "${1:-}" = --quick ]; then
    tmp=$(mktemp -d /tmp/kn-bench-quick.XXXXXX)
    bench/s1_fanout.sh --quick --out "$tmp/s1_fanout.jsonl"
    cat "$tmp/s1_fanout.jsonl"
    rm -rf "$tmp"
    exit 0
fi
commit=$(git -C "$ROOT" rev-parse --short HEAD)
if [ -z "${KONSIL_BIN_DIR:-}" ]; then
    # The committed tree only (the work tree is shared and may hold others' unfinished edits):
    # git archive HEAD into /tmp, default (RelWithDebInfo) build of the four binaries the scenarios run.
    snap=/tmp/kn-bench-src-$commit
    if [ ! -x "$snap/build/bin/kn-loadgen" ]; then
        rm -rf "$snap" && mkdir -p "$snap"
        git -C "$ROOT" archive HEAD | tar -x -C "$snap"
        ln -s "$ROOT/.deps" "$snap/.deps"
        cmake -S "$snap" -B "$snap/build" >/dev/null
        cmake --build "$snap/build" -j2 --target konsil-sfu konsil-signaling kn-loadgen kn_lo_ifaddrs
    fi
    export KONSIL_BIN_DIR=$snap/build/bin KN_COMMIT=$commit
    tree="git archive of HEAD, RelWithDebInfo build"
else
    tree="binaries from $KONSIL_BIN_DIR"
fi
RES=$ROOT/bench/results
mkdir -p "$RES"
start=$(date +%s)
bench/s1_fanout.sh
KN_SRTP=cm bench/s1_fanout.sh --out "$RES/s1_fanout_cm.jsonl" 1 10 50 100 200
bench/s3_consult.sh
bench/s5_joinstorm.sh
bench/s4_evening.sh
bench/s2_group.sh
bench/s6_pps.sh
python3 - "$RES/env.json" "$commit" "$tree" "$start" <<'PY'
import json, os, platform, subprocess, sys, time
def sh(c):
    return subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
out, commit, tree, start = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
env = {"commit": commit, "tree": tree, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(start)),
       "cpu": sh("lscpu | sed -n 's/^Model name: *//p'"), "nproc": os.cpu_count(),
       "mem": sh("free -g | awk '/Mem:/ {print $2 \" GiB\"}'"), "kernel": platform.release(),
       "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
       "janus": sh("dpkg-query -W -f='${Version}' janus"),
       "openssl": sh("openssl version | cut -d' ' -f2"),
       "command": "bench/run_all.sh",
       "duration": f"{(time.time() - start) / 60:.0f} min for all scenarios"}
json.dump(env, open(out, "w"), indent=1)
PY
/usr/bin/python3 bench/plot.py
