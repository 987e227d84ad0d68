// test_sfu_direct_chromium.mjs: konsil-sfu forwards real Chromium media without
// konsil-signaling. The test speaks the control API itself (lib/sfu_control.mjs): one
// Chromium page publishes Opus + VP8, two pages subscribe; each subscriber must decode
// >= 20 video frames/s over >= 5 s and receive audio with energy, over AEAD_AES_128_GCM;
// the second subscriber's answer signals no SSRCs, so it relies on the SFU's mid extension;
// the SFU's peer.stats must agree (packets forwarded, nothing dropped for auth).
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, kn, waitFor, window2 } from '../lib/browsers.mjs';
import { startSfu, startPageServer, publishDirect, subscribeDirect } from './lib/sfu_control.mjs';

const ROOM = 'r1';

runTest('sfu direct chromium', 150, async () => {
  const sfu = await startSfu();
  const { ctl } = sfu;
  const info = await ctl.request('sfu.info');
  console.log(`sfu pid ${sfu.pid} port ${sfu.port} backend "${info.srtp_backend}"`);
  await ctl.request('room.create', { room: ROOM });

  const chromium = await launchChromium();
  const url = await startPageServer();
  const pubPage = await chromium.newPage(url);
  const subPages = [await chromium.newPage(url), await chromium.newPage(url)];
  await publishDirect(ctl, ROOM, pubPage, 'pub');
  await subscribeDirect(ctl, ROOM, subPages[0], 'sub1');
  // sub2's answer has no a=ssrc: Chromium routes by the mid the SFU writes into each packet.
  await subscribeDirect(ctl, ROOM, subPages[1], 'sub2', 'pub', { signalSsrc: false });

  for (const [i, page] of subPages.entries()) {
    await waitFor(page, `sub${i + 1}`, (s) => (s.in.video || {}).framesDecoded > 30, 20000, `sub${i + 1} video`);
  }
  await sleep(1000);
  const windows = await Promise.all(subPages.map((p, i) => window2(p, `sub${i + 1}`, 5)));
  for (const [i, w] of windows.entries()) {
    const t = w.b.transport;
    console.log(`sub${i + 1}: ${w.fps.toFixed(1)} fps over ${w.dt.toFixed(1)} s, ${w.b.in.video.frameWidth}x${w.b.in.video.frameHeight}, ` +
      `audio +${w.audioSamples} samples energy ${(w.b.in.audio || {}).totalAudioEnergy}, srtp ${t.srtpCipher}, pair ${t.pair}`);
    check(w.fps >= 20, `sub${i + 1} decodes >= 20 fps (${w.fps.toFixed(1)})`);
    check(w.audioSamples > 0, `sub${i + 1} audio samples increase`);
    check((w.b.in.audio || {}).totalAudioEnergy > 0, `sub${i + 1} audio energy > 0`);
    check(/AEAD_AES_128_GCM/.test(t.srtpCipher || ''), `sub${i + 1} srtpCipher is AEAD_AES_128_GCM (${t.srtpCipher})`);
  }
  const pubStats = await ctl.request('peer.stats', { room: ROOM, peer: 'pub' });
  console.log(`pub stats: ${JSON.stringify({ rx: pubStats.rx, dropped: pubStats.dropped, profile: pubStats.srtp_profile })}`);
  check(pubStats.srtp_profile === 'AEAD_AES_128_GCM', 'publisher SRTP profile AEAD_AES_128_GCM');
  check(pubStats.rx.rtp_packets > 300, `publisher rx rtp packets (${pubStats.rx.rtp_packets})`);
  check(pubStats.dropped.srtp_auth === 0, 'no SRTP auth drops from the publisher');
  for (const name of ['sub1', 'sub2']) {
    const s = await ctl.request('peer.stats', { room: ROOM, peer: name });
    const video = s.consumers.find((c) => c.consumer === `${name}-video`);
    console.log(`${name} stats: tx ${JSON.stringify(s.tx)} rtt ${s.rtt_ms} video consumer packets ${video.packets}`);
    check(s.state === 'connected' && video.packets > 300, `${name} consumer forwarded video packets (${video.packets})`);
  }
  const events = ctl.events.filter((e) => e.event === 'peer.connected');
  check(events.length === 3, `three peer.connected events (${events.length})`);
  check(events.every((e) => e.params.transport === 'udp'), `all peers connected over UDP (${events.map((e) => e.params.transport)})`);
});
