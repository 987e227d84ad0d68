#!/usr/bin/python3
"""test_ops_signaling.py: operations of konsil-signaling end to end on loopback
(docs/operations.md): konsil-signaling starting its own konsil-sfu, kn-loadgen as a
WHIP publisher + WHEP subscriber, room participants over the WebSocket.

Checks: /healthz, /readyz (JSON), /metrics (bearer token, content type, text format
0.0.4 well-formed, counters that grew with the media flow and the room; a stopped SFU
does not block the loop and is exported as konsil_sfu_up 0 after the timeout), every metric
the Grafana dashboard (docker/grafana/konsil-dashboard.json) queries is exported;
SIGHUP with a replaced certificate -> a new TLS connection sees the new certificate,
same PID, log level reloaded; SIGTERM with a running room -> /readyz 503 draining, a new
room refused (WebSocket and WHIP), the running room still takes a new participant and a
resume, exit 0 once the room ends; a second signal exits at once; the drain deadline
ends a room that does not end; every log line is a JSON object with ts, level, module,
msg, and neither logs nor metrics carry the pseudonym. Stops exactly the processes it
starts.
"""
import hashlib
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_ws_protocol import SECRET, WS, token  # noqa: E402  (shared RFC 6455 client)
from kn_testlib import check, child_pids, failures, free_port, https  # noqa: E402

SRC = os.environ.get("KONSIL_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("KONSIL_BIN_DIR", os.path.join(SRC, "build", "bin"))
DASHBOARD = os.path.join(SRC, "docker", "grafana", "konsil-dashboard.json")
METRICS_TOKEN = "scrape-token-4711"
PSEUDONYM = "Erika-Mustermann-Pseudonym"


def http(port, path, method="GET", headers=None, body=None):
    try:
        return https(f"https://127.0.0.1:{port}{path}", method, headers, body)
    except OSError:
        return 0, {}, ""


def scrape(port):
    st, h, body = http(port, "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    return st, h, body


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"'
                    r'(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*)\})? (?P<value>\S+)$')


def parse_metrics(text):
    """Checks the 0.0.4 text format; returns ({name: [(labels, value)]}, problems)."""
    families, samples, problems = {}, {}, []
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if line.startswith("# TYPE "):
                if parts[3] not in ("counter", "gauge", "histogram", "summary", "untyped"):
                    problems.append(line)
                if parts[2] in families:
                    problems.append("family twice: " + parts[2])
                families[parts[2]] = parts[3]
            continue
        m = SAMPLE.match(line)
        if not m:
            problems.append(line)
            continue
        name = m.group(1)
        base = re.sub(r"_(bucket|sum|count)$", "", name) if name not in families else name
        if base not in families:
            problems.append("sample without TYPE: " + name)
        try:
            v = float(m.group("value"))
        except ValueError:
            problems.append(line)
            continue
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"', m.group(3) or ""))
        samples.setdefault(name, []).append((labels, v))
    return samples, problems


def value(samples, name, **labels):
    return sum(v for lab, v in samples.get(name, []) if all(lab.get(k) == w for k, w in labels.items()))


def dashboard_metrics():
    d = json.load(open(DASHBOARD))
    names = set()
    for p in d["panels"]:
        for t in p.get("targets", []):
            names.update(re.findall(r"\b((?:konsil|process)_[a-zA-Z0-9_]+)\b", t["expr"]))
    return names


def make_cert(tmp, name):
    crt, key = os.path.join(tmp, f"{name}.crt"), os.path.join(tmp, f"{name}.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", crt, "-days", "2", "-subj", f"/CN={name}.konsil.test"],
                   check=True, capture_output=True)
    der = ssl.PEM_cert_to_DER_cert(open(crt).read())
    return crt, key, hashlib.sha256(der).hexdigest()


