"""kn_testlib.py: helpers the python integration tests share: check() recording failed
checks in `failures`, free loopback ports, HS256 join tokens as konsil-signaling verifies
them (docs/signaling-protocol.md), one HTTPS request that does not verify the
self-signed certificate, a wait until a port listens or a condition holds, and the SFU
control-socket client
(Ctl), and procfs looks at processes (child_pids, alive). Imported from the tests' own folder (python puts a script's
folder on sys.path); not a test itself (no test_ prefix)."""
import base64
import hashlib
import hmac
import json
import socket
import ssl
import time
import urllib.error
import urllib.request

failures = []  # what check() saw fail, in order; a test exits 1 if it is not empty


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def free_port(kind=socket.SOCK_STREAM, also=None):
    """A loopback port free for `kind`; with `also` (another socket type) free for both."""
    for _ in range(50):
        s = socket.socket(socket.AF_INET, kind)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if also is None:
            return port
        try:
            t = socket.socket(socket.AF_INET, also)
            t.bind(("127.0.0.1", port))
            t.close()
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def token(secret, room, role, exp=None, alg="HS256"):
    """A join token for room/role signed with secret (exp: 10 minutes from now unless given)."""
    head = b64u(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64u(json.dumps({"room": room, "role": role, "exp": exp or int(time.time()) + 600},
                           separators=(",", ":")).encode())
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64u(sig)}"


def insecure_tls():
    """A client context for the servers' self-signed certificates."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def https(url, method="GET", headers=None, body=None, timeout=5):
    """(status, headers, body text); HTTP errors are answers, not exceptions. Connection
    errors (OSError) are left to the caller."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, context=insecure_tls(), timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def wait_listening(port, tries=100):
    """Waits (up to tries x ~0.1 s) until something accepts TCP on loopback port; True if so."""
    for _ in range(tries):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def wait_for(fn, timeout=5, interval=0.1):
    """Calls fn until it returns something true (returned) or timeout seconds pass (None)."""
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(interval)
    return None


class Ctl:
    """konsil-sfu control API over its unix socket (docs/control-api.md); skips events."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.s.settimeout(5)
        self.buf = b""
        self.n = 0

    def request(self, method, **params):
        self.n += 1
        self.s.sendall((json.dumps({"id": self.n, "method": method, "params": params}) + "\n").encode())
        while True:
            while b"\n" not in self.buf:
                self.buf += self.s.recv(65536)
            line, _, self.buf = self.buf.partition(b"\n")
            m = json.loads(line)
            if m.get("id") == self.n:
                return m

    def close(self):
        self.s.close()


def child_pids(pid):
    """The direct children of pid (from procfs); [] if it is gone."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def alive(pid):
    """pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False
