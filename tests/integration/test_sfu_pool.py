#!/usr/bin/env python3
"""test_sfu_pool.py: konsil-signaling's pool of konsil-sfu processes without browsers.

KONSIL_SFU_PROCESSES=3: three children on media ports base, base+1, base+2 with sockets
sfu-0..2.sock. Rooms of three participants over the room WebSocket (the host publishes a
recorded Chromium offer, tests/integration/fixtures/room_sdp/) are placed by load: p1, p2,
p3 on processes 0, 1, 2; after p2 empties, p4 goes to the now idle process 1 (not round
robin). Then kill -9 of p3's process (PID from the placement log line): it is restarted
with a new PID on the same port, p3 moves to a live process at once, its connected clients
get sfu.closed publish/subscribe with reason sfu_lost, a guest that was reconnecting gets
them after its resume, and the host's new sfu.publish is answered on the new process.
/metrics shows the pool as ops see it: konsil_sfu_placement_rooms/_participants per
process follow the placement, konsil_sfu_process_info carries each child's PID and
konsil_sfu_restarts_total of the killed process goes 0 -> 1 with a new PID there.
Reuses the WebSocket client of test_ws_protocol.py. Stops exactly the PIDs it started.
"""
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_ws_protocol as wsp  # noqa: E402  (its main() runs only as a script)
from kn_stop import stop_signaling  # noqa: E402
from kn_testlib import alive, free_port, wait_for  # noqa: E402

check = wsp.check


def log_text(tmp):
    with open(os.path.join(tmp, "signaling.log")) as f:
        return f.read()


def placement(tmp, room):
    """(member, pid) of the room's latest placement line, or None."""
    found = re.findall(rf"room {room} uses SFU room \S+ on sfu (\d+) \(pid (\d+)\)", log_text(tmp))
    return (int(found[-1][0]), int(found[-1][1])) if found else None


def member_pid(tmp, member):
    found = re.findall(rf"sfu {member} \(\S+, pid (\d+)\) up", log_text(tmp))
    return int(found[-1]) if found else None


