#!/usr/bin/python3
"""test_practice_drain.py: the practice workflow while konsil-signaling drains (SIGTERM,
docs/operations.md; API in docs/practice-api.md), over HTTPS and the room WebSocket on loopback.

Three appointments today: A (patient + interpreter) whose consultation runs (host called the
patient, host and patient in room A), B (one_to_one) whose patient waits but was not called
yet, C (one_to_one) nobody joined yet. After SIGTERM: GET /api/waiting says draining; the
patient of C gets 503 {"error":"draining"} for the right code (a wrong code is still 403);
calling B's patient is refused with 503 draining (its room would be refused); A's
interpreter joins the waiting room, is admitted, accepts and joins room A (running
consultations continue); when room A empties signaling exits 0. Before SIGTERM the same
answers are the normal ones (draining false, join 200), so each check can fail. Stops
exactly the processes it starts.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_practice_workflow as pw  # noqa: E402  (its main() runs only as a script)
import test_ws_protocol as wsp  # noqa: E402

check = pw.check


def room_join(port, token):
    w = wsp.WS(port)
    w.send({"v": 1, "type": "join", "id": 1, "token": token, "pseudonym": "x"})
    return w, w.until("joined")


def appointment(host, kind, roles):
    date, hm = pw.today_at(-60)
    st, _, a = host.post("/api/appointments", {"date": date, "time": hm, "duration_min": 30, "type": kind,
                                               "invitees": [{"role": r} for r in roles]})
    check(st == 201, f"{kind} appointment created ({st})")
    return a


def before_drain(host, patient, port):
    a = appointment(host, "with_companion", ["patient", "interpreter"])
    b = appointment(host, "one_to_one", ["patient"])
    c = appointment(host, "one_to_one", ["patient"])
    st, _, w = host.req("GET", "/api/waiting")
    check(st == 200 and w.get("draining") is False, f"before SIGTERM: /api/waiting draining false ({w.get('draining')})")
    inv_a, inv_b = a["invitations"][0], b["invitations"][0]
    st, _, ja = patient.post("/api/join", {"invite": inv_a["invitee"], "code": inv_a["code"]})
    st2, _, _ = patient.post("/api/join", {"invite": inv_b["invitee"], "code": inv_b["code"]})
    check(st == 200 and st2 == 200, f"before SIGTERM: patients of A and B join the waiting room ({st} {st2})")
    st, _, call = host.post("/api/call", {"invitee": inv_a["invitee"]})
    check(st == 200, f"host calls A's patient ({st})")
    st, _, acc = patient.post("/api/accept", {"ticket": ja["ticket"]})
    check(st == 200, f"A's patient accepts ({st})")
    room = [room_join(port, call["token"]), room_join(port, acc["token"])]
    check(all(j is not None for _, j in room), "host and patient are in room A")
    return a, b, c, [w for w, _ in room]


def during_drain(host, patient, port, a, b, c):
    st, _, w = host.req("GET", "/api/waiting")
    check(st == 200 and w.get("draining") is True, f"draining: /api/waiting draining true ({w.get('draining')})")
    inv_c = c["invitations"][0]
    st, _, js = patient.post("/api/join", {"invite": inv_c["invitee"], "code": "ABCD-EFGH-JK"})
    check(st == 403, f"draining: a wrong code for C is still 403 ({st})")
    st, _, js = patient.post("/api/join", {"invite": inv_c["invitee"], "code": inv_c["code"]})
    check(st == 503 and js == {"error": "draining"}, f"draining: C's patient (new consultation) gets 503 draining ({st} {js})")
    st, _, js = host.post("/api/call", {"invitee": b["invitations"][0]["invitee"]})
    check(st == 503 and js == {"error": "draining"}, f"draining: calling B's waiting patient is refused, 503 draining ({st} {js})")
    inv_i = a["invitations"][1]
    st, _, ji = patient.post("/api/join", {"invite": inv_i["invitee"], "code": inv_i["code"]})
    check(st == 200, f"draining: A's interpreter joins the waiting room of the running consultation ({st})")
    st, _, _ = host.post("/api/admit", {"invitee": inv_i["invitee"]})
    st2, _, acc = patient.post("/api/accept", {"ticket": ji.get("ticket", "")})
    check(st == 200 and st2 == 200, f"draining: the host admits the interpreter, who accepts ({st} {st2})")
    w, j = room_join(port, acc.get("token", ""))
    check(j is not None, "draining: the interpreter joins running room A")
    return w


def main():
    exe = os.path.join(pw.BIN, "konsil-signaling")
    tmp = tempfile.mkdtemp(prefix="kn-practice-drain-")
    port, media = pw.free_port(), pw.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KONSIL_")}
    env.update(KONSIL_STATE_DIR=os.path.join(tmp, "state"), KONSIL_LISTEN=f"127.0.0.1:{port}",
               KONSIL_MEDIA_PORT=str(media), KONSIL_SFU_PROCESSES="1", KONSIL_DRAIN_TIMEOUT="60")
    r = pw.run([exe, "host-create", "--practice", "Praxis Drain", "--role", "doctor", "--email", "dr@example.org"],
               env, "correct horse battery\n")
    check(r.returncode == 0, f"host created ({r.stderr.strip()})")
    log = open(os.path.join(tmp, "signaling.log"), "w")
    proc = subprocess.Popen([exe], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    try:
        ctx = pw.ssl._create_unverified_context()
        host, patient = pw.Client(port, ctx), pw.Client(port, ctx)
        check(bool(pw.wait_for(lambda: pw._status(host, "/api/me") == 401, 20)), "server answers /api")
        st, _, _ = host.post("/api/login", {"email": "dr@example.org", "password": "correct horse battery"})
        check(st == 200, f"host logged in ({st})")
        a, b, c, room = before_drain(host, patient, port)
        proc.send_signal(signal.SIGTERM)
        check(bool(pw.wait_for(lambda: "draining: no new rooms" in open(log.name).read(), 5)), "SIGTERM: draining")
        room.append(during_drain(host, patient, port, a, b, c))
        check(proc.poll() is None, "still running while room A is")
        for w in room:
            w.send({"v": 1, "type": "leave"})
            w.drain(0.3)
            w.close()
        try:
            rc = proc.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        check(rc == 0, f"exit 0 once room A ended ({rc})")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        if pw.failures:
            print(open(log.name).read()[-3000:])
    shutil.rmtree(tmp, ignore_errors=True)
    print("PASS test_practice_drain" if not pw.failures else f"FAIL test_practice_drain: {len(pw.failures)} check(s)")
    return 1 if pw.failures else 0


if __name__ == "__main__":
    sys.exit(main())
