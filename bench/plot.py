#!/usr/bin/python3
"""plot.py: turns the capacity results (bench/results/*.jsonl, written by the bench/s*_*.sh
scenario scripts through bench/lib.sh, plus env.json from bench/run_all.sh) into PNG plots in
docs/bench/ and the generated capacity section of docs/benchmarks.md (between the
capacity:begin/end markers; the micro section and hand-written text outside the markers are kept).

Derived figures (per JSON line = one server at one load point):
  fwd pps       = packets/s all subscribers received in the window (what the server forwarded
                  and delivered; audio ~100 B, video <= 1200 B payloads)
  us/fwd pkt    = server CPU seconds (SFU + signaling, or Janus) / forwarded packets
  pps/core      = 1e6 / us per forwarded packet (projection to one busy core)
  MB/participant= (server RSS with everyone joined - RSS of the idle server) / participants
Usage: bench/plot.py [--results DIR] [--docs DIR]
"""
import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN = "<!-- capacity:begin (written by bench/plot.py) -->"
END = "<!-- capacity:end -->"
SERVERS = ("konsil", "janus")
LABEL = {"konsil": "Konsil", "janus": "Janus 1.1.2"}
COLOR = {"konsil": "tab:blue", "janus": "tab:orange"}


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def valid(r):
    return "error" not in r and "subscribers" in r


def participants(r):
    if r.get("rooms"):
        return r["rooms"] * r["room_size"]
    return r["publishers"]["count"] + r["subscribers"]["count"]


def derive(r):
    """Adds the derived figures to a valid result."""
    s, v = r["subscribers"], r["server"]
    fwd = s["packets"]
    r["fwd_pps"] = s["pps"]
    r["us_per_pkt"] = 1e6 * v["cpu_s"] / fwd if fwd else float("nan")
    r["pps_core"] = 1e6 / r["us_per_pkt"] if fwd and v["cpu_s"] > 0 else float("nan")
    grow = v["rss_kb"] - r.get("idle_rss_kb", 0)
    r["mb_per_participant"] = grow / 1024.0 / participants(r)
    return r


