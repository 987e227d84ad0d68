#!/bin/sh
# bench/bwe/run.sh: reruns the browser bandwidth-estimation measurements for
# docs/bandwidth.md: scenarios steady600 (600 kbit/s for 60 s), step600 (600 kbit/s 30 s,
# then uncapped 30 s), cap250 (250 kbit/s 30 s), loss5 (20 s uncapped, then 5 % random loss
# 40 s), each a real Chromium publisher (1280x720 simulcast) and subscriber around
# build/bin/konsil-sfu (bench/bwe/scenario.mjs). Writes docs/bench/bwe/<name>.{json,csv},
# then bench/bwe/plot.py draws docs/bench/bwe/<name>.png and rewrites the table in
# docs/bandwidth.md. Needs root (namespaces, tc, nft). Usage: bench/bwe/run.sh [scenario...]
# Env: KN_BWE_OUT (default docs/bench/bwe), KN_BWE_NO_DOC=1 to skip the docs table.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${KN_BWE_OUT:-$root/docs/bench/bwe}
[ "$#" -gt 0 ] || set -- steady600 step600 cap250 loss5
[ -x "$root/build/bin/konsil-sfu" ] || { echo "build konsil-sfu first (cmake --build build)" >&2; exit 1; }
mkdir -p "$out"
fail=0
for s in "$@"; do
    echo "== $s"
    # One browser run at a time on the shared cores.
    flock /tmp/kn-browser.lock timeout 180 node "$here/scenario.mjs" "$s" "$out" || { echo "scenario $s failed" >&2; fail=1; }
done
doc=""
[ "${KN_BWE_NO_DOC:-0}" = 1 ] || doc="--doc $root/docs/bandwidth.md"
# shellcheck disable=SC2086
# The system python has python3-matplotlib (a pyenv python3 on PATH may not).
/usr/bin/python3 "$here/plot.py" "$out" $doc
exit $fail
