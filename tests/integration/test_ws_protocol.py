#!/usr/bin/python3
"""test_ws_protocol.py: room signaling over WSS (docs/signaling-protocol.md) against a
konsil-signaling we start on loopback (own konsil-sfu child). A tiny RFC 6455 client over
ssl sockets (stdlib only). Proves: join with valid / invalid / wrong-kind tokens, the
subprotocol requirement, participant events, P2P relay between two clients, mode sfu on
the third, back to p2p after the grace period, resume after a dropped socket (and expiry
after the resume grace), rate-limit and oversized-message errors, TURN REST credentials,
the `token` link and the /room page headers, and that nothing crosses rooms. SFU
negotiation with real Chromium SDP (tests/integration/fixtures/room_sdp/, recorded by
capture.mjs there): sfu.publish answers (ice-lite, passive, simulcast recv, rcvr-rtt),
server-offered sfu.subscribe with re-offers as publishers come and go (inactive slots,
mids reused), answers, stale/early answers, sfu.preferences, sfu.unpublish, role and mode
errors, and on the SFU's own control socket that peers, producers and consumers exist and
are destroyed (back to P2P: no peer, no room). /room-assets/ files. Stops exactly the
processes it starts.
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kn_testlib  # noqa: E402
from kn_stop import stop_signaling  # noqa: E402
from kn_testlib import Ctl, check, failures, free_port, wait_listening  # noqa: E402,F401  (Ctl, failures: for importers)

SRC = os.environ.get("KONSIL_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("KONSIL_BIN_DIR", os.path.join(SRC, "build", "bin"))
SECRET = "ws-test-secret-0123456789"
TURN_SECRET = "turn-shared-secret"


def token(room, role, exp=None, secret=SECRET):
    return kn_testlib.token(secret, room, role, exp)


class WS:
    """Minimal RFC 6455 client: masked text frames out, whole frames in."""

    def __init__(self, port, protocol="konsil.v1", path="/ws"):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.s = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        key = base64.b64encode(os.urandom(16)).decode()
        hdr = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
        if protocol:
            hdr += f"Sec-WebSocket-Protocol: {protocol}\r\n"
        self.s.sendall((hdr + "\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.s.recv(4096)
            if not chunk:
                break
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1") else 0
        want = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        self.ok = self.status == 101 and want in head
        self.closed = None

    def send_raw(self, payload, opcode=1):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            h = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            h = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            h = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.s.sendall(h + mask + masked)

    def send(self, obj):
        self.send_raw(json.dumps(obj).encode())

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("eof")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self, timeout=5):
        """Next text message as an object, or None on timeout / close."""
        self.s.settimeout(timeout)
        try:
            b0, b1 = self._need(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._need(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._need(8))[0]
            payload = self._need(n)
        except (socket.timeout, ConnectionError, ssl.SSLError, OSError):
            return None
        op = b0 & 0x0F
        if op == 8:
            self.closed = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            return None
        if op == 9:  # ping → pong
            self.send_raw(payload, 10)
            return self.recv(timeout)
        return json.loads(payload)

    def until(self, type_, timeout=5, **match):
        """Reads until a message of type_ (matching fields) arrives; returns it or None."""
        end = time.time() + timeout
        while time.time() < end:
            m = self.recv(max(0.05, end - time.time()))
            if m is None:
                if self.closed is not None:
                    return None
                continue
            if m.get("type") == type_ and all(m.get(k) == v for k, v in match.items()):
                return m
        return None

    def drain(self, t=0.3):
        out = []
        while True:
            m = self.recv(t)
            if m is None:
                return out
            out.append(m)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def join(port, room, role="guest", **extra):
    w = WS(port)
    w.send(dict({"v": 1, "type": "join", "id": 1, "token": token(room, role)}, **extra))
    return w, w.until("joined")


def tests_join(port):
    w = WS(port, protocol=None)
    check(not w.ok, "upgrade without the konsil.v1 subprotocol is refused")
    w.close()
    w = WS(port, path="/elsewhere")
    check(not w.ok, "upgrade on a path other than /ws is refused")
    w.close()
    for what, tok in [("garbage", "abc.def.ghi"), ("wrong key", token("r0", "host", secret="other")),
                      ("expired", token("r0", "host", exp=int(time.time()) - 5)),
                      ("WHIP role", token("r0", "publish"))]:
        w = WS(port)
        w.send({"v": 1, "type": "join", "id": 3, "token": tok})
        e = w.until("error")
        check(e is not None and e["code"] == "unauthorized" and e["fatal"] and e.get("id") == 3,
              f"join with a {what} token: error unauthorized (fatal, id echoed)")
        w.recv(2)
        check(w.closed == 4001, f"... and the socket closes with 4001 ({w.closed})")
        w.close()
    w = WS(port)
    w.send({"type": "join", "token": token("r0", "host")})
    e = w.until("error")
    check(e is not None and e["code"] == "invalid", "join without v:1 is invalid")
    w.send({"v": 1, "type": "state", "audio": False})
    e = w.until("error")
    check(e is not None and e["code"] == "state", "state before join: error state")
    w.send({"type": "ping", "id": 9})
    check(w.until("pong", id=9) is not None, "ping before join: pong with id")
    w.close()


def tests_room(port):
    a, ja = join(port, "room1", "host", pseudonym="Praxis")
    check(ja is not None and ja["self"]["role"] == "host" and ja["self"]["pseudonym"] == "Praxis" and
          ja["participants"] == [] and ja["mode"] == {"mode": "p2p", "epoch": 1, "peer": None, "offerer": False},
          "host joins an empty room: joined, mode p2p without peer")
    check(ja is not None and len(ja["resume_token"]) == 22 and ja.get("id") == 1, "joined carries resume token and id")
    ice = ja["ice_servers"] if ja else []
    turn = [s for s in ice if "username" in s]
    ok_turn = False
    if turn:
        user = turn[0]["username"]
        want = base64.b64encode(hmac.new(TURN_SECRET.encode(), user.encode(), hashlib.sha1).digest()).decode()
        exp = int(user.split(":")[0])
        ok_turn = (turn[0]["credential"] == want and user.endswith(":" + ja["self"]["id"]) and
                   abs(exp - time.time() - 6 * 3600) < 60 and
                   turn[0]["urls"] == ["turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"])
    check(ok_turn, "TURN REST credentials: username expiry:id (6 h), HMAC-SHA1 credential, both URLs")
    check(any(s.get("urls") == ["stun:127.0.0.1:3478"] for s in ice), "STUN URL derived from the TURN host")

    b, jb = join(port, "room1", "guest")
    aid, bid = ja["self"]["id"], jb["self"]["id"]
    check(jb["mode"]["mode"] == "p2p" and jb["mode"]["peer"] == aid and jb["mode"]["offerer"] is True,
          "second joins: p2p with the first as peer, offerer")
    pj = a.until("participant-joined")
    check(pj is not None and pj["participant"]["id"] == bid, "first sees participant-joined")
    ma = a.until("mode")
    check(ma is not None and ma["peer"] == bid and ma["offerer"] is False and ma["epoch"] == jb["mode"]["epoch"],
          "first gets mode p2p with the second, not offerer, same epoch")

    # another room: must never see room1's traffic
    x, jx = join(port, "room2", "host")
    check(jx is not None and jx["participants"] == [], "room2 is separate")

    sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    b.send({"type": "p2p.offer", "to": aid, "sdp": sdp})
    m = a.until("p2p.offer")
    check(m is not None and m["from"] == bid and m["sdp"] == sdp and "to" not in m, "p2p.offer relayed with from")
    a.send({"type": "p2p.answer", "to": bid, "sdp": sdp + "a=x\r\n"})
    m = b.until("p2p.answer")
    check(m is not None and m["from"] == aid, "p2p.answer relayed")
    cand = {"candidate": "candidate:1 1 udp 2122260223 192.0.2.7 50000 typ host", "sdpMid": "0", "sdpMLineIndex": 0}
    a.send({"type": "p2p.candidate", "to": bid, "candidate": cand})
    m = b.until("p2p.candidate")
    check(m is not None and m["candidate"] == cand, "p2p.candidate relayed unchanged")
    a.send({"type": "p2p.candidate", "to": bid, "candidate": None})
    m = b.until("p2p.candidate")
    check(m is not None and m["candidate"] is None, "end-of-candidates (null) relayed")
    a.send({"type": "p2p.offer", "id": 5, "to": jx["self"]["id"], "sdp": sdp})
    e = a.until("error")
    check(e is not None and e["code"] == "not_found" and e.get("id") == 5
          and e["message"] == "no such participant in this room",
          "relay to a participant of another room: not_found, 'no such participant in this room'")
    a.send({"type": "state", "audio": False})
    m = b.until("participant-updated")
    check(m is not None and m["participant"]["audio"] is False and m["participant"]["video"] is True,
          "state: others see participant-updated")

    lst, jl = join(port, "room1", "listener")
    check(jl["mode"] == {"mode": "sfu", "epoch": jl["mode"]["epoch"]} and jl["self"]["audio"] is False,
          "third joins (listener): mode sfu; listener has audio/video false")
    check(a.until("mode", mode="sfu") is not None and b.until("mode", mode="sfu") is not None,
          "first two get mode sfu")
    lst.send({"type": "state", "id": 4, "video": True})
    e = lst.until("error")
    check(e is not None and e["code"] == "forbidden", "listener turning video on: forbidden")
    lst.send({"type": "kick", "id": 6, "participant_id": aid})
    e = lst.until("error")
    check(e is not None and e["code"] == "forbidden", "kick by a non-host: forbidden")

    leave_t = time.time()
    lst.send({"type": "leave"})
    lst.recv(2)
    check(lst.closed == 1000, "leave closes with 1000")
    m = a.until("participant-left")
    check(m is not None and m["participant_id"] == jl["self"]["id"] and m["reason"] == "left", "participant-left reason left")
    m = a.until("mode", timeout=4)
    waited = time.time() - leave_t
    check(m is not None and m["mode"] == "p2p" and m["peer"] == bid and waited >= 0.9,
          f"back to p2p after the grace period ({waited:.2f} s >= 1 s)")
    mb = b.until("mode")
    check(mb is not None and mb["offerer"] is True, "the later joiner offers")
    epoch = m["epoch"] if m else 0
    a.send({"type": "p2p.ready", "epoch": epoch})
    b.send({"type": "p2p.ready", "epoch": epoch})
    check(a.until("sfu.closed") is not None and b.until("sfu.closed") is not None,
          "both p2p.ready: sfu.closed to both")

    # resume after a dropped socket
    rt = jb["resume_token"]
    b.close()
    m = a.until("participant-updated")
    check(m is not None and m["participant"]["id"] == bid and m["participant"]["connected"] is False,
          "dropped socket: others see connected false")
    b2 = WS(port)
    b2.send({"v": 1, "type": "resume", "id": 2, "resume_token": rt})
    jr = b2.until("joined")
    check(jr is not None and jr.get("resumed") is True and jr["self"]["id"] == bid and jr["self"]["role"] == "guest"
          and [p["id"] for p in jr["participants"]] == [aid], "resume: same id, role and room")
    m = a.until("participant-updated")
    check(m is not None and m["participant"]["connected"] is True, "others see connected true again")
    a.send({"type": "p2p.offer", "to": bid, "sdp": sdp})
    check(b2.until("p2p.offer") is not None, "relay reaches the resumed connection")

    # host kicks
    a.send({"type": "kick", "id": 8, "participant_id": bid})
    check(a.until("kicked", id=8) is not None, "host kick: kicked reply")
    e = b2.until("error")
    b2.recv(2)
    check(e is not None and e["code"] == "forbidden" and e["fatal"] and b2.closed == 4004, "kicked participant: fatal error, 4004")
    b2.close()

    # nothing from room1 reached room2
    got = x.drain(0.5)
    check(got == [], f"room2 received nothing from room1 ({[g.get('type') for g in got]})")
    for w in (a, x):
        w.close()


def tests_resume_expiry(port):
    a, ja = join(port, "room3", "host")
    b, jb = join(port, "room3", "guest")
    a.drain(0.2)
    b.close()
    time.sleep(0.3)
    a.send({"type": "p2p.offer", "id": 9, "to": jb["self"]["id"], "sdp": "v=0\r\n"})
    e = a.until("error")
    check(e is not None and e["code"] == "unavailable" and not e["fatal"] and e.get("id") == 9
          and e["message"] == "the participant is reconnecting",
          f"p2p.offer to a held place: unavailable, 'the participant is reconnecting' ({e})")
    m = a.until("participant-left", timeout=5)
    check(m is not None and m["reason"] == "timeout", "not back within the resume grace: participant-left timeout")
    b2 = WS(port)
    b2.send({"v": 1, "type": "resume", "resume_token": jb["resume_token"]})
    e = b2.until("error")
    check(e is not None and e["code"] == "unauthorized" and e["fatal"], "resume after expiry: unauthorized")
    a.close()
    b2.close()


def tests_limits(port):
    a, ja = join(port, "room4", "host")
    a.send_raw(b"x" * 70000)
    e = a.until("error")
    a.recv(2)
    check(e is not None and e["code"] == "too_large" and a.closed == 1009, f"70000-byte message: too_large, closed 1009 ({a.closed})")
    a.close()
    b, jb = join(port, "room4", "host")
    b.send({"type": "p2p.offer", "to": "p00000000", "sdp": "x" * 60001})
    e = b.until("error")
    check(e is not None and e["code"] == "too_large" and not e["fatal"], "sdp over 60000 bytes: too_large, not fatal")
    b.send_raw(b"\x01\x02", opcode=2)
    e = b.until("error")
    check(e is not None and e["code"] == "invalid", "binary frame: invalid")
    b.send_raw(b"{not json")
    e = b.until("error")
    check(e is not None and e["code"] == "invalid", "malformed JSON: invalid")
    b.send({"type": "no.such", "id": 77})
    e = b.until("error")
    check(e is not None and e["code"] == "invalid" and e.get("id") == 77, "unknown type: invalid with id")
    for i in range(160):
        b.send({"type": "ping", "id": i})
    msgs = b.drain(1.0)
    pongs = sum(1 for m in msgs if m.get("type") == "pong")
    limited = [m for m in msgs if m.get("type") == "error" and m["code"] == "rate_limited"]
    check(90 <= pongs <= 100 and len(limited) >= 1, f"160 messages at once: {pongs} answered, rate_limited error")
    time.sleep(1.1)
    b.send({"type": "ping", "id": 999})
    check(b.until("pong", id=999) is not None, "after a second the bucket refilled")
    b.close()
    full = [join(port, "room5", "guest") for _ in range(9)]
    w, j = join(port, "room5", "guest")
    check(j is None and w.closed == 4001, "tenth participant: room full (limit), closed")
    for f, _ in full:
        f.close()
    w.close()


def tests_http(port, tmp, env):
    out = subprocess.run([os.path.join(BIN, "konsil-signaling"), "token", "--room", "sprechstunde-1",
                          "--role", "guest"], env=env, cwd=tmp, capture_output=True, text=True)
    link = out.stdout.strip()
    check(link.startswith("https://praxis.example:8443/room/sprechstunde-1#token="), f"token prints a room link ({link[:60]}…)")
    tok = link.split("#token=")[-1]
    w = WS(port)
    w.send({"v": 1, "type": "join", "token": tok})
    check(w.until("joined") is not None, "the printed link's token joins")
    w.close()
    out = subprocess.run([os.path.join(BIN, "konsil-signaling"), "token", "--room", "r", "--role", "publish"],
                         env=env, cwd=tmp, capture_output=True, text=True)
    check(out.stdout.count(".") == 2 and "://" not in out.stdout, "publish role still prints a raw token")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    c.request("GET", "/room/sprechstunde-1")
    r = c.getresponse()
    body = r.read()
    have_page = os.path.exists(os.path.join(SRC, "signaling", "web", "room.html"))
    if have_page:
        check(r.status == 200 and r.getheader("content-type", "").startswith("text/html") and
              "default-src 'none'" in r.getheader("content-security-policy", ""), "GET /room/{room} serves room.html with CSP")
    else:
        check(r.status == 404 and b"room page" in body, "GET /room/{room} without room.html: 404")
    c.request("GET", "/room/bad%20name")
    r = c.getresponse()
    r.read()
    check(r.status == 404, "GET /room/ with a bad room name: 404")
    c.close()


FIX = os.path.join(SRC, "tests", "integration", "fixtures", "room_sdp")


def fixture(name):
    with open(os.path.join(FIX, name), newline="") as f:
        return f.read()


def sdp_sections(sdp):
    return sdp.split("\r\nm=")[1:]


def every_section(sdp, line):
    secs = sdp_sections(sdp)
    return len(secs) > 0 and all(line in sec.split("\r\n") for sec in secs)


def no_error(w, t=0.5):
    return [m for m in w.drain(t) if m.get("type") == "error"]


def sfu_room_name(tmp, room):
    for line in open(os.path.join(tmp, "signaling.log")):
        if f"room {room} uses SFU room " in line:
            name = line.strip().split(" uses SFU room ")[-1].split()[0]
    return name


def start_consent_room(port):
    """Three in a room, one publishes, nobody ever connects ICE: after konsil-sfu's consent
    timeout (30 s) its peer.closed events must reach the clients as sfu.closed publish /
    subscribe."""
    ws = [join(port, "sfu2", role)[0] for role in ("host", "guest", "guest")]
    ws[0].send({"type": "sfu.publish", "id": 1, "sdp": fixture("publish_offer.sdp")})
    check(ws[0].until("sfu.publish.answer", timeout=10) is not None, "consent room: host publishes")
    return ws, time.time()


def finish_consent_room(ws, t0):
    m = ws[0].until("sfu.closed", timeout=max(1, 45 - (time.time() - t0)), which="publish")
    took = time.time() - t0
    check(m is not None and 25 <= took <= 45, f"SFU peer.closed (consent) → sfu.closed publish after {took:.1f} s")
    m = ws[1].until("sfu.closed", timeout=5, which="subscribe")
    check(m is not None, "a subscribe peer that expired too → sfu.closed subscribe")
    for w in ws:
        w.close()


def tests_sfu(port, tmp):
    pub_offer = fixture("publish_offer.sdp")
    a, ja = join(port, "sfu1", "host")
    b, jb = join(port, "sfu1", "guest")
    aid, bid = ja["self"]["id"], jb["self"]["id"]
    a.send({"type": "sfu.publish", "id": 10, "sdp": pub_offer})
    e = a.until("error")
    check(e is not None and e["code"] == "state" and e.get("id") == 10, "sfu.publish in P2P mode: state")
    lst, jl = join(port, "sfu1", "listener")
    lid = jl["self"]["id"]
    check(a.until("mode", mode="sfu") is not None and b.until("mode", mode="sfu") is not None, "three: mode sfu")
    lst.send({"type": "sfu.publish", "id": 11, "sdp": pub_offer})
    e = lst.until("error")
    check(e is not None and e["code"] == "forbidden" and e.get("id") == 11, "listener sfu.publish: forbidden")
    a.send({"type": "sfu.publish", "id": 12, "sdp": "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"})
    e = a.until("error")
    check(e is not None and e["code"] == "invalid" and e.get("id") == 12, f"sfu.publish with unusable SDP: invalid ({e and e['message']})")
    lst.send({"type": "sfu.subscribe.answer", "id": 13, "revision": 1, "sdp": fixture("sub_answer_2.sdp")})
    e = lst.until("error")
    check(e is not None and e["code"] == "state", "sfu.subscribe.answer without an offer: state")

    # A publishes (Chromium's offer: sendonly Opus + VP8 simulcast q/h/f)
    a.send({"type": "sfu.publish", "id": 14, "sdp": pub_offer})
    ans = a.until("sfu.publish.answer", timeout=10)
    sdp = ans["sdp"] if ans else ""
    check(ans is not None and ans.get("id") == 14, "sfu.publish.answer echoes the id")
    check("a=ice-lite" in sdp and every_section(sdp, "a=setup:passive") and every_section(sdp, "a=recvonly") and
          every_section(sdp, "a=rtcp-xr:rcvr-rtt=all") and "a=simulcast:recv q;h;f" in sdp and
          all(f"a=rid:{r} recv" in sdp for r in "qhf") and "a=candidate:" in sdp and len(sdp_sections(sdp)) == 2,
          "publish answer: ice-lite, passive, recvonly, simulcast:recv q;h;f, rids, rcvr-rtt per m-section, candidates")
    a.send({"type": "sfu.publish", "id": 15, "sdp": pub_offer})
    e = a.until("error")
    check(e is not None and e["code"] == "state" and e.get("id") == 15, "second sfu.publish: state")

    offers = {}
    for name, w in (("B", b), ("L", lst)):
        offers[name] = w.until("sfu.subscribe", timeout=10)
    ob, ol = offers["B"], offers["L"]
    osdp = ob["sdp"] if ob else ""
    check(ob is not None and ob["revision"] == 1 and ob["tracks"] == [
        {"mid": "0", "participant": aid, "kind": "audio"}, {"mid": "1", "participant": aid, "kind": "video"}],
        f"B gets sfu.subscribe rev 1 with A's two tracks ({ob and ob['tracks']})")
    check(ol is not None and ol["revision"] == 1, "the listener gets its offer too")
    check(osdp.startswith("v=0\r\no=- ") and " 1 IN IP4 " in osdp.split("\r\n")[1] and "a=ice-lite" in osdp and
          "a=group:BUNDLE 0 1" in osdp and every_section(osdp, "a=setup:actpass") and every_section(osdp, "a=sendonly") and
          every_section(osdp, "a=rtcp-xr:rcvr-rtt=all") and "a=ssrc-group:FID " in osdp and
          "a=rtpmap:111 opus/48000/2" in osdp and "a=rtpmap:96 VP8/90000" in osdp and "a=rtpmap:97 rtx/90000" in osdp and
          "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid" in osdp,
          "subscribe offer: o= version 1, ice-lite, BUNDLE, actpass, sendonly, rcvr-rtt, FID, fixed PTs and ext ids")

    room = sfu_room_name(tmp, "sfu1")
    ctl = Ctl(os.path.join(tmp, "state", "sfu-0.sock"))
    base = ctl.request("sfu.info").get("result", {})
    base = (base.get("peers", 0) - 3, base.get("rooms", 0) - 1)  # without sfu1's 3 peers and room
    st = ctl.request("peer.stats", room=room, peer=f"{aid}.pub1").get("result", {})
    prods = st.get("producers", [])
    check(len(prods) == 2 and any(len(p.get("encodings", [])) == 3 for p in prods),
          f"SFU: A's publish peer has 2 producers, video with 3 encodings ({[p.get('kind') for p in prods]})")
    st = ctl.request("peer.stats", room=room, peer=f"{bid}.sub1").get("result", {})
    check(len(st.get("consumers", [])) == 2, "SFU: B's subscribe peer has 2 consumers")

    b.send({"type": "sfu.subscribe.answer", "revision": 1, "sdp": fixture("sub_answer_2.sdp")})
    lst.send({"type": "sfu.subscribe.answer", "revision": 1, "sdp": fixture("sub_answer_2.sdp")})
    check(no_error(b) == [] and no_error(lst) == [], "Chromium's answers are taken (peer.set_remote)")
    st = ctl.request("peer.set_remote", room=room, peer=f"{bid}.sub1", ice={"ufrag": "abcd", "pwd": "x" * 22},
                     dtls={"fingerprint": {"algorithm": "sha-256", "value": "AB:" * 31 + "AB"}, "role": "server"})
    check(st.get("error", {}).get("code") == "state", "SFU: the remote side of B's subscribe peer is set")

    # B publishes too: A gets its first offer, the listener a re-offer with 4 m-lines
    b.send({"type": "sfu.publish", "id": 16, "sdp": pub_offer})
    check(b.until("sfu.publish.answer", timeout=10) is not None, "B publishes")
    oa = a.until("sfu.subscribe", timeout=10)
    check(oa is not None and [t["participant"] for t in oa["tracks"]] == [bid, bid], "A's first offer carries B's tracks")
    ol2 = lst.until("sfu.subscribe", timeout=10)
    l2 = ol2["sdp"] if ol2 else ""
    ufrag = lambda x: [l for l in x.split("\r\n") if l.startswith("a=ice-ufrag:")][0]
    check(ol2 is not None and ol2["revision"] == 2 and len(sdp_sections(l2)) == 4 and " 2 IN IP4 " in l2.split("\r\n")[1]
          and ufrag(l2) == ufrag(ol["sdp"]) and [t["participant"] for t in ol2["tracks"]] == [aid, aid, bid, bid],
          "listener re-offer: rev 2, o= version 2, 4 m-lines, same ICE credentials")
    lst.send({"type": "sfu.subscribe.answer", "id": 17, "revision": 1, "sdp": fixture("sub_answer_2.sdp")})
    check(no_error(lst, 0.3) == [], "a stale answer (revision 1) is ignored")
    lst.send({"type": "sfu.subscribe.answer", "id": 18, "revision": 2, "sdp": fixture("sub_answer_2.sdp")})
    e = lst.until("error")
    check(e is not None and e["code"] == "invalid", "an answer with the wrong number of m-lines: invalid")
    lst.send({"type": "sfu.subscribe.answer", "revision": 2, "sdp": fixture("sub_answer_4.sdp")})
    a.send({"type": "sfu.subscribe.answer", "revision": 1, "sdp": fixture("sub_answer_2.sdp")})
    check(no_error(lst) == [] and no_error(a) == [], "4-m-line answer taken; A answers")
    st = ctl.request("peer.stats", room=room, peer=f"{lid}.sub1").get("result", {})
    check(len(st.get("consumers", [])) == 4, f"SFU: listener's subscribe peer has 4 consumers ({len(st.get('consumers', []))})")

    # per-tile preferences
    lst.send({"type": "sfu.preferences", "id": 19, "participant": aid, "max_spatial": 0})
    check(no_error(lst) == [], "sfu.preferences for A's tile accepted")
    st = ctl.request("peer.stats", room=room, peer=f"{lid}.sub1").get("result", {})
    lay = {c["producer"]: c.get("layers", {}) for c in st.get("consumers", [])}
    check(lay.get(f"{aid}.pub1.m1", {}).get("max_spatial") == 0 and lay.get(f"{bid}.pub1.m1", {}).get("max_spatial") == 2,
          "SFU: consumer of A's video has max_spatial 0, B's still 2")
    lst.send({"type": "sfu.preferences", "mid": "3", "paused": True})
    lst.drain(0.4)
    st = ctl.request("peer.stats", room=room, peer=f"{lid}.sub1").get("result", {})
    lay = {c["producer"]: c.get("layers", {}) for c in st.get("consumers", [])}
    check(lay.get(f"{bid}.pub1.m1", {}).get("paused") is True, "sfu.preferences by mid pauses B's video consumer")
    for bad, code, what in (({"participant": aid, "max_spatial": 3}, "invalid", "max_spatial 3"),
                            ({"mid": "0", "max_spatial": 1}, "invalid", "max_spatial on audio"),
                            ({"participant": "p00000000", "paused": True}, "not_found", "unknown participant"),
                            ({"participant": aid, "mid": "1", "paused": True}, "invalid", "participant and mid"),
                            ({"participant": aid}, "invalid", "no preference")):
        lst.send(dict({"type": "sfu.preferences", "id": 20}, **bad))
        e = lst.until("error")
        check(e is not None and e["code"] == code and e.get("id") == 20, f"sfu.preferences {what}: {code}")

    # B unpublishes: its producers end, offers mark its m-lines inactive
    b.send({"type": "sfu.unpublish"})
    ol3 = lst.until("sfu.subscribe", timeout=10)
    secs = sdp_sections(ol3["sdp"]) if ol3 else []
    check(ol3 is not None and ol3["revision"] == 3 and len(secs) == 4 and all("a=inactive" in x for x in secs[2:]) and
          all("a=ssrc:" not in x for x in secs[2:]) and [t["participant"] for t in ol3["tracks"]] == [aid, aid, None, None],
          "B unpublished: listener rev 3, B's m-lines inactive without SSRC, tracks null")
    oa2 = a.until("sfu.subscribe", timeout=10)
    check(oa2 is not None and all(t["participant"] is None for t in oa2["tracks"]), "A's re-offer: both slots inactive")
    st = ctl.request("peer.stats", room=room, peer=f"{bid}.pub1")
    check(st.get("error", {}).get("code") == "not_found", "SFU: B's publish peer is destroyed")
    st = ctl.request("peer.stats", room=room, peer=f"{lid}.sub1").get("result", {})
    check(len(st.get("consumers", [])) == 2, f"SFU: listener keeps 2 consumers ({len(st.get('consumers', []))})")
    lst.send({"type": "sfu.subscribe.answer", "revision": 3, "sdp": fixture("sub_answer_4i.sdp")})
    a.send({"type": "sfu.subscribe.answer", "revision": 2, "sdp": fixture("sub_answer_2.sdp")})
    b.send({"type": "sfu.publish", "id": 21, "sdp": pub_offer})
    check(b.until("sfu.publish.answer", timeout=10) is not None, "B publishes again")
    ol4 = lst.until("sfu.subscribe", timeout=10)
    check(ol4 is not None and ol4["revision"] == 4 and [t["mid"] for t in ol4["tracks"]] == ["0", "1", "2", "3"] and
          [t["participant"] for t in ol4["tracks"]] == [aid, aid, bid, bid], "republish reuses the inactive mids 2 and 3")

    # back to P2P: the listener leaves, both p2p.ready → every SFU peer and the room go
    lst.send({"type": "leave"})
    lst.recv(2)
    m = a.until("mode", timeout=5, mode="p2p")
    b.until("mode", timeout=5, mode="p2p")
    epoch = m["epoch"] if m else 0
    a.send({"type": "p2p.ready", "epoch": epoch})
    b.send({"type": "p2p.ready", "epoch": epoch})
    check(a.until("sfu.closed", which="all") is not None and b.until("sfu.closed", which="all") is not None,
          "back to P2P: sfu.closed all")
    time.sleep(0.3)
    info = ctl.request("sfu.info").get("result", {})
    check((info.get("peers"), info.get("rooms")) == base,
          f"SFU: no peer and no room of sfu1 left ({info.get('peers')}, {info.get('rooms')}; other rooms {base})")
    a.send({"type": "sfu.publish", "id": 22, "sdp": pub_offer})
    e = a.until("error")
    check(e is not None and e["code"] == "state", "sfu.publish after the switch back: state")
    ctl.close()
    for w in (a, b, lst):
        w.close()


def tests_assets(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    for name, ctype in (("main.js", "text/javascript"), ("room.css", "text/css")):
        c.request("GET", f"/room-assets/{name}")
        r = c.getresponse()
        body = r.read()
        with open(os.path.join(SRC, "signaling", "web", "room", name), "rb") as f:
            same = f.read() == body
        check(r.status == 200 and r.getheader("content-type", "").startswith(ctype) and same and
              r.getheader("cache-control") == "no-cache" and "default-src 'none'" in r.getheader("content-security-policy", "") and
              r.getheader("x-content-type-options") == "nosniff", f"GET /room-assets/{name}: 200, {ctype}, no-cache, CSP, nosniff")
    for path in ("/room-assets/.main.js", "/room-assets/room.html", "/room-assets/sub/x.js", "/room-assets/Main.js",
                 "/room-assets/missing.js", "/room-assets/"):
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        check(r.status == 404, f"GET {path}: 404")
    c.request("POST", "/room-assets/main.js", body=b"x")
    r = c.getresponse()
    r.read()
    check(r.status == 405, "POST /room-assets/main.js: 405")
    c.close()


def main():
    exe = os.path.join(BIN, "konsil-signaling")
    port, media = free_port(), free_port(socket.SOCK_DGRAM)
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KONSIL_")}
        env.update(KONSIL_STATE_DIR=os.path.join(tmp, "state"), KONSIL_LISTEN=f"127.0.0.1:{port}",
                   KONSIL_MEDIA_PORT=str(media), KONSIL_TOKEN_SECRET=SECRET,
                   KONSIL_TURN_URLS="turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp",
                   KONSIL_TURN_SECRET=TURN_SECRET, KONSIL_P2P_GRACE_MS="1000", KONSIL_RESUME_GRACE_MS="2000",
                   KONSIL_PUBLIC_URL="https://praxis.example:8443",
                   KONSIL_SFU_PROCESSES="1")  # one process: the Ctl checks read sfu-0.sock
        log = open(os.path.join(tmp, "signaling.log"), "w")
        proc = subprocess.Popen([exe], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
        try:
            wait_listening(port)
            tests_join(port)
            tests_room(port)
            tests_resume_expiry(port)
            tests_limits(port)
            tests_http(port, tmp, env)
            consent = start_consent_room(port)
            tests_sfu(port, tmp)
            tests_assets(port)
            finish_consent_room(*consent)
            check(proc.poll() is None, "konsil-signaling still running")
        finally:
            stop_signaling(proc)  # rooms may still be open: a second SIGTERM ends the drain
            log.close()
            if failures:
                sys.stdout.write(open(os.path.join(tmp, "signaling.log")).read()[-4000:])
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
