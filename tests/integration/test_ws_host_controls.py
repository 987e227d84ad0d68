#!/usr/bin/python3
"""test_ws_host_controls.py: the host controls of issue 7 over the room WebSocket
(docs/signaling-protocol.md, "Host controls") against a konsil-signaling we start on
loopback: a guest's mute-request, kick and end are refused ("forbidden") and change
nothing (nobody is told anything, nobody leaves); the host's mute-request reaches exactly
its target; a kicked guest gets a fatal error with reason "kicked" (close 4004), cannot
rejoin with the same token (while another guest token still works); the host's "end"
gives everyone a fatal error with reason "ended" and the room refuses new joins.
Reuses the RFC 6455 client of test_ws_protocol.py. Stops exactly the process it starts.
"""
import os
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_ws_protocol as wp  # noqa: E402
from kn_stop import stop_signaling  # noqa: E402
from kn_testlib import free_port, wait_listening  # noqa: E402

check = wp.check


def join_tok(port, tok):
    w = wp.WS(port)
    w.send({"v": 1, "type": "join", "id": 1, "token": tok})
    return w, w.until("joined")


def no_news(ws_list, what):
    got = [m.get("type") for w in ws_list for m in w.drain(0.4)]
    check(got == [], f"{what}: nobody was told anything ({got})")


def tests(port):
    room = "hc-room"
    a, ja = wp.join(port, room, "host")
    b, jb = wp.join(port, room, "guest")
    c_tok = wp.token(room, "guest")
    c, jc = join_tok(port, c_tok)
    aid, bid, cid = ja["self"]["id"], jb["self"]["id"], jc["self"]["id"]
    for w in (a, b, c):
        w.drain(0.5)

    # a guest may do none of it
    b.send({"type": "mute-request", "id": 3, "participant_id": cid})
    e = b.until("error", id=3)
    check(e is not None and e["code"] == "forbidden" and not e["fatal"], "guest mute-request: forbidden, not fatal")
    b.send({"type": "kick", "id": 4, "participant_id": cid})
    e = b.until("error", id=4)
    check(e is not None and e["code"] == "forbidden", "guest kick: forbidden")
    b.send({"type": "end", "id": 5})
    e = b.until("error", id=5)
    check(e is not None and e["code"] == "forbidden", "guest end: forbidden")
    no_news([a, c], "after the guest's mute/kick/end")
    b.send({"type": "ping", "id": 6})
    check(b.until("pong", id=6) is not None, "the guest is still connected")

    # the host's mute-request reaches exactly its target
    a.send({"type": "mute-request", "id": 7, "participant_id": bid})
    check(a.until("mute-requested", id=7, participant_id=bid) is not None, "host mute-request: acknowledged")
    m = b.until("mute-request")
    check(m is not None and m.get("by") == aid, f"target got mute-request by the host ({m})")
    no_news([c], "mute-request to B")
    a.send({"type": "mute-request", "id": 8, "participant_id": aid})
    e = a.until("error", id=8)
    check(e is not None and e["code"] == "not_found", "host mute-request for itself: not_found")
    a.send({"type": "mute-request", "id": 9, "participant_id": "bad"})
    e = a.until("error", id=9)
    check(e is not None and e["code"] == "invalid", "mute-request with a malformed id: invalid")

    # the host removes C: fatal "kicked", the same token is refused, another one works
    a.send({"type": "kick", "id": 10, "participant_id": cid})
    check(a.until("kicked", id=10) is not None, "host kick: acknowledged")
    e = c.until("error")
    c.recv(2)
    check(e is not None and e["code"] == "forbidden" and e.get("reason") == "kicked" and e["fatal"] and c.closed == 4004,
          f"kicked guest: fatal forbidden, reason kicked, close 4004 ({e}, {c.closed})")
    left = b.until("participant-left")
    check(left is not None and left["participant_id"] == cid and left["reason"] == "kicked", "others see participant-left kicked")
    c2, jc2 = join_tok(port, c_tok)
    check(jc2 is None, "the kicked guest's token cannot join again")
    check(c2.closed == 4004 or c2.recv(2) is None and c2.closed == 4004, f"rejoin refused with close 4004 ({c2.closed})")
    d, jd = wp.join(port, room, "guest")
    check(jd is not None, "another guest token still joins")

    # the host ends the session for all
    for w in (a, b, d):
        w.drain(0.3)
    a.send({"type": "end", "id": 11})
    for w, who in ((a, "host"), (b, "guest B"), (d, "guest D")):
        e = w.until("error", timeout=5)
        w.recv(2)
        check(e is not None and e.get("reason") == "ended" and e["fatal"] and w.closed == 4004,
              f"end: {who} gets fatal reason ended, close 4004 ({e}, {w.closed})")
    f, jf = wp.join(port, room, "guest")
    check(jf is None and f.closed == 4004, "a new join to the ended room is refused")
    g, jg = wp.join(port, "hc-other-room", "guest")
    check(jg is not None, "other rooms are unaffected")
    for w in (a, b, c, c2, d, f, g):
        w.close()


def main():
    exe = os.path.join(wp.BIN, "konsil-signaling")
    port, media = free_port(), free_port(socket.SOCK_DGRAM)
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KONSIL_")}
        env.update(KONSIL_STATE_DIR=os.path.join(tmp, "state"), KONSIL_LISTEN=f"127.0.0.1:{port}",
                   KONSIL_MEDIA_PORT=str(media), KONSIL_TOKEN_SECRET=wp.SECRET)
        log = open(os.path.join(tmp, "signaling.log"), "w")
        proc = subprocess.Popen([exe], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
        try:
            wait_listening(port)
            tests(port)
            check(proc.poll() is None, "konsil-signaling still running")
        finally:
            stop_signaling(proc)  # rooms may still be open: a second SIGTERM ends the drain
            log.close()
            if wp.failures:
                sys.stdout.write(open(os.path.join(tmp, "signaling.log")).read()[-3000:])
    print(f"{len(wp.failures)} failure(s)")
    return 1 if wp.failures else 0


if __name__ == "__main__":
    sys.exit(main())
