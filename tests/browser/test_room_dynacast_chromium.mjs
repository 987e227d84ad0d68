// test_room_dynacast_chromium.mjs: dynacast end to end (docs/signaling-protocol.md
// "sfu.layers", docs/control-api.md "Publisher feedback"). A Chromium host publishes its
// camera (640x360, simulcast q/h/f = 160x90/320x180/640x360) in a room with two Chromium
// listeners whose small windows make their tiles < 200 px tall, so both ask for the lowest
// layer (sfu.preferences max_spatial 0). The SFU finds h and f unneeded, emits
// producer.layers_needed after its 3 s hold, signaling relays sfu.layers, and the host's
// page sets encodings[h,f].active = false: its outbound-rtp for h and f stops growing and
// its total send rate drops. Then one listener's window grows (tile >= 400 px): f is
// needed again, the host resumes h and f, and that listener switches up (Chromium sends
// only two of the three encodings of a 640x360 camera: h at 320x180 is the top layer
// that flows, f stays without bytes before the pause and after the resume). The host's
// RTCPeerConnections are reached through an init script (test-only, the app is untouched).
import { runTest, check, sleep, onCleanup, withTimeout } from '../lib/konsil.mjs';
import { launchChromium } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, snap, waitSnap } from './lib/room_pages.mjs';

const SMALL = { width: 480, height: 300 };
const LARGE = { width: 1600, height: 1000 };

async function open(b, url, viewport, label) {
  const ctx = await b.browser.newContext({ viewport, locale: 'de-DE', ignoreHTTPSErrors: true });
  onCleanup(() => ctx.close().catch(() => {}));
  await ctx.addInitScript(() => {
    const Orig = window.RTCPeerConnection;
    window.__knPcs = [];
    window.RTCPeerConnection = class extends Orig {
      constructor(...a) { super(...a); window.__knPcs.push(this); }
    };
  });
  const page = await ctx.newPage();
  page.knName = label;
  page.on('pageerror', (e) => console.log(`[${label} pageerror] ${e.message || e}`));
  await withTimeout(page.goto(url), 20000, `goto ${url}`);
  return page;
}

// The host's publish connection: per rid bytes/frames/height, active flags, total bytes, aob.
function pubStats(page) {
  return withTimeout(page.evaluate(async () => {
    const pc = (window.__knPcs || []).filter((p) => p.signalingState !== 'closed' &&
      p.getSenders().some((s) => s.track && s.track.kind === 'video' && s.getParameters().encodings.length > 1)).pop();
    if (!pc) return null;
    const sender = pc.getSenders().find((s) => s.track && s.track.kind === 'video');
    const out = { t: Date.now(), bytes: 0, rid: {}, aob: null,
      active: Object.fromEntries(sender.getParameters().encodings.map((e) => [e.rid, e.active])) };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp') {
        out.bytes += s.bytesSent || 0;
        if (s.kind === 'video') out.rid[s.rid] = { bytes: s.bytesSent || 0, frames: s.framesEncoded || 0, h: s.frameHeight || 0 };
      }
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && s.availableOutgoingBitrate)
        out.aob = s.availableOutgoingBitrate;
    });
    return out;
  }), 15000, 'host stats');
}

async function rate(page, seconds) {
  const a = await pubStats(page);
  await sleep(seconds * 1000);
  const b = await pubStats(page);
  const k = (x, y) => Math.round((8 * (y - x)) / (b.t - a.t));
  const rid = {};
  for (const r of Object.keys(b.rid)) rid[r] = k((a.rid[r] || { bytes: 0 }).bytes, b.rid[r].bytes);
  return { total: k(a.bytes, b.bytes), rid, aob: b.aob, active: b.active };
}

async function until(pred, ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await pred().catch(() => false)) return Date.now() - t0;
    await sleep(200);
  }
  return null;
}

const hostTile = (hostId) => (s) => {
  const p = s && s.mode.mode === 'sfu' ? s.peers.find((x) => x.id === hostId) : null;
  return p && p.source === 'sfu' && p.tile.height > 0 ? p.tile : null;
};

runTest('room dynacast chromium', 300, async () => {
  const k = await startRoomServer();
  const chromium = await launchChromium();
  const host = await open(chromium, roomLink(k, 'dyn-1', 'host', { name: 'Anna' }), { width: 960, height: 600 }, 'host');
  const l1 = await open(chromium, roomLink(k, 'dyn-1', 'listener', { name: 'Ben' }), SMALL, 'listener-1');
  const l2 = await open(chromium, roomLink(k, 'dyn-1', 'listener', { name: 'Cem' }), SMALL, 'listener-2');
  const hs = await waitSnap(host, (s) => s.self && s.mode.mode === 'sfu' && s.publisher && s.publisher.state === 'connected', 45000, 'host publishes to the SFU');
  const hostId = hs.self.id;
  for (const p of [l1, l2]) await waitSnap(p, (s) => { const t = hostTile(hostId)(s); return t && t.height <= 90; }, 45000, `${p.knName} decodes the host's q layer`);
  console.log(`both listeners at q (tiles < 200 px); host encodings ${JSON.stringify((await pubStats(host)).active)}`);

  // 1. h and f paused by the host's page
  const paused = await until(async () => { const s = await pubStats(host); return s && s.active.q && !s.active.h && !s.active.f; }, 15000);
  check(paused !== null, `host sets h and f inactive (${paused} ms after both listeners decode q)`);
  await sleep(1500);
  const p1 = await rate(host, 5);
  console.log(`paused: host sends ${p1.total} kbit/s, per rid ${JSON.stringify(p1.rid)}, availableOutgoingBitrate ${p1.aob}`);
  check(p1.rid.h === 0 && p1.rid.f === 0 && p1.rid.q > 20, `h and f send no bytes while q flows (${JSON.stringify(p1.rid)})`);

  // 2. one listener's tile grows: f needed again
  const tUp = Date.now();
  await l1.setViewportSize(LARGE);
  const resumed = await until(async () => { const s = await pubStats(host); return s.active.h && s.active.f; }, 10000);
  const decoded = await until(async () => { const t = hostTile(hostId)(await snap(l1)); return t && t.height >= 180; }, 30000);
  const l1tile = hostTile(hostId)(await snap(l1));
  const l2tile = hostTile(hostId)(await snap(l2));
  await sleep(2000);
  const p2 = await rate(host, 5);
  console.log(`listener-1 enlarged: host encodings active after ${resumed} ms, listener-1 decodes >= 180p after ${decoded} ms (now ${l1tile && l1tile.height}p) ` +
    `(${Date.now() - tUp} ms incl. the 2 s wait and sampling); host sends ${p2.total} kbit/s, per rid ${JSON.stringify(p2.rid)}, ` +
    `availableOutgoingBitrate ${p2.aob}; listener-2 still at ${l2tile && l2tile.height}p`);
  console.log(`dynacast: q-only phase ${p1.total} kbit/s vs all layers ${p2.total} kbit/s (${Math.round((100 * p1.total) / Math.max(1, p2.total))} %)`);
  check(resumed !== null && resumed <= 3000, `host resumes h and f within 3 s (${resumed} ms)`);
  check(decoded !== null && decoded <= 10000, `listener-1 switches up to >= 180p within 10 s (${decoded} ms)`);
  check(p2.rid.h > 50 && p1.total < 0.6 * p2.total, `send rate while paused below 60 % of all layers (${p1.total} vs ${p2.total} kbit/s)`);
  check(l2tile && l2tile.height <= 90, 'listener-2 keeps the q layer');
});
