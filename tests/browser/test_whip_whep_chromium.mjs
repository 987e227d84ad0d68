// test_whip_whep_chromium.mjs: the full path. konsil-signaling (which starts konsil-sfu)
// serves WHIP/WHEP; one Chromium page publishes audio + video over WHIP, two pages
// subscribe over WHEP. Each subscriber must decode >= 20 video frames/s over >= 5 s,
// receive audio (totalSamplesReceived increasing, totalAudioEnergy > 0) and report
// srtpCipher AEAD_AES_128_GCM; the SFU's peer.stats (over the control socket) must show
// the publisher's packets and both subscribers' forwarded packets.
import { runTest, startKonsil, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, kn, waitFor, window2 } from '../lib/browsers.mjs';

const ROOM = 'whipwhep';
const WINDOW_S = 6;

runTest('whip_whep_chromium', 240, async () => {
  const k = await startKonsil();
  console.log(`konsil-signaling pid ${k.pid} on ${k.base}, media port ${k.mediaPort}, SFU pid ${k.sfuPid()}`);
  const chromium = await launchChromium();
  const pubPage = await chromium.newPage(`${k.base}/`);
  const pub = await kn(pubPage, 'publish', { url: k.whip(ROOM), token: k.token(ROOM, 'publish'), width: 640, height: 480 });
  await waitFor(pubPage, pub, (s) => (s.out.video || {}).framesEncoded > 0, 15000, 'publisher encoding');

  const subPages = [await chromium.newPage(`${k.base}/`), await chromium.newPage(`${k.base}/`)];
  const subs = [];
  for (const page of subPages) subs.push(await kn(page, 'subscribe', { url: k.whep(ROOM), token: k.token(ROOM, 'subscribe') }));
  for (const [i, page] of subPages.entries()) {
    await waitFor(page, subs[i], (s) => (s.in.video || {}).framesDecoded > 0, 20000, `subscriber ${i + 1} decoding`);
  }
  await sleep(2000); // jitter buffers and BWE ramp
  const windows = await Promise.all(subPages.map((p, i) => window2(p, subs[i], WINDOW_S)));
  for (const [i, w] of windows.entries()) {
    const t = w.b.transport;
    const audio = w.b.in.audio || {};
    console.log(`subscriber ${i + 1}: ${w.fps.toFixed(1)} fps over ${w.dt.toFixed(1)} s, ` +
      `${w.b.in.video.frameWidth}x${w.b.in.video.frameHeight}, audio +${w.audioSamples} samples, energy ${audio.totalAudioEnergy}, ` +
      `srtp ${t.srtpCipher}, pair ${t.pair}`);
    check(w.dt >= 5, `window of ${w.dt.toFixed(1)} s >= 5 s`);
    check(w.fps >= 20, `subscriber ${i + 1} decodes >= 20 fps (${w.fps.toFixed(1)})`);
    check(w.audioSamples > 0, `subscriber ${i + 1} totalSamplesReceived increases (+${w.audioSamples})`);
    check(audio.totalAudioEnergy > 0, `subscriber ${i + 1} totalAudioEnergy > 0`);
    check(/AEAD_AES_128_GCM/.test(t.srtpCipher || ''), `subscriber ${i + 1} srtpCipher AEAD_AES_128_GCM (${t.srtpCipher})`);
  }

  const pubInfo = await kn(pubPage, 'info', pub);
  const pubStats = await k.sfuPeerStats(ROOM, pubInfo.location);
  check(pubStats !== null, `SFU peer.stats for the WHIP resource ${pubInfo.location}`);
  console.log(`SFU publisher: ${JSON.stringify({ profile: pubStats.srtp_profile, rx: pubStats.rx, dropped: pubStats.dropped })}`);
  check(pubStats.srtp_profile === 'AEAD_AES_128_GCM', 'SFU publisher profile AEAD_AES_128_GCM');
  check(pubStats.rx.rtp_packets > 500, `SFU received publisher RTP (${pubStats.rx.rtp_packets})`);
  for (const [i, page] of subPages.entries()) {
    const info = await kn(page, 'info', subs[i]);
    const s = await k.sfuPeerStats(ROOM, info.location);
    check(s !== null, `SFU peer.stats for WHEP resource ${i + 1}`);
    const fwd = s.consumers.reduce((n, c) => n + c.packets, 0);
    console.log(`SFU subscriber ${i + 1}: consumers ${s.consumers.length}, forwarded ${fwd} packets, rtt ${s.rtt_ms} ms`);
    check(s.consumers.length >= 2 && fwd > 500, `SFU forwarded audio + video to subscriber ${i + 1}`);
  }
  const up = k.upState();
  check(up.ok, up.text);
});
