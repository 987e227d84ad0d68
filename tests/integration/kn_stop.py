"""kn_stop.py: stopping konsil-signaling in test harnesses the way an operator does a fast
stop (docs/operations.md, Signals): SIGTERM starts the drain, a second SIGTERM a moment later
exits at once, SIGKILL only if that does not happen. A test that leaves rooms open therefore
does not wait for a drain or a kill timeout. Not a test itself (no test_ prefix)."""
import signal
import subprocess
import time

DRAIN_LOOK_S = 0.3  # time a drain gets to end by itself (no rooms left) before the second SIGTERM


def stop_signaling(proc, timeout=10):
    """Returns the exit code (None if it had to be killed). Stops only proc."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(signal.SIGTERM)
    end = time.time() + DRAIN_LOOK_S
    while time.time() < end and proc.poll() is None:
        time.sleep(0.02)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None