def served_fingerprint(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
            return hashlib.sha256(t.getpeercert(binary_form=True)).hexdigest()


class Server:
    def __init__(self, tmp, name, extra_env=None, config=None):
        self.port, media = free_port(also=socket.SOCK_DGRAM), free_port(also=socket.SOCK_DGRAM)
        self.log_path = os.path.join(tmp, f"{name}.log")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KONSIL_")}
        env.update(KONSIL_STATE_DIR=os.path.join(tmp, f"state-{name}"), KONSIL_LISTEN=f"127.0.0.1:{self.port}",
                   KONSIL_MEDIA_PORT=str(media), KONSIL_TOKEN_SECRET=SECRET, KONSIL_SFU_PROCESSES="1",
                   KONSIL_METRICS_TOKEN=METRICS_TOKEN, KONSIL_LOG_FORMAT="json",
                   KONSIL_RESUME_GRACE_MS="2000", **(extra_env or {}))
        args = [os.path.join(BIN, "konsil-signaling")] + (["--config", config] if config else [])
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=tmp)
        self.sfu = None

    def wait_ready(self, seconds=15):
        end = time.time() + seconds
        while time.time() < end and self.proc.poll() is None:
            if http(self.port, "/readyz")[0] == 200:
                kids = child_pids(self.proc.pid)
                self.sfu = kids[0] if kids else None
                return True
            time.sleep(0.1)
        return False

    def wait_exit(self, seconds):
        try:
            return self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.sfu:
            try:
                os.kill(self.sfu, signal.SIGKILL)
            except OSError:
                pass
        self.log.close()


def join(port, room, role="guest", pseudonym=PSEUDONYM):
    w = WS(port)
    w.send({"v": 1, "type": "join", "id": 1, "token": token(room, role), "pseudonym": pseudonym})
    return w, w.until("joined")


def check_endpoints(s):
    st, h, body = http(s.port, "/healthz")
    check(st == 200 and body.strip() == "ok", f"/healthz 200 ok ({st})")
    st, h, body = http(s.port, "/readyz")
    check(st == 200 and json.loads(body) == {"status": "ready"}, f"/readyz 200 {{'status':'ready'}} ({st} {body.strip()})")
    st, _, _ = http(s.port, "/metrics")
    check(st == 401, f"/metrics without the bearer token -> 401 ({st})")
    st, _, _ = http(s.port, "/metrics", headers={"Authorization": "Bearer wrong"})
    check(st == 401, f"/metrics with a wrong token -> 401 ({st})")
    st, _, _ = http(s.port, "/metrics", method="POST", body=b"x")
    check(st == 405, f"POST /metrics -> 405 ({st})")
    st, h, body = scrape(s.port)
    ctype = h.get("Content-Type", h.get("content-type", ""))
    check(st == 200 and ctype.startswith("text/plain; version=0.0.4"), f"/metrics 200, {ctype}")
    samples, problems = parse_metrics(body)
    check(not problems, f"/metrics is well-formed text format 0.0.4 ({problems[:3]})")
    check(value(samples, "konsil_sfu_up", sfu="0") == 1, "konsil_sfu_up{sfu=\"0\"} 1")
    return samples


def media_flow(s, tmp):
    gen = subprocess.run([os.path.join(BIN, "kn-loadgen"), "--server", f"https://127.0.0.1:{s.port}", "--secret",
                          SECRET, "--room", "whipops", "--publishers", "1", "--subscribers", "1", "--warmup", "3",
                          "--duration", "3", "--brief"], capture_output=True, text=True, timeout=90)
    check(gen.returncode == 0, f"kn-loadgen WHIP publisher + WHEP subscriber ran (exit {gen.returncode})")
    if gen.returncode != 0:
        open(os.path.join(tmp, "loadgen.err"), "w").write(gen.stderr[-3000:])


