#!/usr/bin/python3
"""test_sfu_sighup.py: konsil-sfu run standalone (as by docker/systemd/konsil-sfu.service)
with --config FILE reloads its log settings on SIGHUP (docs/configuration.md, konsil-sfu).

Checks: the file's KONSIL_LOG_LEVEL=warn wins over --log-level info at start (no info lines)
and its other KONSIL_* keys are ignored; a STUN check for an unknown ufrag (a debug line) is
not logged; after the file says debug + json and SIGHUP the same PID logs the reload as a JSON
line and the next such check as {"level":"debug","module":"ice",...}; an invalid file on
SIGHUP is logged and changes nothing; a quieter level (error) is announced before it applies;
a bad file at start exits 2 naming file and line; without --config SIGHUP is logged and does
not end the process; SIGTERM still exits 0. Stops exactly the processes it starts.
"""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

from kn_testlib import check, failures, free_port, wait_for

SRC = os.environ.get("KONSIL_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("KONSIL_BIN_DIR", os.path.join(SRC, "build", "bin"))


def stun_unknown_ufrag(port):
    """RFC 5389 Binding request with USERNAME "nouser:x" and a (wrong) MESSAGE-INTEGRITY."""
    user = b"nouser:x"
    attrs = struct.pack("!HH", 0x0006, len(user)) + user
    attrs += struct.pack("!HH", 0x0008, 20) + b"\x00" * 20
    msg = struct.pack("!HHI", 0x0001, len(attrs), 0x2112A442) + os.urandom(12) + attrs
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(msg, ("127.0.0.1", port))
    s.close()


def read(path):
    with open(path) as f:
        return f.read()


def json_lines(text):
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


class Sfu:
    def __init__(self, tmp, name, extra):
        self.port, self.sock = free_port(socket.SOCK_DGRAM), os.path.join(tmp, f"{name}.sock")
        self.log_path = os.path.join(tmp, f"{name}.log")
        self.log = open(self.log_path, "w")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KONSIL_")}
        self.proc = subprocess.Popen([os.path.join(BIN, "konsil-sfu"), "--port", str(self.port),
                                      "--announce-ip", "127.0.0.1", "--control", f"unix:{self.sock}"] + extra,
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def up(self):
        return wait_for(lambda: os.path.exists(self.sock) or self.proc.poll() is not None) and self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def reload_checks(tmp):
    conf = os.path.join(tmp, "sfu.env")
    with open(conf, "w") as f:
        f.write("# as /etc/konsil/sfu.env\nKONSIL_MEDIA_PORT=10000\nKONSIL_ANNOUNCE_IP=203.0.113.10\n"
                "KONSIL_LOG_LEVEL=warn\n")
    s = Sfu(tmp, "sfu", ["--log-level", "info", "--config", conf])
    try:
        check(s.up(), f"konsil-sfu --config {os.path.basename(conf)} started (pid {s.proc.pid})")
        pid = s.proc.pid
        time.sleep(0.2)
        check("konsil-sfu 0.1" not in read(s.log_path) and "SRTP backend" not in read(s.log_path),
              "the file's KONSIL_LOG_LEVEL=warn wins over --log-level info: no info lines at start")
        stun_unknown_ufrag(s.port)
        time.sleep(0.3)
        check("unknown ufrag" not in read(s.log_path), "at warn a STUN check for an unknown ufrag is not logged")
        with open(conf, "w") as f:
            f.write("KONSIL_MEDIA_PORT=10000\nKONSIL_LOG_LEVEL=debug\nKONSIL_LOG_FORMAT=json\n")
        s.proc.send_signal(signal.SIGHUP)
        reload_line = wait_for(lambda: [o for o in json_lines(read(s.log_path))
                                        if o.get("msg", "").startswith("reload: log level debug, format json")])
        check(bool(reload_line), f"SIGHUP: the reload is logged as a JSON line: {reload_line}")
        stun_unknown_ufrag(s.port)
        debug = wait_for(lambda: [o for o in json_lines(read(s.log_path))
                                  if o.get("level") == "debug" and o.get("module") == "ice"])
        check(bool(debug), f"after SIGHUP the next unknown-ufrag check is logged at debug, as JSON: {debug}")
        check(s.proc.poll() is None and s.proc.pid == pid, f"SIGHUP: same process (pid {pid}) still running")
        with open(conf, "w") as f:
            f.write("KONSIL_LOG_LEVEL=loud\n")
        s.proc.send_signal(signal.SIGHUP)
        bad = wait_for(lambda: [o for o in json_lines(read(s.log_path)) if o.get("level") == "error" and
                                "KONSIL_LOG_LEVEL: expected" in o.get("msg", "")])
        check(bool(bad) and f"{conf}:1" in bad[0]["msg"] and "nothing changed" in bad[0]["msg"],
              f"an invalid file on SIGHUP is logged with file:line and changes nothing: {bad}")
        with open(conf, "w") as f:
            f.write("KONSIL_LOG_LEVEL=error\n")
        n_before = len(read(s.log_path).splitlines())
        s.proc.send_signal(signal.SIGHUP)
        quiet = wait_for(lambda: "reload: log level error, format text" in read(s.log_path))
        check(bool(quiet), "a quieter level is announced before it applies (format back to the start value text)")
        stun_unknown_ufrag(s.port)
        time.sleep(0.3)
        after = read(s.log_path).splitlines()[n_before:]
        check(len(after) == 1, f"at error nothing more is logged: {after}")
        check(s.proc.poll() is None and s.proc.pid == pid, "still the same process after three reloads")
    finally:
        rc = s.stop()
    check(rc == 0, f"SIGTERM: exit 0 ({rc})")


def start_and_plain_checks(tmp):
    conf = os.path.join(tmp, "bad.env")
    with open(conf, "w") as f:
        f.write("KONSIL_LOG_LEVEL=info\nKONSIL_LOG_FORMAT=yaml\n")
    r = subprocess.run([os.path.join(BIN, "konsil-sfu"), "--port", str(free_port(socket.SOCK_DGRAM)),
                        "--announce-ip", "127.0.0.1", "--control", f"unix:{tmp}/bad.sock", "--config", conf], capture_output=True, text=True,
                       timeout=10)
    check(r.returncode == 2 and f"{conf}:2: KONSIL_LOG_FORMAT: expected text or json" in r.stderr,
          f"a bad --config file stops the start with exit 2 naming file:line ({r.returncode}, {r.stderr.strip()})")
    s = Sfu(tmp, "plain", [])
    try:
        check(s.up(), "konsil-sfu without --config started")
        s.proc.send_signal(signal.SIGHUP)
        check(bool(wait_for(lambda: "SIGHUP: no --config file, nothing to reload" in read(s.log_path))),
              "without --config SIGHUP is logged")
        check(s.proc.poll() is None, "... and does not end the process")
    finally:
        rc = s.stop()
    check(rc == 0, f"SIGTERM: exit 0 ({rc})")


def main():
    if not os.path.exists(os.path.join(BIN, "konsil-sfu")):
        print(f"FAIL konsil-sfu not built in {BIN}")
        return 1
    with tempfile.TemporaryDirectory(prefix="kn-sfu-hup.") as tmp:
        reload_checks(tmp)
        start_and_plain_checks(tmp)
        if failures:
            for name in ("sfu.log", "plain.log"):
                p = os.path.join(tmp, name)
                if os.path.exists(p):
                    print(f"--- {name}\n" + read(p)[-2000:])
    print("PASS test_sfu_sighup" if not failures else f"FAIL test_sfu_sighup: {len(failures)} check(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
