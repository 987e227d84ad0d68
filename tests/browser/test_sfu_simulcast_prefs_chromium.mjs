// test_sfu_simulcast_prefs_chromium.mjs: consumer.set_preferences picks the simulcast
// layer a subscriber gets. A Chromium publisher sends VP8 simulcast q/h/f at 1280x720
// (transport-cc feedback from the SFU lets layer f ramp up); the subscriber's consumer is
// set to max_spatial 0 and must decode 320x180, then to max_spatial 2 and must reach
// 1280x720 within 15 s; decoding never stops (no freeze, >= 15 fps after the switch) and
// the SFU reports the layers in peer.stats and consumer.layers_changed events.
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, kn, window2 } from '../lib/browsers.mjs';
import { startSfu, startPageServer, publishSimulcast, subscribeKinds } from './lib/sfu_control.mjs';

const ROOM = 'simprefs';
const RIDS = ['q', 'h', 'f'];

async function waitHeight(page, h, ms) {
  const end = Date.now() + ms;
  let v = {};
  while (Date.now() < end) {
    v = (await kn(page, 'stats', 'sub')).in.video || {};
    if (v.frameHeight === h) return { v, ms: ms - (end - Date.now()) };
    await sleep(250);
  }
  throw new Error(`no ${h}p within ${ms} ms; last ${v.frameWidth}x${v.frameHeight}`);
}

runTest('sfu simulcast preferences chromium', 180, async () => {
  const { ctl } = await startSfu();
  await ctl.request('room.create', { room: ROOM });
  const chromium = await launchChromium();
  const url = await startPageServer();
  const pub = await chromium.newPage(url);
  const sub = await chromium.newPage(url);

  await publishSimulcast(ctl, ROOM, pub, 'pub', { rids: RIDS });
  await subscribeKinds(ctl, ROOM, sub, 'sub', { beforeAnswer: async () => {
    // validation first: a bad field changes nothing
    let bad = null;
    try { await ctl.request('consumer.set_preferences', { room: ROOM, consumer: 'c-video', max_spatial: 3 }); } catch (e) { bad = e; }
    check(bad !== null, `max_spatial 3 refused (${bad && bad.message})`);
    await ctl.request('consumer.set_preferences', { room: ROOM, consumer: 'c-video', max_spatial: 0 });
  } });

  const low = await waitHeight(sub, 180, 25000);
  console.log(`max_spatial 0: ${low.v.frameWidth}x${low.v.frameHeight} after ${low.ms} ms`);
  await sleep(6000); // let Chrome's estimate grow until layer f is sent
  const before = (await kn(sub, 'stats', 'sub')).in.video;
  let st = await ctl.request('peer.stats', { room: ROOM, peer: 'sub' });
  console.log(`layers before: ${JSON.stringify(st.consumers.find((c) => c.consumer === 'c-video').layers)}`);
  await ctl.request('consumer.set_preferences', { room: ROOM, consumer: 'c-video', max_spatial: 2 });
  const high = await waitHeight(sub, 720, 15000);
  console.log(`max_spatial 2: ${high.v.frameWidth}x${high.v.frameHeight} after ${high.ms} ms`);
  const w = await window2(sub, 'sub', 4);
  const after = w.b.in.video;
  console.log(`after: ${w.fps.toFixed(1)} fps, freezes ${before.freezeCount} -> ${after.freezeCount}, decoded ${before.framesDecoded} -> ${after.framesDecoded}`);
  st = await ctl.request('peer.stats', { room: ROOM, peer: 'sub' });
  const layers = st.consumers.find((c) => c.consumer === 'c-video').layers;
  console.log(`layers after: ${JSON.stringify(layers)}`);
  const ev = ctl.events.filter((e) => e.event === 'consumer.layers_changed' && e.params.consumer === 'c-video');
  console.log(`layers_changed events: ${ev.map((e) => `${e.params.spatial}/${e.params.temporal}->${e.params.target_spatial}`).join(' ')}`);
  check(high.v.frameWidth === 1280, `1280x720 after max_spatial 2 (${high.v.frameWidth}x${high.v.frameHeight})`);
  check(after.freezeCount === before.freezeCount, `no freeze across the switch (${before.freezeCount} -> ${after.freezeCount})`);
  check(w.fps >= 15, `>= 15 fps at 720p (${w.fps.toFixed(1)})`);
  check(layers.spatial === 2 && layers.target_spatial === 2, 'peer.stats layers: spatial 2');
  check(ev.some((e) => e.params.spatial === 0) && ev.some((e) => e.params.spatial === 2), 'layers_changed events for spatial 0 and 2');
});
