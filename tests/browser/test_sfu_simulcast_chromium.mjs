// test_sfu_simulcast_chromium.mjs: a Chromium publisher sends VP8 simulcast (rids q/h/f at
// 1280x720) to konsil-sfu, driven over the control API; encodings are bound by the rid
// header extension (no a=ssrc in the offer). transport-cc is negotiated with the publisher,
// so the SFU's feedback drives Chrome's own bandwidth estimate up until layer f (1280x720)
// is sent too. One subscriber must receive one continuous stream (>= 20 decoded fps over
// 5 s); the SFU must have received all three encodings and sent transport-cc feedback.
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, kn, waitFor, window2 } from '../lib/browsers.mjs';
import { startSfu, startPageServer, publishSimulcast, subscribeKinds } from './lib/sfu_control.mjs';

const ROOM = 'sim';
const RIDS = ['q', 'h', 'f'];

runTest('sfu simulcast chromium', 150, async () => {
  const { ctl } = await startSfu();
  await ctl.request('room.create', { room: ROOM });
  const chromium = await launchChromium();
  const url = await startPageServer();
  const pub = await chromium.newPage(url);
  const sub = await chromium.newPage(url);

  const offer = await publishSimulcast(ctl, ROOM, pub, 'pub', { rids: RIDS });
  check(offer.media.find((m) => m.kind === 'video').rids.join(',') === RIDS.join(','), 'offer carries rids q,h,f');
  await subscribeKinds(ctl, ROOM, sub, 'sub');

  await waitFor(sub, 'sub', (s) => (s.in.video || {}).framesDecoded > 30, 25000, 'subscriber video');
  await sleep(2000);
  const w = await window2(sub, 'sub', 5);
  const v = w.b.in.video;
  console.log(`sub: ${w.fps.toFixed(1)} fps, ${v.frameWidth}x${v.frameHeight}, lost ${v.packetsLost}, freezes ${w.freezes}`);
  const ps = await ctl.request('peer.stats', { room: ROOM, peer: 'pub' });
  const encs = ps.producers.find((p) => p.producer === 'video').encodings;
  console.log(`publisher encodings: ${encs.map((e) => `${e.rid}:ssrc=${e.ssrc},pkts=${e.packets},${e.bitrate_bps}bps`).join(' ')}`);
  check(w.fps >= 20, `subscriber decodes >= 20 fps (${w.fps.toFixed(1)})`);
  const out = await kn(pub, 'stats', 'pub');
  console.log(`publisher: twcc feedback sent ${ps.tx.twcc_sent}, rtcp ${ps.tx.rtcp_packets}; Chrome video out ${JSON.stringify(out.out.video)}`);
  check(encs.filter((e) => e.packets > 0).length >= 2, 'SFU bound at least two simulcast encodings by rid');
  check(ps.tx.twcc_sent > 50, `SFU sent transport-cc feedback to the publisher (${ps.tx.twcc_sent})`);
  const f = encs.find((e) => e.rid === 'f');
  check(f && f.packets > 0 && f.bitrate_bps > 300000, `layer f (1280x720) reaches the SFU (${f && f.packets} packets, ${f && f.bitrate_bps} bps)`);
  check(ps.dropped.unknown_ssrc === 0, `no unknown-SSRC drops (${ps.dropped.unknown_ssrc})`);
});
