// test_sfu_bwe_chromium.mjs (root): the SFU's send-side bandwidth estimate and allocator
// toward one subscriber. Namespace A holds konsil-sfu and a Chromium publisher (VP8
// simulcast q/h/f at 1280x720, Opus); namespace B holds the subscribing Chromium, which
// negotiates transport-cc, so the SFU numbers what it sends, runs GCC on the feedback and
// picks the layer per 100 ms allocation round (docs/bandwidth.md). The SFU → subscriber
// direction is capped with tc tbf on A's veth end (egress, so the publisher's uplink and
// the subscriber's feedback are untouched). Steps: uncapped until the subscriber decodes
// 720p; cap 600 kbit/s: low layer (180p) within 5 s, < 2 % video loss once there, no
// decoding gap > 1 s, audio never stops; cap lifted: 720p again within 15 s.
// Samples the subscriber's getStats every 200 ms and prints the measured values.
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { kn } from '../lib/browsers.mjs';
import { ipns } from '../lib/netns.mjs';
import { ROOM, startBweSession } from './lib/bwe_session.mjs';

const CAP_KBIT = 600;

// Subscriber samples every 200 ms until stop() — {t, h, frames, vrx, vlost, arx, asamples}.
function sampler(page) {
  const samples = [];
  let run = true;
  const loop = (async () => {
    while (run) {
      const s = await kn(page, 'stats', 'sub');
      const v = s.in.video || {}, a = s.in.audio || {};
      samples.push({ t: Date.now(), h: v.frameHeight || 0, frames: v.framesDecoded || 0,
        vrx: v.packetsReceived || 0, vlost: v.packetsLost || 0, arx: a.packetsReceived || 0,
        asamples: a.totalSamplesReceived || 0, aconc: a.concealedSamples || 0 });
      await sleep(200);
    }
  })();
  return { samples, stop: async () => { run = false; await loop; } };
}

async function waitUntil(samples, since, pred, ms) {
  const end = since + ms;
  while (Date.now() < end) {
    const s = samples.find((x) => x.t >= since && pred(x));
    if (s) return s.t - since;
    await sleep(100);
  }
  return null;
}

// Largest gap (ms) between samples where a counter did not move, within [t0, t1].
function maxStall(samples, t0, t1, key) {
  let last = null, worst = 0;
  for (const s of samples.filter((x) => x.t >= t0 && x.t <= t1)) {
    if (last === null || s[key] > last[key]) {
      if (last !== null) worst = Math.max(worst, s.t - last.t - 200);
      last = s;
    }
  }
  const end = samples.filter((x) => x.t <= t1).pop();
  if (last && end) worst = Math.max(worst, end.t - last.t);
  return worst;
}

function between(samples, t0, t1) {
  const w = samples.filter((x) => x.t >= t0 && x.t <= t1);
  const a = w[0], b = w[w.length - 1];
  const rx = b.vrx - a.vrx, lost = b.vlost - a.vlost;
  return { rx, lost, pct: (100 * lost) / Math.max(1, rx + lost), s: (b.t - a.t) / 1000,
    fps: (b.frames - a.frames) / ((b.t - a.t) / 1000), arx: b.arx - a.arx,
    conc: (100 * (b.aconc - a.aconc)) / Math.max(1, b.asamples - a.asamples) };
}

// SFU view every 250 ms until stop(): {t, est, alloc, tgt, cur, bytes, rtx, probe} for the
// transition trace printed after the cap (why a step down is slow).
function sfuSampler(ctl) {
  const samples = [];
  let run = true;
  const loop = (async () => {
    while (run) {
      try {
        const v = await sfuView(ctl);
        const c = v.consumer || {};
        samples.push({ t: Date.now(), est: v.bwe ? v.bwe.estimate_bps : 0, alloc: v.layers.alloc_target,
          tgt: v.layers.target_spatial, cur: v.layers.spatial, bytes: c.bytes || 0, rtx: c.rtx_sent || 0,
          nack: c.nacks_received || 0, probe: v.bwe ? v.bwe.last_probe_bps : 0,
          pad: v.bwe ? v.bwe.padding_sent : 0, pok: v.bwe ? v.bwe.probes_ok : 0 });
      } catch { /* the SFU is stopping */ }
      await sleep(250);
    }
  })();
  return { samples, stop: async () => { run = false; await loop; } };
}

async function sfuView(ctl) {
  const st = await ctl.request('peer.stats', { room: ROOM, peer: 'sub' });
  const v = st.consumers.find((c) => c.consumer === 'c-video');
  return { bwe: st.bwe, layers: v.layers, dropped: st.dropped, consumer: v };
}