def pool_metrics(port):
    """{(name, sfu): value} of the pool families in /metrics (loopback: no token needed),
    plus ('pid', sfu) from konsil_sfu_process_info."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(f"https://127.0.0.1:{port}/metrics", context=ctx, timeout=5) as r:
        text = r.read().decode()
    out = {}
    for name, sfu, rest, v in re.findall(r'^(konsil_sfu_(?:placement_rooms|placement_participants|restarts_total|'
                                         r'process_info))\{sfu="(\d+)"([^}]*)\} (\S+)$', text, re.M):
        out[(name, int(sfu))] = float(v)
        pid = re.search(r'pid="(\d+)"', rest)
        if pid:
            out[("pid", int(sfu))] = int(pid.group(1))
    return out


def wait(what, fn, timeout=10):
    v = wait_for(fn, timeout)
    if not v:
        check(False, f"timeout waiting for {what}")
    return v


def room_of_three(port, tmp, room):
    """Host + two guests; the host publishes. Returns ([host, g1, g2], host's joined)."""
    ws = [wsp.join(port, room, role) for role in ("host", "guest", "guest")]
    host = ws[0][0]
    host.send({"v": 1, "type": "sfu.publish", "id": 2, "sdp": wsp.fixture("publish_offer.sdp")})
    check(host.until("sfu.publish.answer", timeout=10, id=2) is not None, f"{room}: the host publishes")
    return [w for w, _ in ws], [j for _, j in ws]


def tests_placement(port, tmp):
    rooms = {}
    for i, name in enumerate(("p1", "p2", "p3")):
        rooms[name] = room_of_three(port, tmp, name)
        where = wait(f"placement of {name}", lambda n=name: placement(tmp, n))
        check(where and where[0] == i, f"{name} placed on sfu {i} (least loaded): {where}")
    for w in rooms.pop("p2")[0]:
        w.send({"v": 1, "type": "leave"})
        w.drain(0.3)  # read up to the server's close: closing with unread data would reset the
        w.close()     # connection, which can discard the leave (the participant is then held)
    m = wait("sfu 1 empty in /metrics", lambda: (lambda m: m if m.get(("konsil_sfu_placement_rooms", 1)) == 0 and
                                                  m.get(("konsil_sfu_placement_participants", 1)) == 0 else None)(
        pool_metrics(port)), timeout=5)
    check(m is not None, "/metrics: sfu 1 places no room and no participant after p2 ended")
    rooms["p4"] = room_of_three(port, tmp, "p4")
    where = wait("placement of p4", lambda: placement(tmp, "p4"))
    check(where and where[0] == 1, f"p4 placed on the idle sfu 1 after p2 ended (not round robin): {where}")
    m = pool_metrics(port)
    load = [(m.get(("konsil_sfu_placement_rooms", i)), m.get(("konsil_sfu_placement_participants", i)))
            for i in range(3)]
    check(load == [(1, 3), (1, 3), (1, 3)], f"/metrics placement load per process: rooms, participants {load}")
    check([m.get(("konsil_sfu_restarts_total", i)) for i in range(3)] == [0, 0, 0] and
          [m.get(("pid", i)) for i in range(3)] == [member_pid(tmp, i) for i in range(3)],
          f"/metrics: no restarts yet, konsil_sfu_process_info carries each child's PID {m}")
    return rooms


def tests_crash(port, tmp, rooms):
    member, pid = placement(tmp, "p3")
    host, g1, g2 = rooms["p3"][0]
    away = rooms["p3"][1][2]["resume_token"]
    g2.close()  # reconnecting while the process dies
    for w in (host, g1):
        w.drain(0.3)
    t0 = time.time()
    os.kill(pid, signal.SIGKILL)
    m = host.until("sfu.closed", timeout=5, which="publish")
    check(m is not None and m.get("reason") == "sfu_lost",
          f"kill -9 {pid} (sfu {member}): the host gets sfu.closed publish reason sfu_lost after "
          f"{(time.time() - t0) * 1000:.0f} ms: {m}")
    m = g1.until("sfu.closed", timeout=5, which="subscribe")
    check(m is not None and m.get("reason") == "sfu_lost", f"a guest gets sfu.closed subscribe reason sfu_lost: {m}")
    moved = wait("p3 moved", lambda: placement(tmp, "p3") if placement(tmp, "p3")[0] != member else None)
    check(moved and moved[0] == 0 and alive(moved[1]),
          f"p3 moved at once to the least-loaded live process sfu 0 (p1 and p4 both 3 participants): {moved}")
    check("sfu %d lost: room p3" % member in log_text(tmp), "the move is logged")
    new = wait("restart", lambda: member_pid(tmp, member) if member_pid(tmp, member) != pid else None)
    check(new is not None and alive(new) and not alive(pid),
          f"sfu {member} restarted as pid {new} after {(time.time() - t0) * 1000:.0f} ms (old {pid} gone)")
    m = pool_metrics(port)
    check(m.get(("konsil_sfu_restarts_total", member)) == 1 and m.get(("pid", member)) == new and
          m.get(("konsil_sfu_placement_rooms", member)) == 0 and
          m.get(("konsil_sfu_placement_participants", member)) == 0 and m.get(("konsil_sfu_placement_rooms", 0)) == 2,
          f"/metrics after the crash: sfu {member} restarts 1, pid {pid} -> {m.get(('pid', member))}, "
          f"no load left there, p3 counted as a room on sfu 0 {m}")
    check(all(m.get(("konsil_sfu_restarts_total", i)) == 0 for i in range(3) if i != member),
          "/metrics: the other processes were not restarted")
    host.send({"v": 1, "type": "sfu.publish", "id": 7, "sdp": wsp.fixture("publish_offer.sdp")})
    check(host.until("sfu.publish.answer", timeout=10, id=7) is not None,
          "the host publishes again and is answered")
    sfu_room = re.findall(r"room p3 uses SFU room (\S+) on sfu", log_text(tmp))[-1]
    ctl = wsp.Ctl(os.path.join(tmp, "state", f"sfu-{moved[0]}.sock"))
    st = ctl.request("peer.stats", room=sfu_room, peer=rooms["p3"][1][0]["self"]["id"] + ".pub1")
    ctl.close()
    check("result" in st, f"... its new publish peer lives on sfu {moved[0]} ({sfu_room})")
    w = wsp.WS(port)
    w.send({"v": 1, "type": "resume", "id": 1, "resume_token": away})
    j = w.until("joined")
    lost = [m for m in w.drain(1.0) if m.get("type") == "sfu.closed" and m.get("reason") == "sfu_lost"]
    check(j is not None and j.get("resumed") and {m["which"] for m in lost} == {"publish", "subscribe"},
          f"the guest that was away gets sfu.closed publish+subscribe (sfu_lost) after its resume: {lost}")
    p1 = placement(tmp, "p1")
    check(p1[0] == 0 and "lost: room p1" not in log_text(tmp), "p1 on the other process was not touched")
    rooms["p3"] = ([host, g1, w], None)


class Proxy:
    """Unix-socket relay in front of a remote SFU's control socket; cut() breaks the
    connections (the SFU keeps running, as after a network break) and accepts new ones."""

    def __init__(self, path, target):
        self.target, self.pairs = target, []
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(4)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                a, _ = self.srv.accept()
            except OSError:
                return
            b = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                b.connect(self.target)
            except OSError:
                a.close()
                continue
            self.pairs.append((a, b))
            for x, y in ((a, b), (b, a)):
                threading.Thread(target=self.pipe, args=(x, y), daemon=True).start()

    @staticmethod
    def pipe(x, y):
        try:
            while True:
                d = x.recv(65536)
                if not d:
                    break
                y.sendall(d)
        except OSError:
            pass
        for z in (x, y):
            try:
                z.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        pairs, self.pairs = self.pairs, []
        for a, b in pairs:
            for z in (a, b):
                try:
                    z.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.cut()
        self.srv.close()


def sfu_rooms(path):
    ctl = wsp.Ctl(path)
    info = ctl.request("sfu.info")
    ctl.close()
    return info["result"]["rooms"]


def tests_remote(tmp, media):
    """KONSIL_SFU as a list of two remote SFUs (behind relays); one link breaks while its
    SFU keeps running: the room moves, and once the link is back signaling destroys the
    room it left there."""
    sfus, proxies, proc = [], [], None
    try:
        for i in range(2):
            real = os.path.join(tmp, f"real-{i}.sock")
            sfus.append(subprocess.Popen([os.path.join(wsp.BIN, "konsil-sfu"), "--port", str(media + i),
                                          "--announce-ip", "127.0.0.1", "--control", f"unix:{real}"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait(f"remote sfu {i}", lambda r=real: os.path.exists(r))
            proxies.append(Proxy(os.path.join(tmp, f"relay-{i}.sock"), real))
        port, log = free_port(), os.path.join(tmp, "remote")
        os.makedirs(log)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KONSIL_")}
        env.update(KONSIL_STATE_DIR=os.path.join(log, "state"), KONSIL_LISTEN=f"127.0.0.1:{port}",
                   KONSIL_TOKEN_SECRET=wsp.SECRET,
                   KONSIL_SFU=",".join(f"unix:{os.path.join(tmp, f'relay-{i}.sock')}" for i in range(2)))
        out = open(os.path.join(log, "signaling.log"), "w")
        proc = subprocess.Popen([os.path.join(wsp.BIN, "konsil-signaling")], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        check(bool(wait("two remote SFUs up", lambda: member_pid(log, 0) == 0 and member_pid(log, 1) == 0)),
              "KONSIL_SFU list: two remote SFUs up (no children)")
        r1, r2 = room_of_three(port, log, "q1"), room_of_three(port, log, "q2")
        p1, p2 = placement(log, "q1"), placement(log, "q2")
        check(p1 == (0, 0) and p2 == (1, 0), f"rooms spread over the remote SFUs: q1 {p1}, q2 {p2}")
        real1 = os.path.join(tmp, "real-1.sock")
        check(sfu_rooms(real1) == 1, "remote sfu 1 holds q2's room")
        proxies[1].cut()
        m = r2[0][0].until("sfu.closed", timeout=5, which="publish")
        check(m is not None and m.get("reason") == "sfu_lost", f"link to sfu 1 broken: q2's host gets sfu_lost: {m}")
        moved = wait("q2 moved", lambda: placement(log, "q2") if placement(log, "q2")[0] == 0 else None)
        check(bool(moved), f"q2 moved to sfu 0: {moved}")
        m = pool_metrics(port)
        check(m.get(("konsil_sfu_placement_rooms", 0)) == 2 and m.get(("konsil_sfu_placement_rooms", 1)) == 0 and
              not any(k[0] in ("konsil_sfu_restarts_total", "konsil_sfu_process_info") for k in m),
              f"/metrics with remote SFUs: placement follows the move, no PID or restart series (not our children) {m}")
        check(bool(wait("room left behind destroyed", lambda: sfu_rooms(real1) == 0)),
              "link back: signaling destroyed the room it left on sfu 1 (which kept running)")
        check(sfus[1].poll() is None, "the remote SFU was not restarted by signaling")
        r2[0][0].send({"v": 1, "type": "sfu.publish", "id": 9, "sdp": wsp.fixture("publish_offer.sdp")})
        check(r2[0][0].until("sfu.publish.answer", timeout=10, id=9) is not None, "q2's host publishes again")
        check(proc.poll() is None and "lost: room q1" not in log_text(log), "signaling runs; q1 untouched")
        for w in r1[0] + r2[0]:
            w.close()
    finally:
        if proc is not None:
            stop(proc)
        for x in proxies:
            x.close()
        for x in sfus:
            x.terminate()
            x.wait(timeout=10)


def stop(proc):
    """SIGTERM drains (rooms keep running); a second SIGTERM ends signaling at once."""
    stop_signaling(proc)


def main():
    exe = os.path.join(wsp.BIN, "konsil-signaling")
    port = free_port()
    media = None
    for _ in range(50):  # three consecutive free UDP ports
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        base = u.getsockname()[1]
        u.close()
        try:
            held = []
            for i in range(3):
                x = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                held.append(x)
                x.bind(("127.0.0.1", base + i))
            media = base
        except OSError:
            pass
        for x in held:
            x.close()
        if media:
            break
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KONSIL_")}
        env.update(KONSIL_STATE_DIR=os.path.join(tmp, "state"), KONSIL_LISTEN=f"127.0.0.1:{port}",
                   KONSIL_MEDIA_PORT=str(media), KONSIL_TOKEN_SECRET=wsp.SECRET, KONSIL_SFU_PROCESSES="3")
        log = open(os.path.join(tmp, "signaling.log"), "w")
        proc = subprocess.Popen([exe], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
        try:
            ups = wait("three SFU processes up", lambda: all(member_pid(tmp, i) for i in range(3)))
            check(bool(ups), "three SFU processes up")
            text = log_text(tmp)
            for i in range(3):
                check(f"sfu {i}: media port {media + i} (udp, ice-tcp)" in text and f"sfu-{i}.sock" in text,
                      f"sfu {i} uses media port {media + i} and sfu-{i}.sock")
            rooms = tests_placement(port, tmp)
            tests_crash(port, tmp, rooms)
            check(proc.poll() is None, f"konsil-signaling (pid {proc.pid}) still running")
        finally:
            stop(proc)
            log.close()
            if wsp.failures:
                print(log_text(tmp)[-3000:])
        tests_remote(tmp, media)  # its own SFUs reuse the media ports
    if wsp.failures:
        print(f"FAIL test_sfu_pool: {len(wsp.failures)} check(s) failed")
        return 1
    print("PASS test_sfu_pool")
    return 0


if __name__ == "__main__":
    sys.exit(main())
