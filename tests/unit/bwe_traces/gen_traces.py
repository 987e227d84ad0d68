#!/usr/bin/env python3
"""gen_traces.py: writes the link traces the bwe unit tests replay (run once;
the outputs are committed next to it).

Format is Mahimahi's (mm-link): one line per delivery opportunity of one
1500-byte MTU, the value being the millisecond it occurs; a trace repeats with
the period of its last line. Real recordings (e.g. Mahimahi's cellular traces)
can be dropped in with the same format. Each trace here is a constant rate or
a step between two rates:

    const_<rate>.trace            the rate forever (period long enough to be exact)
    step_<a>_<b>.trace            <a> for the first part, <b> after (see STEPS)
"""
import os

MTU_BITS = 1500 * 8
CONST = {"250k": (250_000, 6), "600k": (600_000, 1), "1m": (1_000_000, 3),
         "2500k": (2_500_000, 6)}
# name: [(rate, seconds), ...]; the last segment is long enough for the tests.
STEPS = {"2500k_600k": [(2_500_000, 20), (600_000, 40)],
         "600k_2500k": [(600_000, 30), (2_500_000, 40)]}


def segment(rate, seconds, start_ms):
    n = rate * seconds // MTU_BITS
    return [start_ms + (k + 1) * MTU_BITS * 1000 // rate for k in range(n)]


def write(name, ms):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name), "w") as f:
        f.write("\n".join(str(v) for v in ms) + "\n")


def main():
    for name, (rate, seconds) in CONST.items():
        write(f"const_{name}.trace", segment(rate, seconds, 0))
    for name, segs in STEPS.items():
        out, t = [], 0
        for rate, seconds in segs:
            out += segment(rate, seconds, t)
            t += seconds * 1000
        write(f"step_{name}.trace", out)


if __name__ == "__main__":
    main()
