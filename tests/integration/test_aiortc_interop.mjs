// test_aiortc_interop.mjs: aiortc (no simulcast, no transport-cc, AES_CM_128_HMAC_SHA1_80
// only, routes by SSRC) against Konsil. Direction 1: aiortc publishes over WHIP, Chromium
// views over WHEP. Direction 2: Chromium publishes over WHIP, aiortc views over WHEP and
// counts decoded video and audio frames via track.recv(). Prints the measured rates.
import { runTest, startKonsil, startAiortc, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, kn, waitFor, window2 } from '../lib/browsers.mjs';

const WINDOW_S = 5;
const MIN_FPS = 15; // both senders run at 30 fps; half of that proves steady decoding

async function aiortcToChromium(k, page) {
  const room = 'aiortc-pub';
  const pub = startAiortc('whip', k.whip(room), k.token(room, 'publish'), { seconds: 30 });
  const end = Date.now() + 15000;
  while (Date.now() < end && !pub.samples.some((s) => s.answer_ok || s.error)) await sleep(100);
  const first = pub.samples.find((s) => s.answer_ok || s.error);
  check(first && first.answer_ok, `aiortc WHIP publish answered (${JSON.stringify(first)} ${pub.stderr().slice(-500)})`);
  const id = await kn(page, 'subscribe', { url: k.whep(room), token: k.token(room, 'subscribe') });
  await waitFor(page, id, (s) => (s.in.video || {}).framesDecoded > 0, 15000, 'first decoded frame from aiortc');
  await sleep(1000);
  const w = await window2(page, id, WINDOW_S);
  const audioPkts = (w.b.in.audio || {}).packetsReceived - (w.a.in.audio || {}).packetsReceived;
  console.log(`aiortc -> Chromium: ${w.fps.toFixed(1)} fps decoded (${w.framesDecoded} frames in ${w.dt.toFixed(1)} s), ` +
    `${(w.b.in.video || {}).frameWidth}x${(w.b.in.video || {}).frameHeight}, audio ${audioPkts} packets, ` +
    `energy +${w.audioEnergy.toFixed(3)}, lost ${w.videoLost}, srtp ${w.b.transport.srtpCipher}, pair ${w.b.transport.pair}`);
  console.log(`aiortc publisher: ${JSON.stringify(pub.last())}`);
  check(w.fps >= MIN_FPS, `Chromium decodes aiortc video at >= ${MIN_FPS} fps (${w.fps.toFixed(1)})`);
  check(audioPkts >= WINDOW_S * 50 * 0.8, `Chromium receives aiortc audio (${audioPkts} packets in ${WINDOW_S} s)`);
  check(w.audioEnergy > 0, `aiortc audio is not silent at Chromium (energy +${w.audioEnergy.toFixed(4)})`);
  await kn(page, 'hangup', id);
  await pub.stop();
}

async function chromiumToAiortc(k, page) {
  const room = 'chromium-pub';
  const id = await kn(page, 'publish', { url: k.whip(room), token: k.token(room, 'publish'), width: 640, height: 360 });
  await waitFor(page, id, (s) => (s.out.video || {}).framesEncoded > 0, 15000, 'Chromium encoding');
  const sub = startAiortc('whep', k.whep(room), k.token(room, 'subscribe'), { seconds: 14 });
  const code = await sub.done;
  const pubStats = await kn(page, 'stats', id);
  console.log(`Chromium publisher: srtp ${pubStats.transport.srtpCipher}, pair ${pubStats.transport.pair}, ` +
    `framesEncoded ${(pubStats.out.video || {}).framesEncoded}`);
  const fin = sub.samples.find((s) => s.final);
  const err = sub.samples.find((s) => s.error);
  check(code === 0 && fin, `aiortc WHEP subscriber ran to the end (exit ${code}${err ? ` ${JSON.stringify(err)}` : ''}) ${code ? sub.stderr().slice(-800) : ''}`);
  // Rate over the last WINDOW_S seconds of its run.
  const ref = sub.samples.filter((s) => typeof s.t === 'number' && s.t <= fin.t - WINDOW_S).pop();
  check(ref !== undefined, 'aiortc produced per-second samples');
  const dt = fin.t - ref.t;
  const vfps = (fin.video_frames - ref.video_frames) / dt;
  const afps = (fin.audio_frames - ref.audio_frames) / dt;
  console.log(`Chromium -> aiortc: ${vfps.toFixed(1)} video fps, ${afps.toFixed(1)} audio frames/s over ${dt.toFixed(1)} s, ` +
    `size ${fin.size}, total video ${fin.video_frames}, audio ${fin.audio_frames}, conn ${fin.conn}`);
  check(vfps >= MIN_FPS, `aiortc decodes Chromium video at >= ${MIN_FPS} fps (${vfps.toFixed(1)})`);
  check(afps >= 40, `aiortc decodes Chromium audio at >= 40 frames/s of 50 (${afps.toFixed(1)})`);
  await kn(page, 'hangup', id);
}

runTest('aiortc_interop', 300, async () => {
  const k = await startKonsil();
  console.log(`konsil-signaling pid ${k.pid} on ${k.base}, media port ${k.mediaPort}, SFU pid ${k.sfuPid()}`);
  const chromium = await launchChromium();
  const page = await chromium.newPage(`${k.base}/`);
  await aiortcToChromium(k, page);
  await chromiumToAiortc(k, page);
  const up = k.upState();
  check(up.ok, `both processes up, SFU not restarted (${up.text})`);
});
