#!/usr/bin/env bash
# test_loadgen_janus.sh: kn-loadgen --janus against Debian's Janus 1.1.2 VideoRoom on loopback
# (bench/loadgen/run_janus.sh starts and stops exactly its Janus PID): 1 publisher (Opus + 3 VP8
# simulcast layers) and 2 subscribers for ~6 s. Asserts every subscriber connected and completed
# frames of the highest layer, and loss < 5 %. No timing assertions.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$("$ROOT/bench/loadgen/run_janus.sh" 6 2 2>/tmp/kn-loadgen-janus.$$.err)
RC=$?
echo "run_janus.sh exit $RC: $OUT"
cat /tmp/kn-loadgen-janus.$$.err
grep -q '^exit 0$' /tmp/kn-loadgen-janus.$$.err && LG_OK=1 || LG_OK=""
rm -f /tmp/kn-loadgen-janus.$$.err
[ -n "$LG_OK" ] || { echo "FAIL test_loadgen_janus: kn-loadgen did not exit 0"; exit 1; }
[ -n "$OUT" ] || { echo "FAIL test_loadgen_janus: no result line"; exit 1; }
python3 - "$OUT" <<'PY' || { echo "FAIL test_loadgen_janus"; exit 1; }
import json, sys
r = json.loads(sys.argv[1])
subs = r["subscribers"]["per_subscriber"]
ok = len(subs) == 2
print(f"{'ok  ' if ok else 'FAIL'} 2 subscribers reported")
for s in subs:
    c = s["connected"] and s["frames"] > 0
    print(f"{'ok  ' if c else 'FAIL'} subscriber {s['peer']}: connected, {s['frames']} frames")
    f = s["video_pkts_by_layer"][2] > 0
    print(f"{'ok  ' if f else 'FAIL'} subscriber {s['peer']}: layer f packets {s['video_pkts_by_layer']}")
    l = s["loss_pct"] < 5.0
    print(f"{'ok  ' if l else 'FAIL'} subscriber {s['peer']}: loss {s['loss_pct']:.2f} % < 5 %")
    ok = ok and c and f and l
sys.exit(0 if ok else 1)
PY
echo "PASS test_loadgen_janus"
