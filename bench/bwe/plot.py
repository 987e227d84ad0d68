#!/usr/bin/python3
"""bench/bwe/plot.py: plots the browser bandwidth-estimation runs written by
bench/bwe/scenario.mjs (<dir>/<name>.json) and builds the results table.

For each run: <dir>/<name>.png with three panels over time: the SFU's estimate, what the
SFU sent and what the subscriber received (kbit/s) next to the tbf cap, the publisher's
h/f layer bitrates and probe results (when recorded); the forwarded and
target simulcast layer (SFU) and the decoded height (subscriber); video loss per sample
and audio concealment. With --doc FILE the Markdown table between the markers
<!-- bwe-bench:begin --> and <!-- bwe-bench:end --> in FILE is regenerated (the rest of
the file is left as is). Usage: plot.py DIR [--doc docs/bandwidth.md]
"""
import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN, END = "<!-- bwe-bench:begin -->", "<!-- bwe-bench:end -->"
ORDER = ["steady600", "step600", "cap250", "loss5"]


def load(d):
    runs = []
    for f in sorted(os.listdir(d)):
        if f.endswith(".json"):
            with open(os.path.join(d, f)) as fh:
                j = json.load(fh)
            runs.append((os.path.splitext(f)[0], j))
    runs.sort(key=lambda r: ORDER.index(r[0]) if r[0] in ORDER else len(ORDER))
    return runs


def kbps(x):
    return None if x is None else x / 1000.0


def plot(name, j, path):
    s = j["series"]
    t = [r["t"] / 1000.0 for r in s]
    fig, ax = plt.subplots(3, 1, figsize=(10, 8), sharex=True, gridspec_kw={"height_ratios": [3, 1.4, 1.2]})
    a = ax[0]
    a.plot(t, [kbps(r["est"]) for r in s], label="SFU estimate", color="tab:blue", lw=1.6)
    a.plot(t, [r["tx_kbps"] for r in s], label="SFU sent (all, SRTP)", color="tab:gray", lw=0.8, alpha=0.8)
    a.plot(t, [r["rx_kbps"] for r in s], label="subscriber received (audio+video)", color="tab:green", lw=1.0)
    for key, lab, col in (("h_bps", "publisher layer h", "tab:olive"), ("f_bps", "publisher layer f", "tab:cyan")):
        if any(r.get(key) for r in s):
            a.plot(t, [kbps(r.get(key)) for r in s], label=lab, color=col, lw=0.7, ls=":")
    pt = [(x, kbps(r["last_probe_bps"])) for x, p, r in zip(t, s, s[1:])
          if r.get("probes_sent", 0) > p.get("probes_sent", 0) and r.get("last_probe_bps")]
    if pt:
        a.scatter([x for x, _ in pt], [y for _, y in pt], marker="x", color="black", s=18, label="probe result", zorder=5)
    cap = [r["cap_kbit"] if r["cap_kbit"] is not None else float("nan") for r in s]
    a.plot(t, cap, label="tbf cap", color="tab:red", lw=2, ls="--")
    a.set_ylabel("kbit/s")
    a.set_yscale("log")
    a.set_ylim(50, 6000)
    a.legend(loc="upper left", fontsize=8)
    a.grid(True, which="both", alpha=0.3)
    title = f"{name}: " + ", ".join(p["label"] + f" @{p['t'] / 1000:.0f}s" for p in j["meta"].get("phases", []))
    a.set_title(title)
    b = ax[1]
    b.step(t, [r["spatial"] for r in s], where="post", label="forwarded layer (SFU)", color="tab:purple")
    b.step(t, [r["target"] for r in s], where="post", label="target layer (SFU)", color="tab:orange", ls=":")
    b.set_ylabel("layer")
    b.set_yticks([-1, 0, 1, 2])
    b.set_yticklabels(["none", "q", "h", "f"])
    b2 = b.twinx()
    b2.plot(t, [r["h"] for r in s], color="tab:green", lw=0.8, alpha=0.7, label="decoded height")
    b2.set_ylabel("height (px)")
    b2.set_ylim(0, 800)
    b.legend(loc="upper left", fontsize=8)
    b2.legend(loc="upper right", fontsize=8)
    c = ax[2]
    vl, ac = [0.0], [0.0]
    for p, r in zip(s, s[1:]):
        rx, lost = r["vrx"] - p["vrx"], r["vlost"] - p["vlost"]
        vl.append(100.0 * max(0, lost) / max(1, rx + lost))
        n = r["asamples"] - p["asamples"]
        ac.append(100.0 * (r["aconc"] - p["aconc"]) / max(1, n))
    c.plot(t, vl, label="video loss % (per sample)", color="tab:red", lw=0.8)
    c.plot(t, ac, label="audio concealed %", color="tab:brown", lw=0.8)
    c.set_ylabel("%")
    c.set_xlabel("s since the subscriber's answer")
    c.legend(loc="upper right", fontsize=8)
    c.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def fmt(x, nd=0):
    return "–" if x is None else f"{x:.{nd}f}"


