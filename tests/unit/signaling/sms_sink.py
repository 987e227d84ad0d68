#!/usr/bin/python3
"""sms_sink.py: a local HTTP(S) SMS gateway for test_sms.c (Python's
http.server). Accepts POST with "Authorization: Bearer TOKEN" (202), answers
401 otherwise, and writes each request (path, headers, JSON body) to
OUT/N.json. HTTPS with the given throwaway certificate unless --plain.
Prints "ready" once listening; runs until SIGTERM.

usage: sms_sink.py PORT OUT CERT KEY TOKEN [--plain]
"""
import http.server
import json
import os
import signal
import ssl
import sys


def main():
    port, out, cert, key, token = sys.argv[1:6]
    plain = "--plain" in sys.argv[6:]
    count = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            count[0] += 1
            rec = {"path": self.path, "auth": self.headers.get("Authorization"),
                   "ctype": self.headers.get("Content-Type"), "body": json.loads(body)}
            tmp = os.path.join(out, "%d.tmp" % count[0])
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(rec, f)
            os.rename(tmp, os.path.join(out, "%d.json" % count[0]))
            ok = self.headers.get("Authorization") == "Bearer " + token
            self.send_response(202 if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", int(port)), Handler)
    if not plain:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
