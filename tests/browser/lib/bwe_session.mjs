// bwe_session.mjs: the measurement harness shared by tests/browser/test_bwe_*.mjs and
// bench/bwe/: one konsil-sfu + Chromium publisher (VP8 simulcast q/h/f at 1280x720, Opus,
// transport-cc) in namespace A, a subscribing Chromium in namespace B, a tc tbf cap or an
// nft random-loss rule on the SFU → subscriber direction, and a recorder that samples the
// SFU's peer.stats (estimate, allocation, forwarded/target layer, the publisher's layer
// bitrates, RTX/padding/probe counters) and the subscriber's
// getStats every 250 ms into one time series (test_sfu_bwe_chromium.mjs starts the same
// session and samples on its own; test_sfu_remb_cap_chromium.mjs negotiates with pageUrl,
// publish and subscribe on loopback). Metric helpers (loss, stalls, switches) work on the recorded series.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../lib/konsil.mjs';
import { launchChromium, kn } from '../../lib/browsers.mjs';
import { makePair, chromiumWrapper, ipns, lossTable } from '../../lib/netns.mjs';
import { startSfu, publishSimulcast, subscribeKinds, URI } from './sfu_control.mjs';

export const ROOM = 'bwe';
const RIDS = ['q', 'h', 'f'];
export const SAMPLE_MS = 250;

// A local page (file: is a secure context, so getUserMedia works in either namespace).
export function pageUrl() {
  const dir = mkdtempSync(join(tmpdir(), 'kn-bwe-page-'));
  const f = join(dir, 'page.html');
  writeFileSync(f, '<!doctype html><title>konsil-sfu bwe</title><body></body>');
  return `file://${f}`;
}

export async function publish(ctl, pub) {
  await publishSimulcast(ctl, ROOM, pub, 'pub', { rids: RIDS });
}

export async function subscribe(ctl, sub) {
  await subscribeKinds(ctl, ROOM, sub, 'sub', { uris: [URI.mid, URI.twcc], feedback: ['transport-cc'] });
}

// Starts everything. capKbit: a cap applied before the subscriber connects (null = none).
// Returns {ns, ctl, sfu, pub, sub, link} with link.cap(kbit|null), link.loss(percent).
export async function startBweSession({ capKbit = null } = {}) {
  const ns = makePair();
  const sfu = await startSfu({ netns: ns.a, announceIp: ns.ipA, bindIp: ns.ipA });
  const { ctl } = sfu;
  await ctl.request('room.create', { room: ROOM });
  const url = pageUrl();
  const pubB = await launchChromium({ executablePath: chromiumWrapper(ns.a) });
  const subB = await launchChromium({ executablePath: chromiumWrapper(ns.b) });
  const pub = await pubB.newPage(url);
  const sub = await subB.newPage(url);
  const link = makeLink(ns, sfu.port);
  if (capKbit) link.cap(capKbit);
  await publish(ctl, pub);
  await subscribe(ctl, sub);
  return { ns, ctl, sfu, pub, sub, link };
}

// The SFU → subscriber link: tbf on A's veth end (egress), loss on B's input hook.
function makeLink(ns, sfuPort) {
  let capped = null, loss = null, table = null;
  return {
    cap(kbit) {
      if (kbit === null) {
        if (capped !== null) ipns(ns.a, 'tc', 'qdisc', 'del', 'dev', ns.vethA, 'root');
      } else {
        ipns(ns.a, 'tc', 'qdisc', 'replace', 'dev', ns.vethA, 'root', 'tbf', 'rate', `${kbit}kbit`,
          'burst', '4kb', 'latency', '200ms');
      }
      capped = kbit;
    },
    loss(percent) {
      if (!table) table = lossTable(ns.b, ns.ipA, sfuPort);
      table.addDrop(percent);
      loss = percent;
    },
    state: () => ({ cap_kbit: capped, loss_pct: loss }),
    counters: () => (table ? table.counters() : null),
    tc: () => ipns(ns.a, 'tc', '-s', 'qdisc', 'show', 'dev', ns.vethA).replace(/\s+/g, ' ').trim(),
  };
}

async function sfuSample(ctl) {
  const [st, ps] = await Promise.all([ctl.request('peer.stats', { room: ROOM, peer: 'sub' }),
    ctl.request('peer.stats', { room: ROOM, peer: 'pub' })]);
  const pv = (ps.producers || []).find((x) => x.producer === 'video');
  const enc = pv ? pv.encodings : [];
  const b = st.bwe || {};
  const v = (st.consumers || []).find((c) => c.consumer === 'c-video') || {};
  const a = (st.consumers || []).find((c) => c.consumer === 'c-audio') || {};
  const l = v.layers || {};
  return { est: st.bwe ? st.bwe.estimate_bps : null, alloc: st.bwe ? st.bwe.allocated_bps : null,
    algo: st.bwe ? st.bwe.algorithm : null, spatial: l.spatial ?? -1, target: l.target_spatial ?? -1,
    paused: !!l.paused, alloc_target: l.alloc_target ?? null, vtx_bytes: v.bytes || 0, atx_bytes: a.bytes || 0,
    tx_bytes: st.tx ? st.tx.bytes : 0, rtx_sent: st.tx ? st.tx.rtx_sent : 0, padding_sent: b.padding_sent ?? 0,
    probes_sent: b.probes_sent ?? 0, last_probe_bps: b.last_probe_bps ?? null, rtt_ms: st.rtt_ms ?? null,
    q_bps: enc[0] ? enc[0].bitrate_bps : null, h_bps: enc[1] ? enc[1].bitrate_bps : null, f_bps: enc[2] ? enc[2].bitrate_bps : null };
}