def median_reps(rows):
    """Light points are run several times (bench/lib.sh KN_LIGHT_REPS, alternating which server
    goes first): per server and load, keep the valid run with the median CPU per forwarded
    packet and note every run's figure in "rep_us"; a point without any valid run keeps its
    first line."""
    groups = {}
    for r in rows:
        groups.setdefault((r["target"], r["x"]), []).append(r)
    out = []
    for rs in groups.values():
        ok = sorted((r for r in rs if valid(r)), key=lambda r: r["us_per_pkt"])
        if not ok:
            out.append(rs[0])
            continue
        pick = ok[(len(ok) - 1) // 2]
        if len(ok) > 1:
            pick["rep_us"] = [r["us_per_pkt"] for r in ok]
        out.append(pick)
    return out


def fmt(v, nd=1):
    if v is None or v != v:
        return "–"
    return f"{v:,.{nd}f}"


def row(r):
    if not valid(r):
        g = r.get("generator", {})
        why = r.get("error", "?")
        if g.get("saturated"):
            why = f"refused: generator at {g.get('cpu_pct', 0):.0f} % of its core"
        elif "stalled" in why:
            why = (f"refused: generator loop stalled ({g.get('stalls_over_50ms', 0)} stalls > 50 ms, "
                   f"max {g.get('max_tick_gap_ms', 0):.0f} ms; {g.get('cpu_pct', 0):.0f} % of its core)")
        return f"| {r['x']:g} | {LABEL[r['target']]} | {why} |" + " |" * 10
    s, v, g, j = r["subscribers"], r["server"], r["generator"], r["subscribers"].get("join", {})
    cpu = fmt(v["cpu_pct"])
    core = v.get("core", {}).get("busy_pct")
    if core is not None and core - v["cpu_pct"] > 10:  # other processes shared the server's core
        cpu += f" (**core {core:.0f} % busy: shared**)"
    return (f"| {r['x']:g} | {LABEL[r['target']]} | {s['connected']}/{s['count']} | "
            f"{fmt(s['good_pct'])} | {fmt(s['fps_p50'])} / {fmt(s['fps_min'])} | "
            f"{fmt(s['loss_pct'], 2)} | {fmt(r['fwd_pps'], 0)} | {cpu} | "
            f"{fmt(r['us_per_pkt'], 2)}{reps_note(r)} | {fmt(s['latency_p50_ms'], 2)} / {fmt(s['latency_p99_ms'], 2)} | "
            f"{fmt(j.get('first_frame_p50_ms'), 0)} / {fmt(j.get('first_frame_p99_ms'), 0)} | "
            f"{fmt(v['rss_kb'] / 1024.0)} ({fmt(r['mb_per_participant'], 3)}) | {fmt(g['cpu_pct'])} |")


def reps_note(r):
    us = r.get("rep_us")
    if not us:
        return ""
    return f" (median of {len(us)} runs: {', '.join(fmt(u, 2) for u in us)})"


HEADER = ("| load | server | subs connected | good % (≥25 fps, <1 % loss) | fps p50 / min | loss % | "
          "fwd pkt/s | server CPU % of a core | µs CPU / fwd pkt | latency p50 / p99 ms | "
          "first frame p50 / p99 ms | RSS MB (MB per participant) | generator CPU % |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def table(rows):
    rows = sorted(rows, key=lambda r: (r["x"], SERVERS.index(r["target"])))
    return HEADER + "\n" + "\n".join(row(r) for r in rows)


def by_server(rows):
    return {t: sorted([r for r in rows if r["target"] == t and valid(r)], key=lambda r: r["x"])
            for t in SERVERS}


def plot_cpu(rows, path):
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for t, rs in by_server(rows).items():
        if rs:
            ax.plot([r["fwd_pps"] for r in rs], [r["server"]["cpu_pct"] for r in rs], "o-",
                    color=COLOR[t], label=LABEL[t])
    ax.set_xlabel("forwarded packets/s (all subscribers)")
    ax.set_ylabel("server CPU, % of one core")
    ax.set_title("Scenario 1 fan-out: CPU vs load (AEAD_AES_128_GCM)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_latency(rows, path):
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for t, rs in by_server(rows).items():
        if rs:
            xs = [r["x"] for r in rs]
            ax.plot(xs, [r["subscribers"]["latency_p50_ms"] for r in rs], "o-", color=COLOR[t],
                    label=f"{LABEL[t]} p50")
            ax.plot(xs, [r["subscribers"]["latency_p99_ms"] for r in rs], "s--", color=COLOR[t],
                    label=f"{LABEL[t]} p99")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("subscribers (1 publisher)")
    ax.set_ylabel("publisher → subscriber latency, ms")
    ax.set_title("Scenario 1 fan-out: latency percentiles vs load")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_pps(rows, path):
    """Scenario 6: latency percentiles and server CPU against the forwarded packet rate."""
    fig, ax = plt.subplots(figsize=(6.4, 4))
    ax2 = ax.twinx()
    for t, rs in by_server(rows).items():
        if not rs:
            continue
        xs = [r["fwd_pps"] / 1000 for r in rs]
        ax.plot(xs, [r["subscribers"]["latency_p50_ms"] for r in rs], "o-", color=COLOR[t],
                label=f"{LABEL[t]} latency p50")
        ax.plot(xs, [r["subscribers"]["latency_p99_ms"] for r in rs], "s--", color=COLOR[t],
                label=f"{LABEL[t]} latency p99")
        ax2.plot(xs, [r["server"]["cpu_pct"] for r in rs], "^:", color="tab:gray",
                 label=f"{LABEL[t]} server CPU %")
    ax.axhline(2.0, color="tab:red", lw=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("forwarded packets/s, thousands (1200 B, 12 subscribers per publisher)")
    ax.set_ylabel("publisher → subscriber latency, ms")
    ax2.set_ylabel("server CPU, % of one core")
    ax2.set_ylim(0, 100)
    ax.set_title("Scenario 6: latency and CPU vs forwarded packet rate (GCM)")
    ax.grid(alpha=0.3, which="both")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_memory(s, path):
    """Server RSS against participants over every scenario, per server."""
    fig, ax = plt.subplots(figsize=(6.4, 4))
    marks = {"s1_fanout": "o", "s2_group": "s", "s3_consult": "^", "s4_evening": "D",
             "s5_joinstorm": "v", "s6_pps": "x"}
    for t in SERVERS:
        for n, m in marks.items():
            rs = [r for r in s.get(n, []) if r["target"] == t and valid(r)]
            if rs:
                ax.plot([participants(r) for r in rs], [r["server"]["rss_kb"] / 1024.0 for r in rs],
                        m, color=COLOR[t], label=f"{LABEL[t]} {n.split('_')[0]}")
    ax.set_xscale("log")
    ax.set_xlabel("participants (rooms: people, each with 1 + size-1 connections; s1/s6: connections)")
    ax.set_ylabel("server RSS, MB (everyone joined)")
    ax.set_title("Memory vs participants")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def memory_table(s):
    """Least-squares RSS = base + per_participant * participants, per server and scenario."""
    out = ["| scenario | server | points | MB at the idle server (fit) | kB per participant (fit) | "
           "largest point: participants, RSS MB |", "|---|---|---|---|---|---|"]
    for n in ("s1_fanout", "s2_group", "s3_consult", "s6_pps"):
        for t in SERVERS:
            rs = [r for r in s.get(n, []) if r["target"] == t and valid(r)]
            pts = [(participants(r), r["server"]["rss_kb"] / 1024.0) for r in rs]
            if len(pts) < 2:
                continue
            m = len(pts)
            mx, my = sum(p[0] for p in pts) / m, sum(p[1] for p in pts) / m
            sxx = sum((p[0] - mx) ** 2 for p in pts)
            b = sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx if sxx else 0.0
            top = max(pts)
            out.append(f"| {n} | {LABEL[t]} | {m} | {my - b * mx:.1f} | {1024 * b:.0f} | "
                       f"{top[0]}, {top[1]:.1f} |")
    return "\n".join(out)


def supported(rows, target):
    """Largest room count whose run met the quality rule (0 if none)."""
    ok = [r["x"] for r in rows if r["target"] == target and valid(r)
          and r["subscribers"]["good_pct"] >= 99.0]
    return max(ok) if ok else 0


def limit_reason(rows, target):
    rs = sorted([r for r in rows if r["target"] == target], key=lambda r: r["x"])
    for r in rs:
        if not valid(r):
            return (f"not measurable past {rs[rs.index(r) - 1]['x']:g} rooms with one generator core "
                    f"(at {r['x']:g}: {r.get('error', 'no result')})" if rs.index(r) > 0 else
                    f"stopped at {r['x']:g}: {r.get('error', 'no result')}")
        if r["subscribers"]["good_pct"] < 99.0:
            return f"quality dropped at {r['x']:g} rooms ({r['subscribers']['good_pct']:.1f} % good)"
    return f"never dropped up to {rs[-1]['x']:g} rooms (largest count tried)" if rs else "not run"


def plot_rooms(groups, path):
    fig, ax = plt.subplots(figsize=(6.4, 4))
    names = list(groups)
    width = 0.38
    for k, t in enumerate(SERVERS):
        vals = [supported(groups[n], t) for n in names]
        xs = [i + (k - 0.5) * width for i in range(len(names))]
        bars = ax.bar(xs, vals, width, color=COLOR[t], label=LABEL[t])
        # "≥": the quality never dropped up to the largest room count tried (a lower bound)
        ax.bar_label(bars, labels=[("≥%g" if "never" in limit_reason(groups[n], t)
                                    or "not measurable" in limit_reason(groups[n], t) else "%g") % v
                                   for n, v in zip(names, vals)])
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("rooms with ≥ 99 % subscribers at ≥ 25 fps, < 1 % loss")
    ax.set_title("Rooms supported on one server core\n(≥: no drop up to the largest count the generator could drive)", fontsize=10)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def shared_core(r):
    """The server's core was busier than the server by > 10 points: other processes ran there."""
    core = r["server"].get("core", {}).get("busy_pct")
    return core is not None and core - r["server"]["cpu_pct"] > 10


def unsaturated(r):
    """A point where the server kept up on a core of its own: quality rule met, below 90 % of
    its core, core not shared. Cost comparisons use only these (a saturated server's CPU per
    delivered packet is inflated)."""
    return (r["subscribers"]["good_pct"] >= 99.0 and r["server"]["cpu_pct"] < 90.0
            and not shared_core(r))


def linfit(rs):
    """Least squares cpu_fraction = a + b * fwd_pps over the unsaturated points with N >= 10;
    None if fewer than 2."""
    pts = [(r["fwd_pps"], r["server"]["cpu_pct"] / 100.0) for r in rs if r["x"] >= 10 and unsaturated(r)]
    if len(pts) < 2:
        return None
    n = len(pts)
    mx, my = sum(p[0] for p in pts) / n, sum(p[1] for p in pts) / n
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    b = sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx
    return my - b * mx, b


def pps_target_rows(s6):
    """The packet-rate and latency targets, measured in scenario 6 (not projected)."""
    k = by_server(s6)["konsil"]
    good = [r for r in k if unsaturated(r)]
    if not good:
        return ["| ≥ 150,000 forwarded pkt/s on one core | scenario 6 not run | – |"]
    best = max(good, key=lambda r: r["fwd_pps"])
    g, v, s = best["generator"], best["server"], best["subscribers"]
    rows = [f"| ≥ 150,000 forwarded pkt/s on one core (GCM, 10+ subscribers per publisher, 1200 B) | "
            f"**{fmt(best['fwd_pps'], 0)} pkt/s forwarded and received** (scenario 6, {best['x']:g} "
            f"publishers × {s['count'] // max(1, best['publishers']['count'])} subscribers, "
            f"{fmt(s['loss_pct'], 2)} % loss, {fmt(s['good_pct'])} % of subscribers ≥ 25 fps) with "
            f"konsil-sfu + konsil-signaling at {fmt(v['cpu_pct'])} % of their core → "
            f"{fmt(best['pps_core'], 0)} pkt/s per core (forwarded ÷ server CPU seconds, "
            f"{fmt(best['us_per_pkt'], 2)} µs per packet); generator {fmt(g['cpu_pct'])} % of its core, "
            f"not saturated | {'yes' if best['fwd_pps'] >= 150000 else 'no'} |"]
    sat = best["pps_core"]
    half = min(k, key=lambda r: abs(r["fwd_pps"] - 0.5 * sat))
    hs = half["subscribers"]
    rows.append(f"| p99 added latency < 2 ms at half the saturation load | p50 {hs['latency_p50_ms']:.2f} ms, "
                f"**p99 {hs['latency_p99_ms']:.2f} ms** at {fmt(half['fwd_pps'], 0)} pkt/s "
                f"({100 * half['fwd_pps'] / sat:.0f} % of the {fmt(sat, 0)} pkt/s per core above; server at "
                f"{fmt(half['server']['cpu_pct'])} %); publisher send → kernel receive time at the "
                f"subscriber's socket, paced publishers | {'yes' if hs['latency_p99_ms'] < 2.0 else 'no'} |")
    return rows


def targets_table(s1, s6, s2=(), s3=(), s1cm=()):
    """The issue's Konsil targets: packet rate and latency from scenario 6, the Janus ratio from
    scenarios 1-3 (each pair from the same run, same SRTP profile; scenario 1 also with
    AES_CM_128_HMAC_SHA1_80 when s1_fanout_cm.jsonl exists), memory from scenario 1."""
    bs = by_server(s1)
    k, j = bs["konsil"], bs["janus"]
    out = ["| target | measured | met? |", "|---|---|---|"] + pps_target_rows(s6)
    fit = {t: linfit(rs) for t, rs in bs.items()}
    for name, rows, unit, least in (("scenario 1", s1, "subscribers", 10), ("scenario 2", s2, "rooms of 9", 1),
                                    ("scenario 3", s3, "rooms of 3", 1),
                                    ("scenario 1, AES_CM_128_HMAC_SHA1_80", s1cm, "subscribers", 10)):
        b2 = by_server(rows)
        pairs = [(a, b) for a in b2["konsil"] for b in b2["janus"] if a["x"] == b["x"] and a["x"] >= least
                 and unsaturated(a) and unsaturated(b)]
        if not pairs:
            continue
        ratios = [a["us_per_pkt"] / b["us_per_pkt"] for a, b in pairs]
        worst = max(ratios)
        out.append(f"| ≤ 40 % of Janus's CPU per forwarded packet (same run, same profile), {name} | "
                   f"{', '.join('%g: %.1f %%' % (a['x'], 100 * q) for (a, _), q in zip(pairs, ratios))} "
                   f"({unit}: Konsil ÷ Janus µs/pkt, points where both kept up) | {'yes' if worst <= 0.40 else 'no'} |")
    if fit["konsil"] and fit["janus"] and fit["janus"][1] > 0:
        q = fit["konsil"][1] / fit["janus"][1]
        out.append(f"| (same, marginal) | Konsil {1e6 * fit['konsil'][1]:.2f} vs Janus "
                   f"{1e6 * fit['janus'][1]:.2f} µs per additional forwarded packet = {100 * q:.0f} % | "
                   f"{'yes' if q <= 0.40 else 'no'} |")
    if k:
        mem = [r for r in k if r["x"] >= 10]
        if mem:
            out.append("| memory per participant, and how it grows | " + ", ".join(
                f"{r['x']:g} subs: {1024 * r['mb_per_participant']:.0f} kB" for r in mem) +
                " (RSS growth of SFU + signaling over the idle server, per participant) | reported |")
    return "\n".join(out)


def env_section(env):
    if not env:
        return "(bench/results/env.json missing: run bench/run_all.sh)"
    lines = [f"- **Machine:** {env.get('cpu', '?')}, {env.get('nproc', '?')} vCPU, "
             f"{env.get('mem', '?')} RAM, kernel {env.get('kernel', '?')}, {env.get('os', '?')}; "
             f"shared with other work (runs hold a lock so benchmark runs do not overlap)",
             f"- **Versions:** Konsil commit `{env.get('commit', '?')}` ({env.get('tree', '')}), "
             f"Janus {env.get('janus', '?')} (Debian package, libsrtp2 on NSS), "
             f"libsrtp2 in Konsil: 2.5.0 on OpenSSL {env.get('openssl', '?')}",
             f"- **Run:** {env.get('date', '?')}, `{env.get('command', 'bench/run_all.sh')}`, "
             f"{env.get('duration', '?')}",
             "- **Setup:** all traffic on 127.0.0.1; the server under test (konsil-sfu + "
             "konsil-signaling, or Janus) pinned to CPU 0 and started fresh for each point; "
             "kn-loadgen (bench/loadgen, real ICE/DTLS/SRTP peers) pinned to CPU 1; "
             "SRTP profile AEAD_AES_128_GCM for both servers (`--srtp gcm`); at each load "
             "Konsil and Janus run back to back (light points: three times, alternating the order)"]
    return "\n".join(lines)


def section(res, env):
    s = {n: median_reps([derive(r) if valid(r) else r for r in load(os.path.join(res, f"{n}.jsonl"))])
         for n in ("s1_fanout", "s1_fanout_cm", "s2_group", "s3_consult", "s4_evening", "s5_joinstorm",
                   "s6_pps")}
    groups = {"rooms of 9 (s2)": s["s2_group"], "rooms of 3 (s3)": s["s3_consult"]}
    out = [BEGIN, "## Capacity: Konsil vs Janus (bench/run_all.sh)", "", env_section(env), "",
           "Columns: *good %* = subscribers with ≥ 25 complete frames/s and < 1 % loss (after NACK "
           "repair); *fwd pkt/s* = packets/s all subscribers received; *µs CPU / fwd pkt* = server "
           "CPU time (both Konsil processes, or Janus) per such packet; latency = publisher send → "
           "subscriber receive of the same payload (bench/loadgen/README.md); *first frame* = "
           "join request → first complete video frame; RSS with everyone joined and, in brackets, "
           "its growth over the idle server per participant. A run whose generator used ≥ 90 % of "
           "its core is refused, not reported. Light points of scenarios 1 and 3 (≤ 10 subscribers, "
           "≤ 5 rooms: a server uses a few % of a core, its CPU is mostly wake-ups of ~50–100 µs "
           "each on this VM and varies ± 30 % from run to run) are run three times, alternating which server goes first; the row is the run with the median "
           "µs per packet and the cell lists all three. Server CPU is the threads' schedstat run time "
           "(ns), not 10 ms clock ticks (bench/loadgen/README.md).", "",
           "### Konsil targets", "",
           targets_table(s["s1_fanout"], s["s6_pps"], s["s2_group"], s["s3_consult"], s["s1_fanout_cm"])
           if s["s1_fanout"] or s["s6_pps"] else "not run", ""]
    titles = {"s1_fanout": "Scenario 1: fan-out, 1 publisher (720p simulcast + Opus) → N subscribers (top layer); load = N",
              "s1_fanout_cm": "Scenario 1 with AES_CM_128_HMAC_SHA1_80 (the profile of the Janus reference figure in shared/notes/limits.md) for both servers; load = N",
              "s2_group": "Scenario 2: group therapy, rooms of 9 (everyone publishes 3-layer simulcast, watches the other 8); load = rooms",
              "s3_consult": "Scenario 3: doctor + patient + interpreter, rooms of 3; load = rooms",
              "s4_evening": "Scenario 4: information evening, 1 speaker → listeners; load = listeners",
              "s5_joinstorm": "Scenario 5: join storm, subscribers joining evenly within 10 s; load = peers",
              "s6_pps": "Scenario 6: raw forwarding rate, P publishers (12 Mbit/s VP8, ~1200 B packets, paced) × 12 subscribers each; load = P"}
    commands = {"s1_fanout_cm": "KN_SRTP=cm bench/s1_fanout.sh --out bench/results/s1_fanout_cm.jsonl 1 10 50 100 200"}
    for n, title in titles.items():
        if n in commands and not s[n]:
            continue
        runs = sorted({f"`{r['commit']}` {r.get('date', '')[:10]}" for r in s[n] if r.get("commit")})
        out += [f"### {title}", "", f"`{commands.get(n, f'bench/{n}.sh')}`" +
                (f" — binaries of commit {', '.join(runs)}" if runs else ""), ""]
        out += [table(s[n]) if s[n] else "not run in this pass", ""]
        if n in ("s2_group", "s3_consult") and s[n]:
            out += ["Stop rule: " + "; ".join(f"{LABEL[t]}: {limit_reason(s[n], t)}" for t in SERVERS), ""]
    out += ["### Memory per participant", "",
            "Least-squares line of server RSS (everyone joined) against participants, per scenario "
            "(konsil-sfu + konsil-signaling, or Janus); the slope is the memory per participant. A "
            "participant is a person: in the room scenarios one publish and (room size − 1) subscribe "
            "connections (9 PeerConnections in a room of 9, 3 in a room of 3); in scenarios 1 and 6 "
            "each publisher and each subscriber (one PeerConnection).", "",
            memory_table(s), ""]
    out += ["### Plots", "", "![CPU vs load](bench/cpu_vs_load.png)",
            "![latency vs load](bench/latency_vs_load.png)",
            "![latency and CPU vs packet rate](bench/pps_latency.png)",
            "![rooms supported](bench/rooms.png)", "![memory vs participants](bench/memory.png)", "", END]
    return "\n".join(out), s, groups


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--results", default=os.path.join(root, "bench", "results"))
    ap.add_argument("--docs", default=os.path.join(root, "docs"))
    a = ap.parse_args()
    envp = os.path.join(a.results, "env.json")
    env = json.load(open(envp)) if os.path.exists(envp) else {}
    text, s, groups = section(a.results, env)
    os.makedirs(os.path.join(a.docs, "bench"), exist_ok=True)
    plot_cpu(s["s1_fanout"], os.path.join(a.docs, "bench", "cpu_vs_load.png"))
    plot_latency(s["s1_fanout"], os.path.join(a.docs, "bench", "latency_vs_load.png"))
    plot_rooms(groups, os.path.join(a.docs, "bench", "rooms.png"))
    plot_pps(s["s6_pps"], os.path.join(a.docs, "bench", "pps_latency.png"))
    plot_memory(s, os.path.join(a.docs, "bench", "memory.png"))
    page = os.path.join(a.docs, "benchmarks.md")
    old = open(page).read() if os.path.exists(page) else "# Konsil benchmarks\n"
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + text + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    with open(page, "w") as f:
        f.write(new)
    print(f"wrote {page} and {os.path.join(a.docs, 'bench')}/*.png", file=sys.stderr)


if __name__ == "__main__":
    main()
