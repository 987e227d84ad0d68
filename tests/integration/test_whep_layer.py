#!/usr/bin/python3
"""test_whep_layer.py: WHEP layer selection (docs/whip-whep.md "Choosing a simulcast
layer") end to end on loopback: konsil-sfu + konsil-signaling, kn-loadgen publishing
Opus + 3-layer VP8 simulcast (320x180 q / 640x360 h / 1280x720 f) and two WHEP
viewers that POST with ?max_spatial=1. Asserts: the SFU's video consumers of those
viewers carry max_spatial 1 and forward spatial layer 1 (peer.stats over the control
socket), and every video packet the viewers matched to the clip came from the
640x360 layer (none from 1280x720). Also: a bad layer query is 400, a layer query on
WHIP is 400. No timing assertions. Stops exactly the processes it starts.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

from kn_testlib import Ctl, check, failures, free_port, https, token

SRC = os.environ.get("KONSIL_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("KONSIL_BIN_DIR", os.path.join(SRC, "build", "bin"))


def post(url, tok, body=b"v=0\r\n"):
    st, _, text = https(url, "POST", {"Authorization": f"Bearer {tok}", "Content-Type": "application/sdp"}, body)
    return st, text


def stop(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main():
    tmp = tempfile.mkdtemp(prefix="kn-whep-layer.")
    port, media = free_port(also=socket.SOCK_DGRAM), free_port(also=socket.SOCK_DGRAM)
    secret = os.urandom(9).hex()
    sock = os.path.join(tmp, "sfu-0.sock")
    procs = []
    sfu = subprocess.Popen([f"{BIN}/konsil-sfu", "--port", str(media), "--announce-ip", "127.0.0.1",
                            "--bind-ip", "127.0.0.1", "--control", f"unix:{sock}"],
                           stdout=open(f"{tmp}/sfu.log", "w"), stderr=subprocess.STDOUT)
    procs.append(sfu)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        env = dict(os.environ, KONSIL_STATE_DIR=tmp, KONSIL_LISTEN=f"127.0.0.1:{port}",
                   KONSIL_TOKEN_SECRET=secret, KONSIL_TLS="on", KONSIL_SFU=f"unix:{sock}")
        siglog = f"{tmp}/signaling.log"
        sig = subprocess.Popen([f"{BIN}/konsil-signaling"], env=env, stdout=open(siglog, "w"),
                               stderr=subprocess.STDOUT)
        procs.insert(0, sig)
        base = f"https://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if post(base + "/healthz", "x")[0] in (405, 200):
                    break
            except OSError:
                pass
            time.sleep(0.1)

        st, text = post(base + "/whep/lay?max_spatial=3", token(secret, "lay", "subscribe"))
        check(st == 400 and "max_spatial" in text, f"WHEP ?max_spatial=3 -> 400 ({st} {text.strip()})")
        st, text = post(base + "/whep/lay?layer=h&max_spatial=1", token(secret, "lay", "subscribe"))
        check(st == 400, f"WHEP ?layer=h&max_spatial=1 -> 400 ({st} {text.strip()})")
        st, text = post(base + "/whip/lay?max_spatial=1", token(secret, "lay", "publish"))
        check(st == 400 and "WHEP" in text, f"WHIP with a layer query -> 400 ({st} {text.strip()})")

        cpu = "1" if os.cpu_count() > 1 else "0"
        gen = subprocess.Popen([f"{BIN}/kn-loadgen", "--server", base, "--secret", secret, "--room", "lay",
                                "--publishers", "1", "--subscribers", "2", "--sub-layer", "1",
                                "--warmup", "6", "--duration", "4", "--cpu", cpu, "--srtp", "gcm",
                                "--server-pid", str(sfu.pid)],
                               stdout=subprocess.PIPE, stderr=open(f"{tmp}/loadgen.err", "w"), text=True)
        procs.insert(0, gen)
        viewers = []
        deadline = time.time() + 20
        while time.time() < deadline and len(viewers) < 2 and gen.poll() is None:
            viewers = re.findall(r"viewer ([0-9a-f]{32}) in room lay", open(siglog).read())
            time.sleep(0.2)
        check(len(viewers) == 2, f"two WHEP viewers joined ({len(viewers)})")
        time.sleep(7)  # inside the measurement window: past the BWE ramp-up
        ctl = Ctl(sock)
        pub = re.findall(r"publisher ([0-9a-f]{32}) in room lay", open(siglog).read())
        r = ctl.request("peer.stats", room="lay", peer=pub[0] if pub else "-").get("result", {})
        video = [p["producer"] for p in r.get("producers", []) if p.get("kind") == "video"]
        check(len(video) == 1 and len(r["producers"][0 if r["producers"][0]["kind"] == "video" else 1]
                                      .get("encodings", [])) == 3, "the publisher's video producer has 3 encodings")
        for v in viewers:
            r = ctl.request("peer.stats", room="lay", peer=v).get("result", {})
            vids = [c for c in r.get("consumers", []) if c.get("producer") in video]
            lay = vids[0]["layers"] if vids else {}
            check(len(vids) == 1 and lay.get("max_spatial") == 1 and lay.get("spatial") == 1,
                  f"viewer {v[:8]}: video consumer max_spatial {lay.get('max_spatial')}, forwards spatial {lay.get('spatial')} (want 1, 1)"
                  + ("" if lay.get("spatial") == 1 else f"; layers {json.dumps(lay)}, bwe {json.dumps(r.get('bwe'))}"))
        out, _ = gen.communicate(timeout=60)
        check(gen.returncode == 0, f"kn-loadgen exit {gen.returncode}")
        res = json.loads(out) if out.strip() else {}
        subs = res.get("subscribers", {}).get("per_subscriber", [])
        check(len(subs) == 2, f"two subscribers reported ({len(subs)})")
        for s in subs:
            q, h, f = s.get("video_pkts_by_layer", [0, 0, 0])
            check(h > 0 and f == 0 and h >= 0.9 * (q + h + f),
                  f"subscriber {s.get('peer')}: matched video packets by layer q/h/f = {q}/{h}/{f} (all 640x360 once ramped up)")
    finally:
        stop(procs)
        if failures:
            for f in ("signaling.log", "sfu.log", "loadgen.err"):
                print(f"--- {f}")
                print("".join(open(os.path.join(tmp, f)).readlines()[-15:]))
        subprocess.run(["rm", "-rf", tmp])
    print("PASS test_whep_layer" if not failures else f"FAIL test_whep_layer: {len(failures)} check(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
