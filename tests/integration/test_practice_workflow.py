#!/usr/bin/python3
"""test_practice_workflow.py: issue 7's workflow API of konsil-signaling over
HTTPS on loopback (stdlib only, plus Debian's python3-aiosmtpd as the mail
server). Covers host-create (short password, second host refused), a bad
KONSIL_RETENTION_DAYS, login (wrong/right password, cookie flags, CSRF rules,
lock after 10 failures), an appointment whose invitation arrives at a real
local SMTP server (STARTTLS + AUTH) with link and code, patient join with a
wrong code (403), the right code, waiting positions 1 and 2 updated by long
poll, call -> "called" -> accept -> guest room token, admit, reject, end,
brute force (per-code lock and per-address limit: 429), logout everywhere,
and that neither the SQLite files nor the server's log contain the name the
patient would type (the page keeps it; the API has no field for it).
Stops exactly the processes it starts.
"""
import base64
import glob
import hashlib
import hmac
import shutil
import struct
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kn_stop import stop_signaling  # noqa: E402
from kn_testlib import check, failures, free_port, wait_for  # noqa: E402

SRC = os.environ.get("KONSIL_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("KONSIL_BIN_DIR", os.path.join(SRC, "build", "bin"))
SINK = os.path.join(SRC, "tests", "unit", "signaling", "smtp_sink.py")
PATIENT_NAME = "Erika Mustermann-Quendel"
OUT_DIR = [None]

class Client:
    def __init__(self, port, ctx):
        self.port, self.ctx, self.cookie = port, ctx, None

    def req(self, method, path, body=None, headers=None, timeout=10, keep_cookie=True):
        c = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=timeout)
        h = dict(headers or {})
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if self.cookie:
            h["Cookie"] = self.cookie
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read().decode(errors="replace")
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            sc = hdrs.get("set-cookie")
            if keep_cookie and sc:
                tok = sc.split(";")[0]
                self.cookie = tok if tok.split("=", 1)[1] else None
            try:
                js = json.loads(data)
            except ValueError:
                js = None
            return r.status, hdrs, js
        finally:
            c.close()

    def post(self, path, body, **kw):
        return self.req("POST", path, body, **kw)


def claims(tok):
    b = tok.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(b + "=" * (-len(b) % 4)))


def run(cmd, env, stdin=""):
    return subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True, timeout=60)


def host_create_checks(exe, env):
    base = [exe, "host-create", "--practice", "Praxis Dr. Test", "--role", "doctor"]
    r = run(base + ["--email", "dr@example.org"], env, "short\n")
    check(r.returncode != 0 and "password" in r.stderr, f"host-create with a short password fails ({r.returncode})")
    r = run(base + ["--email", "dr@example.org"], env, "correct horse battery\n")
    check(r.returncode == 0 and "created" in r.stdout, f"host-create creates the first host ({r.returncode} {r.stderr.strip()})")
    r = run(base + ["--email", "second@example.org"], env, "correct horse battery\n")
    check(r.returncode != 0 and "exists" in r.stderr, f"a second host-create is refused ({r.returncode})")
    r = run([exe, "host-create", "--practice", "X", "--email", "a@b.c", "--role", "janitor"], env)
    check(r.returncode == 2, f"host-create with an unknown role -> usage, exit 2 ({r.returncode})")
    r = run([exe], {**env, "KONSIL_RETENTION_DAYS": "91"})
    check(r.returncode != 0 and "KONSIL_RETENTION_DAYS" in r.stderr,
          f"KONSIL_RETENTION_DAYS=91 refuses to start with a message ({r.returncode})")


