#!/usr/bin/env python3
"""benchjson.py: small JSON helpers for bench/lib.sh (kept out of the shell).

  merge LINE TARGET X EXIT IDLE_RSS AFTER_RSS ARGS  -> kn-loadgen line + point fields
                                                       (+ commit from $KN_COMMIT, rep from
                                                       $KN_REP, date)
  summary LINE                                      -> one human line for stderr
  good LINE                                         -> subscribers.good_pct, "" if no result
  lowest GOOD PREV                                  -> the lower of two good_pct ("" = no
                                                       result is lowest; PREV "unset" = none yet)
"""
import json
import os
import sys
import time


def merge(line, target, x, code, idle, after, args):
    try:
        r = json.loads(line)
    except ValueError:
        r = {"error": "no result line"}
    r.setdefault("target", target)
    r.update({"x": float(x), "exit": int(code), "idle_rss_kb": int(idle),
              "rss_after_kb": int(after), "args": args,
              "commit": os.environ.get("KN_COMMIT", ""), "rep": int(os.environ.get("KN_REP", "1")),
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})
    return json.dumps(r)


def summary(line):
    r = json.loads(line)
    s, g, v = r.get("subscribers", {}), r.get("generator", {}), r.get("server", {})
    j = s.get("join", {})
    return (f"  {r.get('scenario', '?')} {r['target']:6} x={r['x']:g} rep={r.get('rep', 1)} exit={r['exit']} "
            f"subs={s.get('connected', 0)}/{s.get('count', 0)} good={s.get('good_pct', 0):.1f}% "
            f"fps_p50={s.get('fps_p50', 0):.1f} loss={s.get('loss_pct', 0):.2f}% "
            f"pps_in={s.get('pps', 0):.0f} server_cpu={v.get('cpu_pct', 0):.1f}% "
            f"gen_cpu={g.get('cpu_pct', 0):.1f}% lat_p50/p99={s.get('latency_p50_ms', 0):.2f}/"
            f"{s.get('latency_p99_ms', 0):.2f}ms ttff_p50/p99={j.get('first_frame_p50_ms', 0):.0f}/"
            f"{j.get('first_frame_p99_ms', 0):.0f}ms {r.get('error', '')}")


def good(line):
    r = json.loads(line)
    return "" if "error" in r else str(r["subscribers"]["good_pct"])


def lowest(g, prev):
    if prev == "unset":
        return g
    if g == "" or prev == "":
        return ""
    return g if float(g) < float(prev) else prev


if __name__ == "__main__":
    cmd, rest = sys.argv[1], sys.argv[2:]
    print({"merge": merge, "summary": summary, "good": good, "lowest": lowest}[cmd](*rest))