def check_counters(before, after):
    for name in ("konsil_sfu_forwarded_packets_total", "konsil_sfu_received_rtp_packets_total",
                 "konsil_sfu_sent_bytes_total", "konsil_sfu_received_bytes_total", "konsil_sfu_cpu_seconds_total"):
        b, a = value(before, name), value(after, name)
        check(a > b, f"{name} grew with the media flow ({b:.0f} -> {a:.0f})")
    check(value(after, "konsil_sfu_peers_closed_total") >= 2,
          f"konsil_sfu_peers_closed_total counts the two departed WHIP/WHEP peers ({value(after, 'konsil_sfu_peers_closed_total')})")
    check(value(after, "konsil_sfu_resident_memory_bytes") > 1e6 and value(after, "process_resident_memory_bytes") > 1e6,
          "resident memory of signaling and SFU exported")
    check(value(after, "konsil_http_requests_total", **{"class": "2xx"}) > value(before, "konsil_http_requests_total", **{"class": "2xx"}),
          "konsil_http_requests_total{class=\"2xx\"} grew")
    check(value(after, "konsil_sfu_bwe_estimate_bps_count") > 0,
          f"bandwidth-estimate histogram has samples ({value(after, 'konsil_sfu_bwe_estimate_bps_count'):.0f})")


def check_room_metrics(s):
    samples, _ = parse_metrics(scrape(s.port)[2])
    check(value(samples, "konsil_rooms") == 1 and value(samples, "konsil_participants", mode="p2p") == 2,
          f"one room, two participants in mode p2p ({value(samples, 'konsil_rooms')}, {value(samples, 'konsil_participants', mode='p2p')})")
    check(value(samples, "konsil_joins_total") >= 2 and value(samples, "konsil_ws_connections") >= 2,
          "konsil_joins_total and konsil_ws_connections count the participants")
    missing = sorted(n for n in dashboard_metrics() if n not in samples)
    check(not missing, f"every metric the Grafana dashboard queries is exported ({missing})")
    return samples


def check_reload(s, tmp, config, cert_b):
    fp_b = cert_b[2]
    before = served_fingerprint(s.port)
    for suffix, src in (("crt", cert_b[0]), ("key", cert_b[1])):
        with open(src) as f, open(os.path.join(tmp, f"cur.{suffix}"), "w") as g:
            g.write(f.read())
    with open(config, "a") as f:
        f.write("KONSIL_LOG_LEVEL=debug\n")
    pid = s.proc.pid
    s.proc.send_signal(signal.SIGHUP)
    end, after = time.time() + 5, before
    while time.time() < end and after != fp_b:
        time.sleep(0.2)
        after = served_fingerprint(s.port)
    check(before != fp_b and after == fp_b, f"SIGHUP: a new TLS connection sees the new certificate ({after[:16]})")
    check(s.proc.poll() is None and s.proc.pid == pid, f"SIGHUP: same process (pid {pid}) still running")
    check("reload: log level debug" in open(s.log_path).read(), "SIGHUP: log level from the config file reloaded")


def check_drain(s, host, guest, jg):
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    st, _, body = http(s.port, "/readyz")
    check(st == 503 and json.loads(body or "{}").get("reason") == "draining", f"draining: /readyz 503 draining ({st} {body.strip()})")
    samples, _ = parse_metrics(scrape(s.port)[2])
    check(value(samples, "konsil_draining") == 1 and value(samples, "konsil_ready") == 0, "draining: konsil_draining 1, konsil_ready 0")
    w = WS(s.port)
    w.send({"v": 1, "type": "join", "id": 1, "token": token("newroom", "host")})
    e = w.until("error")
    w.recv(1)
    check(e is not None and e["code"] == "unavailable" and e["fatal"] and w.closed == 1013,
          f"draining: a new room is refused (unavailable, close {w.closed})")
    w.close()
    st, _, _ = http(s.port, "/whip/newwhip", method="POST", body=b"v=0\r\n",
                    headers={"Authorization": f"Bearer {token('newwhip', 'publish')}", "Content-Type": "application/sdp"})
    check(st == 503, f"draining: WHIP for a new room -> 503 ({st})")
    third, j3 = join(s.port, "consult", "guest")
    check(j3 is not None, "draining: a new participant joins the running room")
    guest.close()
    g2 = WS(s.port)
    g2.send({"v": 1, "type": "resume", "id": 2, "resume_token": jg["resume_token"]})
    jr = g2.until("joined")
    check(jr is not None and jr.get("resumed") is True, "draining: a dropped participant resumes in the running room")
    check(s.proc.poll() is None, "draining: still running while the room is")
    for w in (host, g2, third):
        w.send({"v": 1, "type": "leave"})
    rc = s.wait_exit(15)
    check(rc == 0, f"drain: exit 0 once the room ended (rc {rc})")
    time.sleep(0.5)
    check(s.sfu is not None and not os.path.exists(f"/proc/{s.sfu}/status") or
          "Z" in open(f"/proc/{s.sfu}/status").read().split("State:")[1][:4], "drain: the SFU child ended too")
    for w in (host, g2, third):
        w.close()


