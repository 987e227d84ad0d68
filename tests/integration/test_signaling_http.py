#!/usr/bin/python3
"""test_signaling_http.py: konsil-signaling over HTTPS on loopback with its own
konsil-sfu child (stdlib only). Checks the generated self-signed certificate and
token secret, /healthz, token errors (401/403), 413, 400 for garbage SDP, 404,
405, 415, CORS preflight, the demo page headers, a WHIP publish + WHEP view +
DELETE round trip, and that SIGTERM (drain of at most 2 s) stops the SFU child. Stops exactly the
processes it starts.
"""
import http.client
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

from kn_testlib import alive, check, child_pids, failures, free_port, token

SRC = os.environ.get("KONSIL_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("KONSIL_BIN_DIR", os.path.join(SRC, "build", "bin"))
FIXTURES = os.path.join(SRC, "tests", "unit", "signaling", "fixtures")


class Client:
    def __init__(self, port, ctx):
        self.port, self.ctx = port, ctx

    def req(self, method, path, body=None, headers=None):
        if self.ctx is None:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        else:
            c = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=10)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as e:
            return "closed:" + type(e).__name__, {}, ""
        finally:
            c.close()


def wait_healthy(cl, proc, seconds=15):
    end = time.time() + seconds
    while time.time() < end and proc.poll() is None:
        try:
            if cl.req("GET", "/readyz")[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def keep_alive_checks(cl):
    """Several requests, with and without bodies, on one HTTP/1.1 connection."""
    c = http.client.HTTPSConnection("127.0.0.1", cl.port, context=cl.ctx, timeout=10)
    got = []
    try:
        for method, path, body in (("GET", "/healthz", None), ("POST", "/whip/r1", b"v=0"),
                                   ("GET", "/nope", None), ("HEAD", "/", None),
                                   ("DELETE", "/whip/r1/abc", None), ("GET", "/app.js?x=1", None)):
            c.request(method, path, body=body, headers={"Content-Type": "application/sdp"} if body else {})
            r = c.getresponse()
            r.read()
            got.append(r.status)
    except (OSError, http.client.HTTPException) as e:
        got.append(type(e).__name__)
    finally:
        c.close()
    check(got == [200, 401, 404, 200, 404, 200], f"six requests on one keep-alive connection ({got})")


def run_checks(cl, state, secret):
    sdp = open(os.path.join(FIXTURES, "chrome156_simulcast.sdp"), "rb").read()
    view_sdp = open(os.path.join(FIXTURES, "aiortc_offer.sdp"), "rb").read()
    ct = {"Content-Type": "application/sdp"}

    def auth(t):
        return {**ct, "Authorization": f"Bearer {t}"}

    st, h, body = cl.req("GET", "/healthz")
    check(st == 200 and body.strip() == "ok", f"/healthz 200 ok ({st} {body.strip()})")
    st, _, _ = cl.req("POST", "/whip/r1", sdp, ct)
    check(st == 401, f"WHIP without token -> 401 ({st})")
    st, _, _ = cl.req("POST", "/whip/r1", sdp, auth("not.a.token"))
    check(st == 401, f"WHIP with a malformed token -> 401 ({st})")
    st, _, _ = cl.req("POST", "/whip/r1", sdp, auth(token("wrong-secret", "r1", "publish")))
    check(st == 401, f"WHIP with a bad signature -> 401 ({st})")
    st, _, _ = cl.req("POST", "/whip/r1", sdp, auth(token(secret, "r1", "publish", exp=int(time.time()) - 5)))
    check(st == 401, f"WHIP with an expired token -> 401 ({st})")
    st, _, _ = cl.req("POST", "/whip/r1", sdp, auth(token(secret, "other", "publish")))
    check(st == 403, f"WHIP with a token for another room -> 403 ({st})")
    st, _, _ = cl.req("POST", "/whip/r1", sdp, auth(token(secret, "r1", "subscribe")))
    check(st == 403, f"WHIP with a subscribe token -> 403 ({st})")
    pub = token(secret, "r1", "publish")
    st, _, _ = cl.req("POST", "/whip/r1", b"x" * (64 * 1024 + 1), auth(pub))
    check(st == 413, f"WHIP with a 64 KiB + 1 body -> 413 ({st})")
    st, _, _ = cl.req("POST", "/whip/r1", b"x" * (64 * 1024), auth(pub))
    check(st == 400, f"WHIP with exactly 64 KiB of garbage -> 400, not 413 ({st})")
    st, _, body = cl.req("POST", "/whip/r1", b"this is not SDP", auth(pub))
    check(st == 400 and body.count("\n") == 1, f"garbage SDP -> 400 with a one-line reason ({st} {body.strip()})")
    st, _, _ = cl.req("POST", "/whip/r1", sdp, {"Authorization": f"Bearer {pub}", "Content-Type": "text/plain"})
    check(st == 415, f"wrong Content-Type -> 415 ({st})")
    st, _, _ = cl.req("GET", "/nothing-here")
    check(st == 404, f"unknown path -> 404 ({st})")
    st, h, _ = cl.req("GET", "/whip/r1")
    check(st == 405 and "POST" in h.get("allow", ""), f"GET on a WHIP endpoint -> 405 with Allow ({st} {h.get('allow')})")
    st, h, _ = cl.req("OPTIONS", "/whip/r1", headers={"Origin": "https://example.org",
                                                      "Access-Control-Request-Method": "POST"})
    check(st in (200, 204) and h.get("access-control-allow-origin") == "*"
          and "POST" in h.get("access-control-allow-methods", "")
          and "authorization" in h.get("access-control-allow-headers", "").lower()
          and "content-type" in h.get("access-control-allow-headers", "").lower()
          and "location" in h.get("access-control-expose-headers", "").lower(),
          f"OPTIONS CORS preflight ({st} {h})")
    st, h, body = cl.req("GET", "/")
    csp = h.get("content-security-policy", "")
    check(st == 200 and h.get("content-type", "").startswith("text/html") and "script-src 'self'" in csp
          and "unsafe-inline" not in csp and "cache-control" in h, f"demo page with strict CSP ({st} {csp})")
    st, h, _ = cl.req("GET", "/app.js")
    check(st == 200 and h.get("content-type", "").startswith("text/javascript"), f"/app.js as JavaScript ({st})")

    st, h, answer = cl.req("POST", "/whip/r1", sdp, auth(pub))
    loc = h.get("location", "")
    check(st == 201 and h.get("content-type") == "application/sdp" and loc.startswith("/whip/r1/")
          and "a=ice-lite" in answer and "a=simulcast:recv q;h;f" in answer and "a=setup:passive" in answer,
          f"WHIP publish -> 201 + answer + Location ({st} {loc})")
    st, h, vanswer = cl.req("POST", "/whep/r1", view_sdp, auth(token(secret, "r1", "subscribe")))
    vloc = h.get("location", "")
    check(st == 201 and "a=sendonly" in vanswer and "a=ssrc-group:FID" in vanswer and vloc.startswith("/whep/r1/"),
          f"WHEP view -> 201 + answer with ssrcs ({st} {vloc})")
    pub_id = loc.rsplit("/", 1)[-1]
    check(pub_id and pub_id not in vanswer, "the WHEP answer does not reveal the publisher's session id")
    st, _, _ = cl.req("POST", f"/whep/r1/{pub_id}", view_sdp, auth(token(secret, "r1", "subscribe")))
    check(st == 201, f"WHEP for a named publisher -> 201 ({st})")
    st, _, _ = cl.req("POST", "/whep/r1/nobody", view_sdp, auth(token(secret, "r1", "subscribe")))
    check(st == 404, f"WHEP for an unknown publisher -> 404 ({st})")
    st, _, _ = cl.req("PATCH", loc, b"a=candidate:x", {"Content-Type": "application/trickle-ice-sdpfrag"})
    check(st in (405, 422) or str(st).startswith("closed"), f"PATCH (trickle) -> 405 ({st})")
    st, _, _ = cl.req("DELETE", vloc)
    check(st == 200, f"DELETE WHEP session -> 200 ({st})")
    st, _, _ = cl.req("DELETE", loc)
    check(st == 200, f"DELETE WHIP session -> 200 ({st})")
    st, _, _ = cl.req("DELETE", loc)
    check(st == 404, f"DELETE again -> 404 ({st})")
    st, _, _ = cl.req("POST", "/whep/r1", view_sdp, auth(token(secret, "r1", "subscribe")))
    check(st == 404, f"WHEP after the publisher left -> 404 ({st})")


def restart_checks(cl, proc, sfu, secret):
    """SIGKILL the SFU child: signaling drops its sessions, restarts the child and
    reconnects. Returns the new child's PID."""
    sdp = open(os.path.join(FIXTURES, "chrome156_simulcast.sdp"), "rb").read()
    st, h, _ = cl.req("POST", "/whip/r2", sdp, {"Content-Type": "application/sdp",
                      "Authorization": "Bearer " + token(secret, "r2", "publish")})
    loc = h.get("location", "")
    os.kill(sfu, signal.SIGKILL)
    end, new = time.time() + 15, None
    while time.time() < end:
        kids = [k for k in child_pids(proc.pid) if k != sfu and alive(k)]
        if kids and cl.req("GET", "/readyz")[0] == 200:
            new = kids[0]
            break
        time.sleep(0.2)
    check(new is not None, f"SFU child restarted after SIGKILL and /readyz is 200 again (new pid {new})")
    st, _, _ = cl.req("DELETE", loc)
    check(st == 404, f"sessions of the dead SFU are gone ({loc} -> {st})")
    st, _, _ = cl.req("POST", "/whip/r2", sdp, {"Content-Type": "application/sdp",
                      "Authorization": "Bearer " + token(secret, "r2", "publish")})
    check(st == 201, f"WHIP publish works on the restarted SFU ({st})")
    return new or sfu


def external_sfu_over_tcp(tmp, exe):
    """KONSIL_SFU=tcp:… with KONSIL_SFU_SECRET against a konsil-sfu we start; plain HTTP."""
    ctl, media, port = free_port(), free_port(socket.SOCK_DGRAM, also=socket.SOCK_STREAM), free_port()
    secret_file = os.path.join(tmp, "sfu-secret")
    with open(secret_file, "w") as f:
        f.write("tcp-secret-123\n")
    sfu_log = open(os.path.join(tmp, "sfu-tcp.log"), "w")
    sfu = subprocess.Popen([os.path.join(BIN, "konsil-sfu"), "--port", str(media), "--announce-ip", "127.0.0.1",
                            "--control", f"tcp:127.0.0.1:{ctl}", "--control-secret-file", secret_file],
                           stdout=sfu_log, stderr=subprocess.STDOUT)
    procs = [sfu]
    try:
        for secret, want in (("wrong", 503), ("tcp-secret-123", 200)):
            env = {k: v for k, v in os.environ.items() if not k.startswith("KONSIL_")}
            env.update(KONSIL_STATE_DIR=os.path.join(tmp, "state-tcp"), KONSIL_LISTEN=f"127.0.0.1:{port}",
                       KONSIL_TLS="off", KONSIL_SFU=f"tcp:127.0.0.1:{ctl}", KONSIL_SFU_SECRET=secret,
                       KONSIL_TOKEN_SECRET="given-secret-0123456789", KONSIL_DRAIN_TIMEOUT="1")
            sig = subprocess.Popen([exe], env=env, stdout=sfu_log, stderr=subprocess.STDOUT, cwd=tmp)
            procs.append(sig)
            cl = Client(port, None)
            end, st = time.time() + 10, None
            while time.time() < end:
                st = cl.req("GET", "/readyz")[0]
                if st == want and (want == 200 or time.time() > end - 8):
                    break
                time.sleep(0.2)
            check(st == want, f"external SFU over tcp, secret {secret!r}: /readyz {want} ({st})")
            if want == 200:
                sdp = open(os.path.join(FIXTURES, "aiortc_offer.sdp"), "rb").read()
                st, h, _ = cl.req("POST", "/whip/t1", sdp, {"Content-Type": "application/sdp",
                                  "Authorization": "Bearer " + token("given-secret-0123456789", "t1", "publish")})
                check(st == 201, f"WHIP over plain HTTP with an external SFU -> 201 ({st})")
                check(not os.path.exists(os.path.join(tmp, "state-tcp", "tls-cert.pem")),
                      "no certificate generated with KONSIL_TLS=off")
            sig.send_signal(signal.SIGTERM)
            sig.wait(timeout=10)
        check(sfu.poll() is None, "konsil-signaling leaves an external SFU running")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        sfu_log.close()


def main():
    exe = os.path.join(BIN, "konsil-signaling")
    if not os.path.exists(os.path.join(BIN, "konsil-sfu")) or not os.path.exists(exe):
        print(f"FAIL konsil-signaling or konsil-sfu not built in {BIN}")
        return 1
    tmp = tempfile.mkdtemp(prefix="kn-sig-http-")
    state = os.path.join(tmp, "state")
    port, media = free_port(), free_port(socket.SOCK_DGRAM, also=socket.SOCK_STREAM)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KONSIL_")}
    # A WHIP session is still open at the SIGTERM below: the drain ends it after 2 s.
    # One SFU child: /readyz then says whether the one WHIP/WHEP uses is back.
    env.update(KONSIL_STATE_DIR=state, KONSIL_LISTEN=f"127.0.0.1:{port}", KONSIL_MEDIA_PORT=str(media),
               KONSIL_DRAIN_TIMEOUT="2", KONSIL_SFU_PROCESSES="1")
    log = open(os.path.join(tmp, "signaling.log"), "w")
    proc = subprocess.Popen([exe], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    sfu = None
    try:
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE
        cl = Client(port, insecure)
        check(wait_healthy(cl, proc), "konsil-signaling up with its SFU (/readyz 200)")
        cert = os.path.join(state, "tls-cert.pem")
        check(os.path.exists(cert) and os.stat(os.path.join(state, "tls-key.pem")).st_mode & 0o777 == 0o600,
              "self-signed certificate and key (0600) generated in the state dir")
        strict = ssl.create_default_context(cafile=cert)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            with strict.wrap_socket(s, server_hostname="localhost") as t:
                check(t.getpeercert()["subject"] == ((("commonName", "localhost"),),),
                      "served certificate verifies as CN=localhost against the generated file")
        secret = open(os.path.join(state, "token-secret")).read().strip()
        check(len(secret) == 64, "token secret generated in the state dir")
        kids = child_pids(proc.pid)
        sfu = kids[0] if kids else None
        check(sfu is not None and alive(sfu), f"konsil-sfu child running (pid {sfu})")
        run_checks(cl, state, secret)
        keep_alive_checks(cl)
        sfu = restart_checks(cl, proc, sfu, secret)
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            rc = None
        check(rc == 0, f"konsil-signaling exits 0 on SIGTERM ({rc})")
        end = time.time() + 5
        while sfu and alive(sfu) and time.time() < end:
            time.sleep(0.1)
        check(sfu is not None and not alive(sfu), f"SFU child {sfu} gone after SIGTERM")
        external_sfu_over_tcp(tmp, exe)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if sfu and alive(sfu):
            os.kill(sfu, signal.SIGKILL)
        log.close()
        if failures:
            print(open(os.path.join(tmp, "signaling.log")).read()[-3000:])
        subprocess.run(["rm", "-rf", tmp])
    print("PASS test_signaling_http" if not failures else f"FAIL test_signaling_http: {len(failures)} check(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