def login_checks(cl):
    st, _, js = cl.post("/api/login", {"email": "dr@example.org", "password": "wrong password!"})
    check(st == 401 and js == {"error": "wrong_login"}, f"wrong password -> 401 ({st} {js})")
    st, _, _ = cl.req("GET", "/api/me")
    check(st == 401, f"/api/me without a session -> 401 ({st})")
    st, h, js = cl.post("/api/login", {"email": "dr@example.org", "password": "correct horse battery"})
    sc = h.get("set-cookie", "")
    check(st == 200 and js.get("role") == "doctor", f"right password -> 200 ({st} {js})")
    check(all(f in sc for f in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/")),
          f"session cookie is HttpOnly, Secure, SameSite=Strict ({sc.split(';', 1)[-1]})")
    st, _, js = cl.req("GET", "/api/me")
    check(st == 200 and js.get("email") == "dr@example.org", f"/api/me with the cookie -> 200 ({st})")
    st, _, _ = cl.post("/api/appointments", b"{}", headers={"Content-Type": "text/plain"})
    check(st == 415, f"POST with text/plain (a form a foreign site could send) -> 415 ({st})")
    st, _, _ = cl.post("/api/appointments", {}, headers={"Origin": "https://evil.example"})
    check(st == 403, f"POST with a foreign Origin -> 403 ({st})")


def totp(secret_b32, t):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(t) // 30), hashlib.sha1).digest()
    off = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def totp_checks(port, ctx, cl):
    st, _, _ = cl.post("/api/totp/enable", {"code": "123456"})
    check(st == 409, f"TOTP enable without an offered secret -> 409 ({st})")
    st, _, js = cl.post("/api/totp/new", {})
    check(st == 200 and js["uri"].startswith("otpauth://totp/") and len(js["secret"]) == 32,
          f"TOTP enrolment offers a secret and an otpauth URI ({st})")
    st, _, _ = cl.post("/api/totp/enable", {"code": "000000" if totp(js["secret"], time.time()) != "000000" else "111111"})
    check(st == 403, f"TOTP enable with a wrong code -> 403 ({st})")
    st, _, _ = cl.post("/api/totp/enable", {"code": totp(js["secret"], time.time())})
    check(st == 200, f"TOTP enable with the app's code -> 200 ({st})")
    other = Client(port, ctx)
    st, _, e = other.post("/api/login", {"email": "dr@example.org", "password": "correct horse battery"})
    check(st == 401 and e == {"error": "totp_required"}, f"login with the password alone -> 401 totp_required ({st} {e})")
    st, _, e = other.post("/api/login", {"email": "dr@example.org", "password": "correct horse battery",
                                         "totp": totp(js["secret"], time.time() + 30)})
    check(st == 200 and other.cookie, f"login with password and the next TOTP code -> 200 ({st} {e})")


def today_at(offset_s):
    t = time.localtime(time.time() + offset_s)
    return time.strftime("%Y-%m-%d", t), time.strftime("%H:%M", t)


def create_appointments(cl, out):
    date, hm = today_at(-300)
    body = {"date": date, "time": hm, "duration_min": 45, "type": "group",
            "invitees": [{"role": "patient", "email": "patient1@example.org"}, {"role": "patient"},
                         {"role": "patient"}, {"role": "patient"}]}
    st, _, appt = cl.post("/api/appointments", body)
    check(st == 201 and len(appt.get("invitations", [])) == 4, f"group appointment created ({st})")
    inv = appt["invitations"]
    check(inv[0]["sent"].get("mail") == "queued", f"invitation mail queued ({inv[0]['sent']})")
    check([i["pseudonym"] for i in inv] == ["patient-1", "patient-2", "patient-3", "patient-4"],
          "invitees are known by pseudonyms patient-1..4")
    check(all(i["link"].endswith("#code=" + i["code"]) and "/join/" + i["invitee"] in i["link"] for i in inv),
          "links are /join/{invite}#code=CODE")
    mail = wait_for(lambda: sorted(glob.glob(os.path.join(out, "*.json"))), 30)
    rec = json.load(open(mail[0])) if mail else {}
    check(rec.get("rcpt_tos") == ["patient1@example.org"] and rec.get("tls") and rec.get("authenticated"),
          f"the SMTP server received the invitation over STARTTLS with AUTH ({rec.get('rcpt_tos')})")
    check(inv[0]["link"] in rec.get("body", "") and inv[0]["code"] in rec.get("body", ""),
          "the mail contains the personal link and the access code")
    check(inv[1]["code"] not in rec.get("body", ""), "the mail does not contain another invitee's code")
    st, _, js = cl.post("/api/appointments", {**body, "type": "one_to_one"})
    check(st == 400, f"one_to_one with four invitees -> 400 ({st})")
    st, _, js = cl.req("GET", "/api/appointments")
    check(st == 200 and any(a["id"] == appt["id"] for a in js["appointments"]), "today's list has the appointment")
    return appt


def wait_poll(cl, ticket, seen, timeout=25):
    return cl.post("/api/wait", {"ticket": ticket, "seen": seen}, timeout=timeout)


def patient_flow(cl, host, appt):
    inv = appt["invitations"]
    st, _, js = cl.post("/api/join", {"invite": inv[0]["invitee"], "code": "ABCD-EFGH-JK"})
    check(st == 403 and js == {"error": "wrong_code"}, f"wrong code -> 403 ({st} {js})")
    st, _, js = cl.post("/api/join", {"invite": "AAAAAAAAAAAAAAAAAAAAAA", "code": inv[0]["code"]})
    check(st == 403, f"unknown invite -> 403, like a wrong code ({st})")
    st, _, p1 = cl.post("/api/join", {"invite": inv[0]["invitee"], "code": inv[0]["code"].lower().replace("-", " ")})
    check(st == 200 and p1["position"] == 1 and p1["state"] == "waiting", f"patient-1 joins at position 1 ({st} {p1})")
    check(set(p1) == {"ticket", "state", "position", "version", "role"}, f"join answer carries no name ({sorted(p1)})")
    st, _, p2 = cl.post("/api/join", {"invite": inv[1]["invitee"], "code": inv[1]["code"]})
    check(st == 200 and p2["position"] == 2, f"patient-2 joins at position 2 ({st} {p2.get('position')})")
    t0 = time.time()
    st, _, v = wait_poll(cl, p2["ticket"], p2["version"] - 1)
    check(st == 200 and v["position"] == 2 and time.time() - t0 < 1, "a poll with an old version answers at once")
    st, _, w = host.req("GET", "/api/waiting")
    check(st == 200 and [x["pseudonym"] for x in w["waiting"]] == ["patient-1", "patient-2"]
          and [x["position"] for x in w["waiting"]] in ([1, 2],) and all("waiting_s" in x for x in w["waiting"]),
          f"host's waiting list: patient-1, patient-2 with positions and time ({w})")
    import threading
    got = {}

    def poll(name, ticket, seen):
        got[name] = wait_poll(cl, ticket, seen)
    th = [threading.Thread(target=poll, args=("p1", p1["ticket"], v["version"])),
          threading.Thread(target=poll, args=("p2", p2["ticket"], v["version"]))]
    for t in th:
        t.start()
    time.sleep(0.5)
    check(th[0].is_alive() and th[1].is_alive(), "polls with the current version are held")
    st, _, c = host.post("/api/call", {"invitee": inv[0]["invitee"]})
    check(st == 200 and claims(c["token"])["role"] == "host" and claims(c["token"])["room"] == appt["id"],
          f"call -> host room token for the appointment's room ({st})")
    for t in th:
        t.join(5)
    check(got.get("p1", (0, 0, {}))[2].get("state") == "called", f"patient-1's held poll answers 'called' ({got.get('p1')})")
    check(got.get("p2", (0, 0, {}))[2].get("position") == 1, f"patient-2 moves up to position 1 live ({got.get('p2')})")
    st, _, js = cl.post("/api/accept", {"ticket": p2["ticket"]})
    check(st == 409, f"accept before being called -> 409 ({st})")
    st, _, a = cl.post("/api/accept", {"ticket": p1["ticket"]})
    ok = st == 200 and claims(a["token"]) == {**claims(a["token"]), "room": appt["id"], "role": "guest"}
    check(ok, f"accept -> guest token for the room ({st})")
    st, _, js = host.post("/api/admit", {"invitee": inv[1]["invitee"]})
    check(st == 200, f"admit patient-2 ({st})")
    st, _, js = wait_poll(cl, p2["ticket"], got["p2"][2]["version"])
    check(js.get("state") == "admitted", f"patient-2 sees 'admitted' ({js})")
    st, _, p3 = cl.post("/api/join", {"invite": inv[2]["invitee"], "code": inv[2]["code"]})
    check(st == 200 and p3["position"] == 1, f"patient-3 joins at position 1 ({p3.get('position')})")
    st, _, add = host.post("/api/invitees", {"appointment": appt["id"], "role": "interpreter",
                                             "email": "dolmetscher@example.org"})
    check(st == 201 and add["pseudonym"] == "interpreter-1" and add["sent"].get("mail") == "queued",
          f"an interpreter is added during the call and invited ({st} {add})")
    mails = wait_for(lambda: [json.load(open(f)) for f in glob.glob(os.path.join(OUT_DIR[0], "*.json"))
                              if "dolmetscher" in open(f).read()], 30) or [{}]
    check(add.get("link", "-") in mails[0].get("body", ""), "the interpreter's mail carries their own link")
    st, _, _ = host.post("/api/reject", {"invitee": inv[2]["invitee"]})
    st2, _, js = wait_poll(cl, p3["ticket"], p3["version"])
    check(st == 200 and js.get("state") == "rejected", f"reject -> patient-3 sees 'rejected' ({js})")
    st, _, _ = host.post("/api/end", {"appointment": appt["id"]})
    st2, _, js = wait_poll(cl, p2["ticket"], 0)
    check(st == 200 and js.get("state") == "ended", f"end -> everyone of the appointment sees 'ended' ({js})")
    st, _, js = cl.post("/api/join", {"invite": inv[3]["invitee"], "code": inv[3]["code"]})
    check(st == 410, f"join after the end -> 410 ({st})")


def brute_force(cl, host):
    date, hm = today_at(60)
    st, _, appt = host.post("/api/appointments", {"date": date, "time": hm, "duration_min": 30,
                                                  "type": "with_companion",
                                                  "invitees": [{"role": "patient"}, {"role": "interpreter"}]})
    inv = appt["invitations"]
    codes = []
    for _ in range(5):
        codes.append(cl.post("/api/join", {"invite": inv[0]["invitee"], "code": "2345-6789-AB"})[0])
    st, _, js = cl.post("/api/join", {"invite": inv[0]["invitee"], "code": inv[0]["code"]})
    check(codes == [403] * 5 and st == 429, f"5 wrong codes lock the code: the right one -> 429 ({codes} {st})")
    st, _, new = host.post("/api/reissue", {"invitee": inv[0]["invitee"], "email": "patient1@example.org"})
    check(st == 200 and new["code"] != inv[0]["code"] and new["sent"].get("mail") == "queued",
          f"the host reissues the locked code and mails it again ({st})")
    st_old = cl.post("/api/join", {"invite": inv[0]["invitee"], "code": inv[0]["code"]})[0]
    st_new, _, js = cl.post("/api/join", {"invite": inv[0]["invitee"], "code": new["code"]})
    check(st_old == 403 and st_new == 200 and js.get("position") == 1,
          f"after reissue the old code is refused and the new one admits (lock cleared) ({st_old} {st_new})")
    st, _, _ = host.post("/api/reissue", {"invitee": "AAAAAAAAAAAAAAAAAAAAAA"})
    check(st == 404, f"reissue for an unknown invitee -> 404 ({st})")
    n = 0
    while n < 30:
        st = cl.post("/api/join", {"invite": inv[1]["invitee"], "code": "2345-6789-AB"})[0]
        n += 1
        if st == 429:
            break
    st2 = cl.post("/api/join", {"invite": inv[1]["invitee"], "code": inv[1]["code"]})[0]
    check(n <= 14 and st == 429 and st2 == 429, f"per-address limit: 429 after {n} more wrong codes, also for a right one ({st2})")


def login_lock(port, ctx):
    cl = Client(port, ctx)
    sts = [cl.post("/api/login", {"email": "dr@example.org", "password": "not the password"})[0] for _ in range(10)]
    st = cl.post("/api/login", {"email": "dr@example.org", "password": "correct horse battery"})[0]
    check(sts == [401] * 10 and st == 429, f"10 wrong passwords lock the account: right one -> 429 ({sts[-1]} {st})")


def no_name_anywhere(state, log_path):
    blobs = b""
    for f in glob.glob(os.path.join(state, "konsil.db*")):
        blobs += open(f, "rb").read()
    log = open(log_path, "rb").read()
    check(len(blobs) > 0 and PATIENT_NAME.encode() not in blobs and b"Mustermann" not in blobs,
          f"the SQLite files ({len(blobs)} bytes) do not contain the patient's name")
    check(b"Mustermann" not in log and b"patient1@example.org" not in log,
          "the server log contains neither the patient's name nor the e-mail address")
    check(b"patient1@example.org" not in blobs and b"dolmetscher@example.org" not in blobs
          and b"dolmetscher@example.org" not in log, "the SQLite files and the log contain no invitee e-mail address")


def main():
    exe = os.path.join(BIN, "konsil-signaling")
    tmp = tempfile.mkdtemp(prefix="kn-practice-")
    state = os.path.join(tmp, "state")
    out = os.path.join(tmp, "mail")
    OUT_DIR[0] = out
    os.makedirs(out)
    cert, key = os.path.join(tmp, "smtp.pem"), os.path.join(tmp, "smtp.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    port, smtp_port, media = free_port(), free_port(), free_port()
    env = {**os.environ, "KONSIL_STATE_DIR": state, "KONSIL_LISTEN": f"127.0.0.1:{port}",
           "KONSIL_MEDIA_PORT": str(media), "TZ": "Europe/Berlin",
           "KONSIL_SMTP_HOST": "127.0.0.1", "KONSIL_SMTP_PORT": str(smtp_port),
           "KONSIL_SMTP_USER": "konsil", "KONSIL_SMTP_PASSWORD": "s3cret-pass",
           "KONSIL_SMTP_FROM": "praxis@example.org", "KONSIL_SMTP_CAFILE": cert}
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    host_create_checks(exe, env)
    # Debian's python3-aiosmtpd lives in the system interpreter (PATH may name a pyenv shim).
    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    sink = subprocess.Popen([py, SINK, str(smtp_port), out, cert, key, "konsil", "s3cret-pass"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    log_path = os.path.join(tmp, "signaling.log")
    log = open(log_path, "w")
    proc = subprocess.Popen([exe], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    try:
        check(sink.stdout.readline().strip() == "ready", "SMTP sink is ready")
        ctx = ssl.create_default_context(cafile=os.path.join(state, "tls-cert.pem")) \
            if os.path.exists(os.path.join(state, "tls-cert.pem")) else ssl._create_unverified_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        host, patient = Client(port, ctx), Client(port, ctx)
        up = wait_for(lambda: _status(host, "/api/me") == 401, 20)
        check(bool(up), "server answers /api")
        login_checks(host)
        appt = create_appointments(host, out)
        patient_flow(patient, host, appt)
        brute_force(patient, host)
        totp_checks(port, ctx, host)
        st, _, _ = host.post("/api/logout-all", {})
        st2 = host.req("GET", "/api/me")[0]
        check(st == 200 and st2 == 401, f"logout everywhere ends the session ({st} {st2})")
        login_lock(port, ctx)
        st, h, _ = patient.req("GET", "/join/" + appt["invitations"][0]["invitee"])
        check(st == 200 and "script-src 'self'" in h.get("content-security-policy", ""),
              f"/join/{{invite}} serves the join page with a strict CSP ({st})")
    finally:
        stop_signaling(proc, 15)
        sink.send_signal(signal.SIGTERM)
        try:
            sink.wait(10)
        except subprocess.TimeoutExpired:
            sink.kill()
            sink.wait()
        log.close()
    no_name_anywhere(state, log_path)
    if failures or os.environ.get("KONSIL_KEEP_STATE"):
        print(f"state kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


def _status(cl, path):
    try:
        return cl.req("GET", path)[0]
    except OSError:
        return None


if __name__ == "__main__":
    sys.exit(main())
