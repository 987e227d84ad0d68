// test_sfu_remb_cap_chromium.mjs: REMB caps from konsil-sfu toward a Chromium publisher
// (docs/control-api.md "Publisher feedback"). konsil-sfu runs with
// --max-publisher-bitrate 1000000; the publisher sends VP8 simulcast q/h/f at 1280x720
// (about 2.2 Mbit/s uncapped) + Opus with transport-cc, one subscriber consumes it over
// the control API (no signaling, so no client acts on sfu.layers: the REMB alone must
// hold the publisher). Checks: the publisher's availableOutgoingBitrate and its send
// rate stay under the configured maximum; when the subscriber's preference drops to the
// lowest layer, producer.layers_needed (h, f inactive) follows after the 3 s hold, the
// cap falls to 1.5 x (q + audio) and the publisher's send rate follows it; preference
// back to f: the cap returns to the maximum and the subscriber is back at 360p or more
// (1 Mbit/s does not carry Chromium's 720p layer on top of q and h).
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, kn } from '../lib/browsers.mjs';
import { startSfu } from './lib/sfu_control.mjs';
import { ROOM, pageUrl, publish, subscribe } from './lib/bwe_session.mjs';

const MAX_BPS = 1000000;

// Publisher side: total outbound bytes, per-rid bytes and the pair's availableOutgoingBitrate.
async function pubStats(page) {
  return page.evaluate(async () => {
    const rep = await window.knTest.pcs.pub.pc.getStats();
    const out = { t: Date.now(), bytes: 0, rid: {}, aob: null };
    rep.forEach((s) => {
      if (s.type === 'outbound-rtp') {
        out.bytes += s.bytesSent || 0;
        if (s.kind === 'video') out.rid[s.rid || '-'] = s.bytesSent || 0;
      }
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && s.availableOutgoingBitrate)
        out.aob = s.availableOutgoingBitrate;
    });
    return out;
  });
}

// Send rate (kbit/s) in total and per rid over `seconds`, and the last availableOutgoingBitrate.
async function sendRate(page, seconds) {
  const a = await pubStats(page);
  await sleep(seconds * 1000);
  const b = await pubStats(page);
  const kbps = (x, y) => Math.round((8 * (y - x)) / (b.t - a.t));
  const rid = {};
  for (const r of Object.keys(b.rid)) rid[r] = kbps(a.rid[r] || 0, b.rid[r]);
  return { total: kbps(a.bytes, b.bytes), rid, aob: b.aob };
}

async function pubCap(ctl) {
  const st = await ctl.request('peer.stats', { room: ROOM, peer: 'pub' });
  return { cap: st.tx.remb_cap_bps, sent: st.tx.remb_sent };
}

async function subHeight(page) {
  const s = await kn(page, 'stats', 'sub');
  return (s.in.video && s.in.video.frameHeight) || 0;
}

async function until(pred, ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await pred()) return Date.now() - t0;
    await sleep(200);
  }
  return null;
}

runTest('sfu remb cap chromium', 240, async () => {
  const { ctl } = await startSfu({ extraArgs: ['--max-publisher-bitrate', String(MAX_BPS)] });
  await ctl.request('room.create', { room: ROOM });
  const url = pageUrl();
  const chromium = await launchChromium();
  const pub = await chromium.newPage(url);
  const sub = await chromium.newPage(url);
  await publish(ctl, pub);
  await subscribe(ctl, sub);
  check((await until(async () => (await subHeight(sub)) > 0, 20000)) !== null, 'subscriber decodes video');

  // 1. configured maximum
  await sleep(8000);
  const capped = await sendRate(pub, 5);
  const c1 = await pubCap(ctl);
  console.log(`max ${MAX_BPS}: SFU cap ${c1.cap}, REMBs sent ${c1.sent}; publisher availableOutgoingBitrate ${capped.aob}, ` +
    `sends ${capped.total} kbit/s (${JSON.stringify(capped.rid)}); subscriber at ${await subHeight(sub)}p`);
  check(c1.cap === MAX_BPS && c1.sent >= 5, `SFU sends REMB ${MAX_BPS} to the publisher (${c1.cap}, ${c1.sent} sent)`);
  check(capped.aob !== null && capped.aob <= MAX_BPS * 1.05, `availableOutgoingBitrate <= the cap (${capped.aob})`);
  check(capped.total * 1000 <= MAX_BPS * 1.1, `publisher sends under the cap (${capped.total} kbit/s)`);

  // 2. the only subscriber wants q: h and f unneeded, the cap follows
  const tPref = Date.now();
  await ctl.request('consumer.set_preferences', { room: ROOM, peer: 'sub', consumer: 'c-video', max_spatial: 0 });
  const evAt = await until(async () => ctl.events.some((e) => e.event === 'producer.layers_needed' &&
    e.params.encodings.map((x) => x.active).join() === 'true,false,false'), 10000);
  // 1.5 x q's peak 1 s rate: 200-330 kbit/s of q (a keyframe when Chromium re-allocates can
  // lift it) gives 300-500k; with h still needed it would be >= 1.5 x (q + h), i.e. the maximum.
  const lowCapBps = MAX_BPS / 2;
  const lowCap = await until(async () => (await pubCap(ctl)).cap < lowCapBps, 10000);
  const tLowCap = Date.now() - tPref;
  await sleep(4000);
  const low = await sendRate(pub, 5);
  const c2 = await pubCap(ctl);
  console.log(`prefs q: producer.layers_needed after ${evAt} ms, cap ${c2.cap} ${lowCap === null ? 'never' : `after ${tLowCap} ms`}; ` +
    `publisher availableOutgoingBitrate ${low.aob}, sends ${low.total} kbit/s (${JSON.stringify(low.rid)})`);
  check(evAt !== null && evAt >= 2500, `producer.layers_needed q only after the hold (${evAt} ms)`);
  check(c2.cap < lowCapBps, `cap follows the needed layer (${c2.cap} < ${lowCapBps})`);
  check(low.aob !== null && low.aob <= c2.cap * 1.1, `availableOutgoingBitrate follows the cap (${low.aob} <= ${c2.cap})`);
  check(low.total * 1000 <= c2.cap * 1.1 && low.total < capped.total * 0.6, `publisher send rate drops (${capped.total} -> ${low.total} kbit/s)`);

  // 3. f wanted again: the cap returns, the subscriber gets h (f does not fit 1 Mbit/s)
  const tUp = Date.now();
  await ctl.request('consumer.set_preferences', { room: ROOM, peer: 'sub', consumer: 'c-video', max_spatial: 2 });
  const capBack = await until(async () => (await pubCap(ctl)).cap === MAX_BPS, 5000);
  const up = await until(async () => (await subHeight(sub)) >= 360, 30000);
  const back = await sendRate(pub, 4);
  console.log(`prefs f: cap back after ${capBack} ms, subscriber >= 360p ${up === null ? 'never' : `after ${up} ms`} (${await subHeight(sub)}p ${Date.now() - tUp} ms after); publisher sends ${back.total} kbit/s (${JSON.stringify(back.rid)}), availableOutgoingBitrate ${back.aob}`);
  check(capBack !== null, 'cap back at the maximum');
  check(up !== null && up <= 15000, `subscriber back at >= 360p within 15 s (${up} ms)`);
});