def check_json_logs(path):
    bad, n = [], 0
    text = open(path).read()
    for line in text.splitlines():
        n += 1
        try:
            o = json.loads(line)
            if not all(isinstance(o.get(k), str) for k in ("ts", "level", "module", "msg")):
                bad.append(line)
        except ValueError:
            bad.append(line)
    check(n > 10 and not bad, f"{n} log lines (signaling and SFU) are JSON objects with ts, level, module, msg ({bad[:2]})")
    check(PSEUDONYM not in text, "the pseudonym is not in the log")


def settings_checks(tmp):
    """--help lists every setting of docs/configuration.md and no other; a bad value stops the start."""
    exe = os.path.join(BIN, "konsil-signaling")
    out = subprocess.run([exe, "--help"], capture_output=True, text=True).stdout
    helped = set(re.findall(r"^  (KONSIL_[A-Z0-9_]+) ", out, re.M))
    doc = open(os.path.join(SRC, "docs", "configuration.md")).read()
    section = doc.split("## konsil-signaling", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(KONSIL_[A-Z0-9_]+)` \|", section, re.M))
    check(len(helped) > 20 and helped == documented,
          f"--help and docs/configuration.md list the same {len(helped)} settings "
          f"(only in --help: {sorted(helped - documented)}, only in the doc: {sorted(documented - helped)})")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KONSIL_")}
    for name, bad in (("KONSIL_DRAIN_TIMEOUT", "1h"), ("KONSIL_LOG_FORMAT", "xml"), ("KONSIL_SMTP_PORT", "0")):
        r = subprocess.run([exe], env={**env, "KONSIL_STATE_DIR": os.path.join(tmp, "bad"), name: bad},
                           capture_output=True, text=True, timeout=10)
        check(r.returncode == 2 and name in r.stderr, f"{name}={bad} stops the start with exit 2 naming it ({r.stderr.strip()})")


def silent_sfu(s):
    """A stopped SFU (SIGSTOP) does not block the loop: /healthz answers during the scrape,
    which ends after KONSIL_METRICS_TIMEOUT_MS with konsil_sfu_up 0."""
    import threading
    os.kill(s.sfu, signal.SIGSTOP)
    try:
        got = {}
        t = threading.Thread(target=lambda: got.update(m=scrape(s.port), t=time.time()))
        t0 = time.time()
        t.start()
        time.sleep(0.2)
        st = http(s.port, "/healthz")[0]
        t_health = time.time() - t0
        t.join(10)
        st_m, _, body = got.get("m", (0, {}, ""))
        samples, problems = parse_metrics(body)
        check(st == 200 and t_health < 0.6, f"/healthz answers while a scrape waits for a stopped SFU ({t_health:.2f} s)")
        check(st_m == 200 and not problems and value(samples, "konsil_sfu_up", sfu="0") == 0 and
              0.7 < got.get("t", 0) - t0 < 3,
              f"scrape of a stopped SFU ends after the timeout with konsil_sfu_up 0 ({got.get('t', 0) - t0:.2f} s)")
    finally:
        os.kill(s.sfu, signal.SIGCONT)
    time.sleep(0.3)
    samples, _ = parse_metrics(scrape(s.port)[2])
    check(value(samples, "konsil_sfu_up", sfu="0") == 1, "after SIGCONT the SFU answers again (konsil_sfu_up 1)")


def second_signal_and_deadline(tmp):
    s = Server(tmp, "second", {"KONSIL_DRAIN_TIMEOUT": "60", "KONSIL_METRICS_TIMEOUT_MS": "800"})
    try:
        check(s.wait_ready(), "second server ready")
        silent_sfu(s)
        host, _ = join(s.port, "r2", "host")
        s.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        check(s.proc.poll() is None, "SIGTERM with a room: draining, not exited")
        t0 = time.time()
        s.proc.send_signal(signal.SIGINT)
        rc = s.wait_exit(5)
        check(rc == 0 and time.time() - t0 < 3, f"SIGINT while draining exits at once (rc {rc}, {time.time() - t0:.1f} s)")
        host.close()
    finally:
        s.stop()
    s = Server(tmp, "deadline", {"KONSIL_DRAIN_TIMEOUT": "2"})
    try:
        check(s.wait_ready(), "third server ready")
        host, _ = join(s.port, "r3", "host")
        t0 = time.time()
        s.proc.send_signal(signal.SIGTERM)
        rc = s.wait_exit(10)
        check(rc == 0 and 1.5 < time.time() - t0 < 6, f"drain deadline 2 s ends a running room, exit 0 (rc {rc}, {time.time() - t0:.1f} s)")
        host.close()
    finally:
        s.stop()


def main():
    for exe in ("konsil-signaling", "konsil-sfu", "kn-loadgen"):
        if not os.path.exists(os.path.join(BIN, exe)):
            print(f"FAIL {exe} not built in {BIN}")
            return 1
    tmp = tempfile.mkdtemp(prefix="kn-ops.")
    cert_a, cert_b = make_cert(tmp, "a"), make_cert(tmp, "b")
    for suffix, src in (("crt", cert_a[0]), ("key", cert_a[1])):
        with open(src) as f, open(os.path.join(tmp, f"cur.{suffix}"), "w") as g:
            g.write(f.read())
    config = os.path.join(tmp, "konsil.conf")
    with open(config, "w") as f:
        f.write(f"# test_ops_signaling\nKONSIL_TLS_CERT={tmp}/cur.crt\nKONSIL_TLS_KEY={tmp}/cur.key\n"
                "KONSIL_DRAIN_TIMEOUT=60\n")
    s = Server(tmp, "main", config=config)
    try:
        check(s.wait_ready(), f"konsil-signaling ready with its SFU (pid {s.proc.pid}, sfu {s.sfu})")
        before = check_endpoints(s)
        media_flow(s, tmp)
        after, _ = parse_metrics(scrape(s.port)[2])
        check_counters(before, after)
        host, _ = join(s.port, "consult", "host")
        guest, jg = join(s.port, "consult", "guest")
        check(jg is not None, "two participants in room consult")
        check_room_metrics(s)
        check_reload(s, tmp, config, cert_b)
        check(PSEUDONYM not in scrape(s.port)[2], "the pseudonym is not in /metrics")
        check_drain(s, host, guest, jg)
        s.stop()
        check_json_logs(s.log_path)
        second_signal_and_deadline(tmp)
        settings_checks(tmp)
    finally:
        s.stop()
        if failures:
            for f in ("main.log", "loadgen.err"):
                p = os.path.join(tmp, f)
                if os.path.exists(p):
                    print(f"--- {f}")
                    print("".join(open(p).readlines()[-25:]))
        subprocess.run(["rm", "-rf", tmp])
    print("PASS test_ops_signaling" if not failures else f"FAIL test_ops_signaling: {len(failures)} check(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
