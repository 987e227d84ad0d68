#!/usr/bin/python3
"""aiortc_peer.py: a WHIP publisher or WHEP subscriber built on Debian's aiortc 1.4, for
Konsil interop tests. Run with /usr/bin/python3. Applies the two loopback patches from
shared/notes/browser.md (host candidates only from --host-ip; video abs-send-time moved to
id 3 so it does not collide with audio-level under BUNDLE). Publishes a moving 640x360 VP8
pattern plus a 440 Hz Opus tone, or subscribes and counts decoded frames via track.recv().
Prints one JSON line per second ({"t", "video_frames", "audio_frames", "conn", ...}) and a
final line with "final": true; exits 0 after --seconds, 2 on a signaling error.
"""
import argparse
import asyncio
import fractions
import json
import ssl
import sys
import time
import urllib.error
import urllib.request

import aioice.ice
import numpy
from av import AudioFrame, VideoFrame
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.codecs import HEADER_EXTENSIONS
from aiortc.mediastreams import MediaStreamError


def patch_aiortc(host_ip):
    """Patch 1: gather only host_ip (aioice skips loopback otherwise).
    Patch 2: give video abs-send-time id 3 (audio-level keeps 2)."""
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [host_ip]
    for ext in HEADER_EXTENSIONS["video"]:
        if ext.uri.endswith("abs-send-time"):
            ext.id = 3


class PatternVideo(MediaStreamTrack):
    """640x360 frames at 30 fps with a moving bar, so VP8 has real work to do."""
    kind = "video"

    def __init__(self, width=640, height=360, fps=30):
        super().__init__()
        self.w, self.h, self.fps, self.n, self.t0 = width, height, fps, 0, None

    async def recv(self):
        if self.t0 is None:
            self.t0 = time.monotonic()
        due = self.t0 + self.n / self.fps
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        img = numpy.full((self.h, self.w, 3), 40, numpy.uint8)
        x = (self.n * 8) % self.w
        img[:, x:x + 40] = (200, 80, 30)
        img[(self.n * 4) % self.h, :] = 255
        frame = VideoFrame.from_ndarray(img, format="bgr24")
        frame.pts = self.n * (90000 // self.fps)
        frame.time_base = fractions.Fraction(1, 90000)
        self.n += 1
        return frame


class ToneAudio(MediaStreamTrack):
    """48 kHz mono 440 Hz tone in 20 ms frames."""
    kind = "audio"

    def __init__(self):
        super().__init__()
        self.n, self.t0 = 0, None

    async def recv(self):
        if self.t0 is None:
            self.t0 = time.monotonic()
        due = self.t0 + self.n * 0.02
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        t = (numpy.arange(960) + self.n * 960) / 48000.0
        samples = (numpy.sin(2 * numpy.pi * 440 * t) * 8000).astype(numpy.int16)
        frame = AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 48000
        frame.pts = self.n * 960
        frame.time_base = fractions.Fraction(1, 48000)
        self.n += 1
        return frame


def http_post(url, token, sdp, timeout=10):
    req = urllib.request.Request(url, data=sdp.encode(), method="POST", headers={
        "Content-Type": "application/sdp", "Authorization": f"Bearer {token}"})
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as res:
            return res.status, res.read().decode(), res.headers.get("Location")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace"), None


class Counter:
    def __init__(self):
        self.video = self.audio = 0
        self.size = None

    async def drain(self, track):
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    self.video += 1
                    self.size = f"{frame.width}x{frame.height}"
                else:
                    self.audio += 1
        except MediaStreamError:
            pass


def emit(obj):
    print(json.dumps(obj), flush=True)


async def run(args):
    pc = RTCPeerConnection()
    counter = Counter()
    tasks = []
    if args.mode == "whip":
        pc.addTransceiver(ToneAudio(), direction="sendonly")
        pc.addTransceiver(PatternVideo(), direction="sendonly")
    else:
        pc.addTransceiver("audio", direction="recvonly")
        pc.addTransceiver("video", direction="recvonly")
        pc.on("track", lambda track: tasks.append(asyncio.ensure_future(counter.drain(track))))
    await pc.setLocalDescription(await pc.createOffer())
    status, body, location = await asyncio.to_thread(http_post, args.url, args.token, pc.localDescription.sdp)
    if status not in (200, 201):
        emit({"error": f"HTTP {status}", "body": body[:500]})
        await pc.close()
        return 2
    await pc.setRemoteDescription(RTCSessionDescription(sdp=body, type="answer"))
    emit({"answer_ok": True, "location": location})
    t0 = time.monotonic()
    while time.monotonic() - t0 < args.seconds:
        await asyncio.sleep(1)
        emit(sample(pc, counter, t0))
    final = sample(pc, counter, t0)
    final["final"] = True
    emit(final)
    for t in tasks:
        t.cancel()
    await pc.close()
    return 0


def sample(pc, counter, t0):
    s = {"t": round(time.monotonic() - t0, 3), "conn": pc.connectionState, "ice": pc.iceConnectionState,
         "video_frames": counter.video, "audio_frames": counter.audio}
    if counter.size:
        s["size"] = counter.size
    senders = [x.sender for x in pc.getTransceivers() if x.sender.track]
    s["sent_packets"] = sum(getattr(x, "_RTCRtpSender__packet_count", 0) for x in senders)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["whip", "whep"])
    ap.add_argument("url")
    ap.add_argument("--token", default="")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--host-ip", default="127.0.0.1")
    args = ap.parse_args()
    patch_aiortc(args.host_ip)
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
