#!/usr/bin/python3
"""smtp_sink.py: a local SMTP server for test_smtp.c, built on Debian's
python3-aiosmtpd. Listens on 127.0.0.1:PORT with STARTTLS (throwaway
certificate given on the command line, required before AUTH and MAIL) and
AUTH PLAIN/LOGIN for one user, or plain SMTP with --plain. Every accepted
message is written as JSON (envelope, TLS/auth state, parsed headers,
decoded text body, raw bytes) to OUT/N.json. Prints "ready" once listening
and runs until SIGTERM.

usage: smtp_sink.py PORT OUT CERT KEY USER PASSWORD [--plain]
"""
import email
import email.policy
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, out):
        self.out = out
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(("plain",))
        rec = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
            "to": str(msg["to"]),
            "from": str(msg["from"]),
            "subject": str(msg["subject"]),
            "cte": str(msg["content-transfer-encoding"]),
            "body": body.get_content().replace("\r\n", "\n") if body is not None else "",
            "raw": raw.decode("utf-8", "replace"),
        }
        self.n += 1
        tmp = os.path.join(self.out, "%d.tmp" % self.n)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(rec, f)
        os.rename(tmp, os.path.join(self.out, "%d.json" % self.n))
        return "250 OK"


def main():
    port, out, cert, key, user, password = sys.argv[1:7]
    plain = "--plain" in sys.argv[7:]

    def authenticator(server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and data.login == user.encode()
              and data.password == password.encode())
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

    kwargs = {}
    if not plain:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        kwargs = dict(tls_context=ctx, require_starttls=True, authenticator=authenticator,
                      auth_require_tls=True)
    ctl = Controller(Handler(out), hostname="127.0.0.1", port=int(port), **kwargs)
    ctl.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    print("ready", flush=True)
    stop.wait()
    ctl.stop()


if __name__ == "__main__":
    main()
