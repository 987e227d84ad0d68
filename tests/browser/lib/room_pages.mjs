// room_pages.mjs: helpers for the consultation-room browser tests. Starts konsil-signaling
// (plain HTTP on loopback, so http://127.0.0.1 is a secure context in both browsers),
// builds participant links, opens room pages in Chromium (one context per page) and
// Firefox (puppeteer-core), reads the page's window.knRoom test hook (#test=1), and
// measures decode progress between two snapshots.
import https from 'node:https';
import { startKonsil, sleep, withTimeout, onCleanup } from '../../lib/konsil.mjs';

// opts: host/announceIp/tls for a server off loopback (TLS then: the page is a secure
// context only on https or 127.0.0.1).
export async function startRoomServer(env = {}, opts = {}) {
  const k = await startKonsil({ tls: false, ...opts, env: { KONSIL_P2P_GRACE_MS: '3000', ...env } });
  // The room page must be served (the server side of issue 4).
  const res = await fetchInsecure(`${k.base}/room/probe`).catch((e) => ({ status: `error ${e.message}` }));
  if (res.status !== 200) throw new Error(`GET /room/probe: ${res.status}: konsil-signaling does not serve room.html yet`);
  const csp = res.headers.get('content-security-policy') || '';
  if (!/script-src 'self'/.test(csp)) throw new Error(`room page without a strict CSP: ${csp}`);
  return k;
}

// GET that accepts the server's self-signed certificate.
function fetchInsecure(url) {
  if (!url.startsWith('https:')) return fetch(url);
  return new Promise((resolve, reject) => {
    const req = https.get(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: { get: (h) => res.headers[h.toLowerCase()] || null } }));
    });
    req.on('error', reject);
  });
}

export function roomLink(k, room, role, { name, prejoin = false, relay = false, lang } = {}) {
  const frag = new URLSearchParams({ token: k.token(room, role) });
  if (name) frag.set('name', name);
  if (!prejoin) frag.set('prejoin', '0');
  if (relay) frag.set('relay', relay === 'tcp' ? 'tcp' : '1');
  if (lang) frag.set('lang', lang);
  frag.set('test', '1');
  return `${k.base}/room/${encodeURIComponent(room)}#${frag}`;
}

// Opens url in browser b (from tests/lib/browsers.mjs). Returns a page with .knName.
// init: a script (function) run in the page before its own scripts.
export async function openRoom(b, url, { viewport = { width: 960, height: 600 }, locale = 'de-DE', label, init } = {}) {
  let page;
  if (b.name === 'chromium') {
    const ctx = await b.browser.newContext({ viewport, locale, ignoreHTTPSErrors: true });
    onCleanup(() => ctx.close().catch(() => {}));
    if (init) await ctx.addInitScript(init);
    page = await ctx.newPage();
  } else {
    page = await b.browser.newPage();
    await page.setViewport(viewport);
    if (init) await page.evaluateOnNewDocument(init);
  }
  page.knName = label || b.name;
  page.on('console', (m) => { const ty = typeof m.type === 'function' ? m.type() : m.type; if (ty === 'error') console.log(`[${page.knName} console] ${m.text()}`); });
  page.on('pageerror', (e) => console.log(`[${page.knName} pageerror] ${e.message || e}`));
  await withTimeout(page.goto(url), 20000, `goto ${url}`);
  return page;
}

export function snap(page, reset = false) {
  return withTimeout(page.evaluate((r) => (window.knRoom ? window.knRoom.snapshot(r) : null), reset), 15000, `snapshot ${page.knName}`);
}

// Polls snapshots until pred(snapshot) is true; returns it.
export async function waitSnap(page, pred, ms, what) {
  const end = Date.now() + ms;
  let s = null;
  while (Date.now() < end) {
    s = await snap(page).catch(() => null);
    if (s && pred(s)) return s;
    await sleep(300);
  }
  throw new Error(`${page.knName}: timeout (${ms} ms) waiting for ${what}; last ${JSON.stringify(s)}`);
}

export const peerOf = (s, id) => (s ? s.peers.find((p) => p.id === id) : null);

// Per other participant: video fps, presented frames, audio samples/energy between two snapshots.
export function progress(a, b, seconds) {
  const out = {};
  for (const pb of b.peers) {
    const pa = peerOf(a, pb.id);
    if (!pa) continue;
    const d = (x, y, f) => ((y && y[f]) || 0) - ((x && x[f]) || 0);
    out[pb.id] = {
      source: pb.source,
      decodeFps: d(pa.video, pb.video, 'framesDecoded') / seconds,
      shownFps: (pb.tile.frames - pa.tile.frames) / seconds,
      audioSamples: d(pa.audio, pb.audio, 'totalSamplesReceived'),
      audioEnergy: d(pa.audio, pb.audio, 'totalAudioEnergy'),
      width: pb.tile.width, height: pb.tile.height, maxGapMs: pb.tile.maxGapMs, name: pb.name, quality: pb.quality,
    };
  }
  return out;
}

export async function measure(page, seconds) {
  const a = await snap(page);
  await sleep(seconds * 1000);
  const b = await snap(page);
  return progress(a, b, seconds);
}

export const fmt = (o) => JSON.stringify(o, (k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v));

// Number of peers the SFU holds (sfu.info), for "no SFU peer in P2P mode".
export async function sfuPeers(k) {
  const ctl = await k.ctl();
  try { const info = await ctl.request('sfu.info'); return info.peers; } finally { ctl.close(); }
}
