#!/usr/bin/env bash
# test_bench_quick.sh: the quick variant of capacity scenario 1 as a CI smoke test:
# bench/s1_fanout.sh --quick (1 and 3 subscribers of a 3-layer simulcast publisher for
# 3 s, konsil-sfu + konsil-signaling, then Janus when /usr/bin/janus is installed).
# Asserts every run produced a result, every subscriber connected and completed frames,
# loss < 5 %, the AEAD_AES_128_GCM profile and a server CPU/RSS reading. Then scenario 6's
# --quick point (1 publisher x 2 subscribers, --verify-sample 8, paced). No timings.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mktemp /tmp/kn-bench-quick.XXXXXX)
trap 'rm -f "$OUT"' EXIT
TARGETS=konsil
[ -x /usr/bin/janus ] && TARGETS="konsil janus"
# No benchmark lock here: ctest runs integration tests serially and is often itself run
# under `flock /tmp/kn-browser.lock`, which this test would then wait on forever.
KN_BENCH_LOCK=none KN_TARGETS=$TARGETS "$ROOT/bench/s1_fanout.sh" --quick --out "$OUT" || { echo "FAIL: s1_fanout.sh exit $?"; exit 1; }
python3 - "$OUT" "$TARGETS" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
targets = sys.argv[2].split()
ok = len(lines) == 2 * len(targets)
print(f"{'ok  ' if ok else 'FAIL'} {len(lines)} results for {targets} x N=1,3")
for r in lines:
    name = f"{r['target']} N={r['x']:g}"
    good = r["exit"] == 0 and "error" not in r
    print(f"{'ok  ' if good else 'FAIL'} {name}: exit {r['exit']} {r.get('error', '')}")
    ok &= good
    if not good:
        continue
    s = r["subscribers"]
    c = s["connected"] == s["count"] == int(r["x"]) and s["frames"] > 0 and s["min_frames"] > 0
    l = s["loss_pct"] < 5.0
    p = r["publishers"]["srtp_profile"] == "AEAD_AES_128_GCM"
    v = all(x["rss_kb"] > 0 for x in r["server"]["pids"]) and r["idle_rss_kb"] > 0
    for cond, what in ((c, f"{s['connected']}/{s['count']} connected, min {s['min_frames']} frames"),
                       (l, f"loss {s['loss_pct']:.2f} % < 5 %"),
                       (p, f"profile {r['publishers']['srtp_profile']}"),
                       (v, "server RSS read")):
        print(f"{'ok  ' if cond else 'FAIL'} {name}: {what}")
        ok &= cond
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] || { echo "FAIL test_bench_quick"; exit 1; }
# Scenario 6's smoke variant: one noisy 12 Mbit/s layer, paced, subscribers decrypting 1 in 8.
KN_BENCH_LOCK=none KN_TARGETS=konsil "$ROOT/bench/s6_pps.sh" --quick --out "$OUT" || { echo "FAIL: s6_pps.sh exit $?"; exit 1; }
python3 - "$OUT" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][0]
s = r.get("subscribers", {})
checks = ((r["exit"] == 0 and "error" not in r, f"s6 quick: exit {r['exit']} {r.get('error', '')}"),
          (s.get("connected") == s.get("count") == 2 and s.get("min_frames", 0) > 0,
           f"s6 quick: {s.get('connected')}/{s.get('count')} connected, min {s.get('min_frames')} frames"),
          (s.get("loss_pct", 100) < 5.0, f"s6 quick: loss {s.get('loss_pct', 100):.2f} % < 5 %"),
          (r.get("verify_sample") == 8 and r.get("top_kbps") == 12000 and r.get("pace") == 2.5,
           f"s6 quick: verify_sample {r.get('verify_sample')}, top_kbps {r.get('top_kbps')}, pace {r.get('pace')}"),
          (s.get("latency_samples", 0) > 0, f"s6 quick: {s.get('latency_samples')} latency samples from decrypted packets"))
ok = True
for cond, what in checks:
    print(f"{'ok  ' if cond else 'FAIL'} {what}")
    ok &= cond
print("PASS test_bench_quick" if ok else "FAIL test_bench_quick")
sys.exit(0 if ok else 1)
PY
