// test_firefox_interop.mjs: Firefox ESR (puppeteer-core over WebDriver BiDi) and Chromium
// (playwright-core) through Konsil WHIP/WHEP on loopback. Firefox publishes and Chromium
// views; Chromium publishes and Firefox views; both calls run at the same time. Asserts
// steady video decoding and received, non-silent audio in both directions; prints rates.
import { runTest, startKonsil, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox, kn, waitFor, delta } from '../lib/browsers.mjs';

const WINDOW_S = 6;
const MIN_FPS = 15; // both fake cameras run at 30 fps; >= 15 fps means steady decoding

function report(label, w) {
  const v = w.b.in.video || {};
  const audioPkts = ((w.b.in.audio || {}).packetsReceived || 0) - ((w.a.in.audio || {}).packetsReceived || 0);
  console.log(`${label}: ${w.fps.toFixed(1)} fps decoded (${w.framesDecoded} frames / ${w.dt.toFixed(1)} s), ` +
    `${v.frameWidth}x${v.frameHeight}, freezes +${w.freezes}, lost +${w.videoLost}, audio ${audioPkts} pkts, ` +
    `samples +${w.audioSamples}, energy +${w.audioEnergy.toFixed(4)}, srtp ${w.b.transport.srtpCipher || '(not reported)'}`);
  check(w.fps >= MIN_FPS, `${label}: video decoded at >= ${MIN_FPS} fps (${w.fps.toFixed(1)})`);
  check(audioPkts >= WINDOW_S * 50 * 0.8, `${label}: audio packets received (${audioPkts} in ${WINDOW_S} s)`);
  check(w.audioSamples > 0 && w.audioEnergy > 0, `${label}: audio decoded and not silent`);
}

runTest('firefox_interop', 300, async () => {
  const k = await startKonsil();
  console.log(`konsil-signaling pid ${k.pid} on ${k.base}, media port ${k.mediaPort}, SFU pid ${k.sfuPid()}`);
  const [chromium, firefox] = [await launchChromium(), await launchFirefox()];
  const cPage = await chromium.newPage(`${k.base}/`);
  const fPage = await firefox.newPage(`${k.base}/`);
  const size = { width: 640, height: 480 };

  const fPub = await kn(fPage, 'publish', { url: k.whip('ff'), token: k.token('ff', 'publish'), ...size });
  const cPub = await kn(cPage, 'publish', { url: k.whip('cr'), token: k.token('cr', 'publish'), ...size });
  await waitFor(fPage, fPub, (s) => (s.out.video || {}).framesEncoded > 0, 15000, 'Firefox encoding');
  await waitFor(cPage, cPub, (s) => (s.out.video || {}).framesEncoded > 0, 15000, 'Chromium encoding');

  const cSub = await kn(cPage, 'subscribe', { url: k.whep('ff'), token: k.token('ff', 'subscribe') });
  const fSub = await kn(fPage, 'subscribe', { url: k.whep('cr'), token: k.token('cr', 'subscribe') });
  await waitFor(cPage, cSub, (s) => (s.in.video || {}).framesDecoded > 0, 20000, 'Chromium decoding Firefox');
  await waitFor(fPage, fSub, (s) => (s.in.video || {}).framesDecoded > 0, 20000, 'Firefox decoding Chromium');
  await sleep(2000); // warm-up: BWE ramp and jitter buffers

  const a = [await kn(cPage, 'stats', cSub), await kn(fPage, 'stats', fSub)];
  await sleep(WINDOW_S * 1000);
  const b = [await kn(cPage, 'stats', cSub), await kn(fPage, 'stats', fSub)];
  const fOut = await kn(fPage, 'stats', fPub);
  const cOut = await kn(cPage, 'stats', cPub);
  console.log(`Firefox publisher: dtls ${fOut.transport.dtlsState || '?'}, srtp ${fOut.transport.srtpCipher || '(not reported)'}, framesEncoded ${(fOut.out.video || {}).framesEncoded}`);
  console.log(`Chromium publisher: srtp ${cOut.transport.srtpCipher}, pair ${cOut.transport.pair}, framesEncoded ${(cOut.out.video || {}).framesEncoded}, limit ${(cOut.out.video || {}).qualityLimitationReason}`);
  report('Firefox -> Chromium', delta(a[0], b[0]));
  report('Chromium -> Firefox', delta(a[1], b[1]));
  const up = k.upState();
  check(up.ok, `both processes up, SFU not restarted (${up.text})`);
});
