// test_sfu_offer_chromium.mjs: konsil-sfu as the offerer of a subscribe connection
// (docs/control-api.md "Offer mode"). peer.create without ice/fingerprint gives the
// SFU's credentials; consumer.create (the SFU's own payload types and extension ids)
// gives the SSRCs; the test writes the offer (a=setup:actpass, ice-lite) from them,
// Chromium answers (setup:active) and peer.set_remote completes the peer: checks that
// arrived before set_remote are dropped and counted, then media flows. A second
// publisher joins: one more consumer and a re-offer with a third m-line (same ICE/DTLS);
// the subscriber must decode both videos, each >= 15 fps, with no freeze.
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium } from '../lib/browsers.mjs';
import { startSfu, startPageServer, publishDirect, parseOffer, buildOffer, pageAnswerOffer,
  setRemoteFromAnswer, inboundVideo, URI } from './lib/sfu_control.mjs';

const ROOM = 'offer';
// The SFU's codec choice for subscribers; Chromium's answer echoes these payload types.
const OPUS = { payload_type: 111, name: 'opus', clock_rate: 48000, channels: 2, rtcp_fb: [] };
const VP8 = { payload_type: 96, name: 'VP8', clock_rate: 90000, rtx_payload_type: 97, rtcp_fb: ['nack', 'nack pli', 'ccm fir'] };
const EXTS = [{ id: 9, uri: URI.mid }, { id: 2, uri: URI.absSendTime }];

async function consume(ctl, name, producer, mid, kind) {
  const codec = kind === 'audio' ? OPUS : VP8;
  const res = await ctl.request('consumer.create', { room: ROOM, peer: 'sub', consumer: name, producer, mid,
    codecs: [codec], header_extensions: EXTS });
  return { kind, mid, codec, exts: EXTS, fmtp: kind === 'audio' ? 'minptime=10;useinbandfec=1' : undefined,
    ssrc: res.ssrc, rtxSsrc: res.rtx_ssrc };
}

async function videoRates(page, seconds) {
  const a = await inboundVideo(page, 'sub');
  await sleep(seconds * 1000);
  const b = await inboundVideo(page, 'sub');
  const out = {};
  for (const mid of Object.keys(b)) {
    const x = a[mid] || { framesDecoded: 0, freezeCount: 0 };
    out[mid] = { fps: (b[mid].framesDecoded - x.framesDecoded) / seconds, freezes: b[mid].freezeCount - x.freezeCount,
      size: `${b[mid].width}x${b[mid].height}` };
  }
  return out;
}

runTest('sfu offer chromium', 150, async () => {
  const { ctl } = await startSfu();
  await ctl.request('room.create', { room: ROOM });
  const chromium = await launchChromium();
  const url = await startPageServer();
  const [pub1, pub2, sub] = [await chromium.newPage(url), await chromium.newPage(url), await chromium.newPage(url)];
  await publishDirect(ctl, ROOM, pub1, 'p1');

  const peer = await ctl.request('peer.create', { room: ROOM, peer: 'sub' });
  check(peer.dtls.role === 'server' && peer.ice.lite === true, `offer-mode peer: role ${peer.dtls.role}`);
  const sections = [await consume(ctl, 'c-p1-audio', 'p1-audio', '0', 'audio'),
    await consume(ctl, 'c-p1-video', 'p1-video', '1', 'video')];
  const answer1 = parseOffer(await pageAnswerOffer(sub, 'sub', buildOffer(peer, sections, 1)));
  check(answer1.setup === 'active', `Chromium answers actpass with setup:${answer1.setup}`);
  check(answer1.media.every((m) => m.codecs[m.kind === 'audio' ? 111 : 96]), 'answer echoes the offered payload types');
  await sleep(1500); // Chromium's checks start now and must be dropped until set_remote
  await setRemoteFromAnswer(ctl, ROOM, 'sub', answer1);
  const early = (await ctl.request('peer.stats', { room: ROOM, peer: 'sub' })).dropped.stun_early;
  console.log(`checks dropped before set_remote: ${early}`);
  check(early > 0, `checks before peer.set_remote were dropped and counted (${early})`);

  const t0 = Date.now();
  while (Date.now() - t0 < 20000 && !(((await inboundVideo(sub, 'sub'))['1'] || {}).framesDecoded > 30)) await sleep(250);
  const r1 = await videoRates(sub, 4);
  console.log(`one publisher: ${JSON.stringify(r1)}`);
  check(r1['1'] && r1['1'].fps >= 15, `subscriber decodes p1 (${JSON.stringify(r1['1'])})`);

  // A second publisher joins: one more consumer, one more m-line, same transport.
  await publishDirect(ctl, ROOM, pub2, 'p2');
  sections.push(await consume(ctl, 'c-p2-video', 'p2-video', '2', 'video'));
  const answer2 = parseOffer(await pageAnswerOffer(sub, 'sub', buildOffer(peer, sections, 2)));
  check(answer2.ice.ufrag === answer1.ice.ufrag, 'renegotiation keeps the ICE credentials (no restart)');
  check(answer2.media.length === 3, `answer has three m-lines (${answer2.media.length})`);
  const t1 = Date.now();
  while (Date.now() - t1 < 20000 && !(((await inboundVideo(sub, 'sub'))['2'] || {}).framesDecoded > 30)) await sleep(250);
  await sleep(1000);
  const r2 = await videoRates(sub, 5);
  console.log(`two publishers: ${JSON.stringify(r2)}`);
  for (const mid of ['1', '2']) {
    check(r2[mid] && r2[mid].fps >= 15, `mid ${mid} decodes >= 15 fps (${r2[mid] && r2[mid].fps})`);
    check(r2[mid] && r2[mid].freezes === 0, `mid ${mid} no freeze (${r2[mid] && r2[mid].freezes})`);
  }
  const st = await ctl.request('peer.stats', { room: ROOM, peer: 'sub' });
  console.log(`sub stats: state ${st.state} consumers ${st.consumers.map((c) => `${c.consumer}:${c.packets}`).join(' ')} dropped ${JSON.stringify(st.dropped)}`);
  check(st.consumers.length === 3 && st.consumers.every((c) => c.packets > 50), 'three consumers forward packets');
  check(st.dropped.stun_auth === 0, `no failed checks after set_remote (${st.dropped.stun_auth})`);
});