def row(name, j):
    m = j["meta"].get("m", {})
    lay = m.get("layers", {})
    layers = " → ".join("qhf"[x] for x in lay.get("layers", [])) or "none"
    if name.startswith("step"):
        up = next((r["t"] for r in j["series"] if r["t"] >= m["lift_ms"] and r["h"] == 720), None)
        up = None if up is None else up - m["lift_ms"]
        h, extra = m["capped"], f"cap lifted at {m['lift_ms'] / 1000:.0f} s → 720p decoded after {fmt(up)} ms"
    elif name.startswith("loss"):
        h = m["loss"]
        extra = (f"nft dropped {fmt(m['nft_drop_pct'], 1)} %; estimate uncapped {fmt(kbps(m['ref_est_median']))}k, "
                 f"under loss median {fmt(kbps(m['loss_est_median']))}k, min {fmt(kbps(m['loss_est_min']))}k "
                 f"(**{fmt(100 * m['min_ratio'], 0)} %**)")
    else:
        h = m
        extra = (f"estimate after 5 s: median {fmt(kbps(m['est_median']))}k, "
                 f"{fmt(kbps(m['est_min']))}–{fmt(kbps(m['est_max']))}k")
    link = j["meta"].get("cap_kbit")
    link = f"{link} kbit/s" if link else f"{j['meta'].get('loss_pct')} % loss"
    return (f"| {name} | {link} | {layers} ({lay.get('switches', 0)}) | {fmt(h['loss_pct'], 2)} | "
            f"{fmt(h['video_stall_ms'])} | {fmt(h['fps'], 1)} | {fmt(h['rx_kbps'])} | "
            f"{fmt(h['audio_stall_ms'])} / {fmt(h['aconc_pct'], 2)} | {extra} |")


def table(runs):
    head = ["| run | link | layers forwarded (switches) | video loss % | longest video gap ms | fps | received kbit/s | "
            "audio: longest gap ms / concealed % | notes |",
            "|---|---|---|---|---|---|---|---|---|"]
    rows = [row(n, j) for n, j in runs]
    pngs = " ".join(f"![{n}](bench/bwe/{n}.png)" for n, _ in runs)
    built = "; ".join(f"{n} {j['meta']['sfu']['date'][:16]}Z (HEAD {j['meta']['sfu']['head']}, konsil-sfu built "
                      f"{j['meta']['sfu']['mtime'][11:16]}Z)" for n, j in runs if j["meta"].get("sfu"))
    note = ("Window for loss/gaps/fps: from the first decoded frame to the end (steady, cap250), "
            "the capped phase (step600), the loss phase (loss5).")
    return "\n".join(head + rows + ["", note, "", f"Runs: {built}." if built else "", "", pngs])


def update_doc(doc, text):
    with open(doc) as fh:
        s = fh.read()
    if BEGIN not in s or END not in s:
        sys.exit(f"{doc}: markers {BEGIN} / {END} not found")
    a, b = s.index(BEGIN) + len(BEGIN), s.index(END)
    with open(doc, "w") as fh:
        fh.write(s[:a] + "\n" + text + "\n" + s[b:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--doc")
    a = ap.parse_args()
    runs = load(a.dir)
    if not runs:
        sys.exit(f"no runs in {a.dir}")
    for n, j in runs:
        p = os.path.join(a.dir, f"{n}.png")
        plot(n, j, p)
        print(f"wrote {p}")
    t = table(runs)
    print(t)
    if a.doc:
        update_doc(a.doc, t)


if __name__ == "__main__":
    main()