runTest('sfu bwe chromium', 300, async () => {
  check(process.getuid() === 0, 'running as root (network namespaces, tc)');
  const { ns, ctl, sub, link } = await startBweSession();

  const smp = sampler(sub);
  const sfuSmp = sfuSampler(ctl);
  const t0 = Date.now();
  const up0 = await waitUntil(smp.samples, t0, (s) => s.h === 720, 60000);
  let view = await sfuView(ctl);
  console.log(`uncapped: 720p after ${up0} ms; bwe ${JSON.stringify(view.bwe)}; layers ${JSON.stringify(view.layers)}`);
  check(up0 !== null, `subscriber reaches 720p uncapped (${up0} ms)`);
  await sleep(3000);

  link.cap(CAP_KBIT);
  const tCap = Date.now();
  const low = await waitUntil(smp.samples, tCap, (s) => s.h === 180, 15000);
  const tLow = low === null ? Date.now() : tCap + low;
  await sleep(Math.max(0, tCap + 20000 - Date.now()));
  const tLift = Date.now();
  const tc = ipns(ns.a, 'tc', '-s', 'qdisc', 'show', 'dev', ns.vethA).replace(/\s+/g, ' ').trim();
  view = await sfuView(ctl);
  console.log(`capped ${CAP_KBIT} kbit/s: 180p after ${low} ms; sfu bwe ${JSON.stringify(view.bwe)}; layers ${JSON.stringify(view.layers)}`);
  console.log(`tc: ${tc}`);
  link.cap(null);
  const high = await waitUntil(smp.samples, tLift, (s) => s.h === 720, 30000);
  await sleep(2000);
  await smp.stop();
  await sfuSmp.stop();
  view = await sfuView(ctl);
  console.log(`cap lifted: 720p after ${high} ms; sfu bwe ${JSON.stringify(view.bwe)}; layers ${JSON.stringify(view.layers)}`);

  const trans = between(smp.samples, tCap, tLow);
  const steady = between(smp.samples, tLow, tLift);
  const stall = maxStall(smp.samples, tCap, tLift, 'frames');
  const aStall = maxStall(smp.samples, tCap, tLift, 'asamples');
  console.log(`transition (cap -> 180p, ${trans.s.toFixed(1)} s): video ${trans.lost}/${trans.rx + trans.lost} lost (${trans.pct.toFixed(2)} %)`);
  console.log(`capped at 180p (${steady.s.toFixed(1)} s): video ${steady.lost}/${steady.rx + steady.lost} lost (${steady.pct.toFixed(2)} %), ` +
    `${steady.fps.toFixed(1)} fps, audio concealed ${steady.conc.toFixed(2)} %`);
  console.log(`longest video decoding gap while capped: ${stall} ms; longest audio gap: ${aStall} ms`);
  const ev = ctl.events.filter((e) => e.event === 'consumer.layers_changed' && e.params.consumer === 'c-video');
  console.log(`layers_changed: ${ev.map((e) => `${e.params.spatial}->${e.params.target_spatial}`).join(' ')}`);

  const trace = (name, t0, t1) => {
    let prev = null;
    for (const x of sfuSmp.samples.filter((y) => y.t >= t0 - 500 && y.t <= t1)) {
      const kbps = prev ? Math.round((8 * (x.bytes - prev.bytes)) / (x.t - prev.t)) : 0;
      const sub = smp.samples.filter((y) => y.t <= x.t).pop() || {};
      console.log(`trace ${name} ${x.t - t0} ms: est ${x.est} alloc ${x.alloc} target ${x.tgt} cur ${x.cur} ` +
        `sent ${kbps} kbit/s rtx ${x.rtx} nacks ${x.nack} probe ${x.probe} pad ${x.pad} ok ${x.pok} | sub h ${sub.h} frames ${sub.frames} lost ${sub.vlost}`);
      prev = x;
    }
  };
  trace('cap', tCap, tLow + 1000);
  trace('lift', tLift, tLift + (high === null ? 30000 : high + 1000));
  check(low !== null && low <= 5000, `low layer within 5 s of the cap (${low} ms)`);
  check(steady.pct < 2, `video loss < 2 % at the low layer (${steady.pct.toFixed(2)} %)`);
  check(stall <= 1000, `no video decoding gap > 1 s while capped (${stall} ms)`);
  check(aStall <= 400, `audio uninterrupted while capped (longest gap ${aStall} ms)`);
  check(high !== null && high <= 15000, `720p within 15 s after the cap is lifted (${high} ms)`);
  check(view.bwe && view.bwe.algorithm === 'gcc' && view.bwe.feedbacks > 0, 'peer.stats bwe: gcc fed by transport-cc');
  check(ev.some((e) => e.params.target_spatial === 0) && ev.some((e) => e.params.spatial === 2), 'layers_changed down to 0 and back to 2');
});
