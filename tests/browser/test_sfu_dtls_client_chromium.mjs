// test_sfu_dtls_client_chromium.mjs: konsil-sfu as DTLS client end to end. Chromium offers
// a=setup:actpass; the answerer may pick either role (RFC 8842 §5.2), and here the SFU is
// created with dtls.role "client", so the answer says a=setup:active and Chromium becomes
// the DTLS server (passive). The SFU must send the ClientHello after the first verified
// check, derive SRTP keys as client, and forward Opus + VP8: one publisher and one
// subscriber, both with the SFU as client; the subscriber decodes >= 20 fps with audio.
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, waitFor, window2 } from '../lib/browsers.mjs';
import { startSfu, startPageServer, publishDirect, subscribeDirect, selectedPair } from './lib/sfu_control.mjs';

const ROOM = 'client';

runTest('sfu dtls client chromium', 120, async () => {
  const { ctl } = await startSfu();
  await ctl.request('room.create', { room: ROOM });
  const chromium = await launchChromium();
  const url = await startPageServer();
  const pubPage = await chromium.newPage(url);
  const subPage = await chromium.newPage(url);
  const pub = await publishDirect(ctl, ROOM, pubPage, 'pub', { role: 'client' });
  const sub = await subscribeDirect(ctl, ROOM, subPage, 'sub', 'pub', { role: 'client' });
  check(pub.dtls.role === 'client' && sub.dtls.role === 'client', `peer.create answered dtls.role client (${pub.dtls.role}, ${sub.dtls.role})`);

  await waitFor(subPage, 'sub', (s) => (s.in.video || {}).framesDecoded > 30, 20000, 'sub video');
  await sleep(1000);
  const w = await window2(subPage, 'sub', 5);
  const role = await subPage.evaluate(async () => {
    let r = null;
    (await window.knTest.pcs.sub.pc.getStats()).forEach((s) => { if (s.type === 'transport') r = s.dtlsRole; });
    return r;
  });
  console.log(`sub: ${w.fps.toFixed(1)} fps, ${w.b.in.video.frameWidth}x${w.b.in.video.frameHeight}, audio +${w.audioSamples} ` +
    `energy ${(w.b.in.audio || {}).totalAudioEnergy}, srtp ${w.b.transport.srtpCipher}, Chromium dtlsRole ${role}`);
  console.log(`pairs: pub ${JSON.stringify(await selectedPair(pubPage, 'pub'))} sub ${JSON.stringify(await selectedPair(subPage, 'sub'))}`);
  check(role === 'server', `Chromium is the DTLS server (dtlsRole ${role})`);
  check(w.fps >= 20, `sub decodes >= 20 fps (${w.fps.toFixed(1)})`);
  check(w.audioSamples > 0 && (w.b.in.audio || {}).totalAudioEnergy > 0, 'sub audio samples and energy increase');
  const events = ctl.events.filter((e) => e.event === 'peer.connected');
  console.log(`peer.connected: ${JSON.stringify(events.map((e) => e.params))}`);
  check(events.length === 2, 'both peers connected with the SFU as DTLS client');
  for (const name of ['pub', 'sub']) {
    const s = await ctl.request('peer.stats', { room: ROOM, peer: name });
    check(s.state === 'connected' && s.dropped.srtp_auth === 0, `${name}: connected, no SRTP auth drops (profile ${s.srtp_profile})`);
  }
});