async function subSample(page) {
  const s = await kn(page, 'stats', 'sub', 5000);
  const v = s.in.video || {}, a = s.in.audio || {};
  return { h: v.frameHeight || 0, frames: v.framesDecoded || 0, vrx: v.packetsReceived || 0,
    vlost: v.packetsLost || 0, vbytes: v.bytesReceived || 0, freezes: v.freezeCount || 0,
    arx: a.packetsReceived || 0, abytes: a.bytesReceived || 0, asamples: a.totalSamplesReceived || 0,
    aconc: a.concealedSamples || 0 };
}

// Samples every SAMPLE_MS until stop(). series[i] = {t (ms since start), cap_kbit, loss_pct,
// phase, ...sfuSample, ...subSample, rx_kbps (subscriber, video + audio payload+header bytes)}.
export function record(session) {
  const series = [];
  const t0 = Date.now();
  let run = true, phase = 'start';
  const loop = (async () => {
    while (run) {
      const tick = Date.now();
      const [f, s] = await Promise.all([sfuSample(session.ctl), subSample(session.sub)]);
      const prev = series[series.length - 1];
      const row = { t: tick - t0, phase, ...session.link.state(), ...f, ...s };
      row.rx_kbps = prev ? (8 * (row.vbytes + row.abytes - prev.vbytes - prev.abytes)) / (row.t - prev.t) : 0;
      row.tx_kbps = prev ? (8 * (row.tx_bytes - prev.tx_bytes)) / (row.t - prev.t) : 0;
      series.push(row);
      await sleep(Math.max(0, SAMPLE_MS - (Date.now() - tick)));
    }
  })();
  return {
    series, t0,
    now: () => Date.now() - t0,
    phase(name) { phase = name; },
    stop: async () => { run = false; await loop; },
  };
}

// Waits until a sample at or after `since` (ms since start) matches; returns its t or null.
export async function waitSample(rec, since, pred, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const s = rec.series.find((x) => x.t >= since && pred(x));
    if (s) return s.t;
    await sleep(100);
  }
  return null;
}

export const within = (series, t0, t1) => series.filter((x) => x.t >= t0 && x.t <= t1);

// Video/audio over [t0, t1]: loss %, fps, audio concealment %, received kbit/s.
export function windowStats(series, t0, t1) {
  const w = within(series, t0, t1);
  const a = w[0], b = w[w.length - 1];
  const dt = (b.t - a.t) / 1000;
  const rx = b.vrx - a.vrx, lost = b.vlost - a.vlost;
  const samples = b.asamples - a.asamples;
  return { s: dt, rx, lost, loss_pct: (100 * lost) / Math.max(1, rx + lost), fps: (b.frames - a.frames) / dt,
    asamples: samples, aconc_pct: (100 * (b.aconc - a.aconc)) / Math.max(1, samples),
    rx_kbps: (8 * (b.vbytes + b.abytes - a.vbytes - a.abytes)) / (b.t - a.t), freezes: b.freezes - a.freezes };
}

// Longest time (ms) within [t0, t1] during which `key` did not increase.
export function maxStall(series, t0, t1, key) {
  const w = within(series, t0, t1);
  let lastUp = w.length ? w[0].t : t0, worst = 0;
  for (let i = 1; i < w.length; i++) {
    if (w[i][key] > w[i - 1][key]) {
      worst = Math.max(worst, w[i - 1].t - lastUp);
      lastUp = w[i - 1].t;
    }
  }
  if (w.length) worst = Math.max(worst, w[w.length - 1].t - lastUp);
  return worst;
}

// Forwarded-layer changes of the video consumer from the SFU's layers_changed events
// (exact, not sampled): [{spatial, target}] in order, and the count after the first layer.
export function layerChanges(ctl) {
  const ev = ctl.events.filter((e) => e.event === 'consumer.layers_changed' && e.params.consumer === 'c-video');
  const fwd = [];
  for (const e of ev) {
    const sp = e.params.paused ? -1 : e.params.spatial;
    if (sp >= 0 && (fwd.length === 0 || fwd[fwd.length - 1] !== sp)) fwd.push(sp);
  }
  return { layers: fwd, switches: Math.max(0, fwd.length - 1),
    targets: ev.map((e) => `${e.params.spatial}->${e.params.target_spatial}${e.params.paused ? 'p' : ''}`) };
}

export function quantile(xs, q) {
  const s = xs.filter((x) => typeof x === 'number').sort((x, y) => x - y);
  if (!s.length) return null;
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

// Writes {meta, series} as JSON and the series as CSV; returns the JSON path.
export function writeSeries(dir, name, meta, series) {
  const json = join(dir, `${name}.json`);
  writeFileSync(json, `${JSON.stringify({ meta, series })}\n`);
  const cols = Object.keys(series[0] || {});
  const csv = [cols.join(','), ...series.map((r) => cols.map((c) => (r[c] === null || r[c] === undefined ? '' : r[c])).join(','))];
  writeFileSync(join(dir, `${name}.csv`), `${csv.join('\n')}\n`);
  return json;
}
