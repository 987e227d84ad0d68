// bwe_scenarios.mjs: the link scenarios measured by tests/browser/test_bwe_*.mjs and
// bench/bwe/run.sh, each one function that starts a session (bwe_session.mjs), drives the
// cap / loss through its phases, records the time series and returns
// {name, meta, series, m} where m holds the measured numbers the tests assert on.
// Times are ms since the recorder started (right after the subscriber's answer).
import { sleep } from '../../lib/konsil.mjs';
import { startBweSession, record, waitSample, windowStats, maxStall, layerChanges, within, quantile } from './bwe_session.mjs';

const firstFrame = (rec) => waitSample(rec, 0, (s) => s.frames > 0, 20000);

async function until(rec, tMs) { await sleep(Math.max(0, tMs - rec.now())); }

// Common audio/video health over [t0, t1].
function health(series, t0, t1) {
  const w = windowStats(series, t0, t1);
  return { ...w, video_stall_ms: maxStall(series, t0, t1, 'frames'),
    audio_stall_ms: maxStall(series, t0, t1, 'arx'), asamples_stall_ms: maxStall(series, t0, t1, 'asamples') };
}

async function finish(name, s, rec, meta, m) {
  await rec.stop();
  m.layers = layerChanges(s.ctl);
  m.tc = s.link.tc();
  return { name, meta: { ...meta, m }, series: rec.series, m };
}

// A cap from before the subscriber connects, held for `seconds`.
export async function steadyCap({ kbit = 600, seconds = 60, name = `steady_${kbit}k` } = {}) {
  const s = await startBweSession({ capKbit: kbit });
  const rec = record(s);
  rec.phase(`cap ${kbit}k`);
  const tf = await firstFrame(rec);
  if (tf === null) throw new Error('subscriber decoded no video frame within 20 s');
  await until(rec, seconds * 1000);
  const end = rec.now();
  const m = { first_frame_ms: tf, ...health(rec.series, tf, end) };
  const steady = within(rec.series, tf + 5000, end);
  m.max_spatial_after_5s = Math.max(...steady.map((x) => (x.paused ? -1 : x.spatial)));
  m.max_height_after_5s = Math.max(...steady.map((x) => x.h));
  m.est_median = quantile(steady.map((x) => x.est), 0.5);
  m.est_min = quantile(steady.map((x) => x.est), 0);
  m.est_max = quantile(steady.map((x) => x.est), 1);
  return finish(name, s, rec, { scenario: name, cap_kbit: kbit, seconds, phases: [{ t: 0, label: `cap ${kbit}k` }] }, m);
}

// Capped for capS seconds, then uncapped for freeS seconds.
export async function stepUp({ kbit = 600, capS = 30, freeS = 30, name = `step_${kbit}k_free` } = {}) {
  const s = await startBweSession({ capKbit: kbit });
  const rec = record(s);
  rec.phase(`cap ${kbit}k`);
  const tf = await firstFrame(rec);
  if (tf === null) throw new Error('subscriber decoded no video frame within 20 s');
  await until(rec, capS * 1000);
  const tLift = rec.now();
  s.link.cap(null);
  rec.phase('uncapped');
  await until(rec, (capS + freeS) * 1000);
  const end = rec.now();
  const high = (rec.series.find((x) => x.t >= tLift && x.h === 720) || { t: null }).t;
  const m = { first_frame_ms: tf, lift_ms: tLift, capped: health(rec.series, tf, tLift),
    free: health(rec.series, tLift, end), to_720p_ms: high === null ? null : high - tLift };
  return finish(name, s, rec, { scenario: name, cap_kbit: kbit, phases: [{ t: 0, label: `cap ${kbit}k` }, { t: tLift, label: 'uncapped' }] }, m);
}

// Uncapped for freeS seconds (reference rate), then `percent` random loss for lossS seconds.
export async function randomLoss({ percent = 5, freeS = 20, lossS = 40, name = `loss_${percent}pct` } = {}) {
  const s = await startBweSession();
  const rec = record(s);
  rec.phase('uncapped');
  const tf = await firstFrame(rec);
  if (tf === null) throw new Error('subscriber decoded no video frame within 20 s');
  await until(rec, freeS * 1000);
  const tLoss = rec.now();
  s.link.loss(percent);
  rec.phase(`loss ${percent}%`);
  await until(rec, (freeS + lossS) * 1000);
  const end = rec.now();
  const ref = within(rec.series, tLoss - 8000, tLoss);
  const lossy = within(rec.series, tLoss, end);
  const m = { first_frame_ms: tf, loss_start_ms: tLoss, nft: s.link.counters(),
    ref_est_median: quantile(ref.map((x) => x.est), 0.5), ref_rx_kbps: windowStats(rec.series, tLoss - 8000, tLoss).rx_kbps,
    loss_est_min: quantile(lossy.map((x) => x.est), 0), loss_est_median: quantile(lossy.map((x) => x.est), 0.5),
    loss: health(rec.series, tLoss, end), ref_spatial: ref.length ? ref[ref.length - 1].spatial : null,
    loss_min_spatial: Math.min(...lossy.map((x) => x.spatial)) };
  m.nft_drop_pct = m.nft ? (100 * m.nft.drop) / Math.max(1, m.nft.all) : null;
  m.min_ratio = m.loss_est_min / Math.max(1, m.ref_est_median);
  return finish(name, s, rec, { scenario: name, loss_pct: percent, phases: [{ t: 0, label: 'uncapped' }, { t: tLoss, label: `loss ${percent}%` }] }, m);
}

// One-line summary of a scenario's numbers for logs.
export function summary(r) {
  const { layers, tc, ...rest } = r.m;
  return `${r.name}: ${JSON.stringify(rest)}\n  layers forwarded ${layers.layers.join(' -> ')} (${layers.switches} switches)` +
    `; events ${layers.targets.join(' ')}\n  tc: ${tc}`;
}

// Prints every [cond, msg] (like konsil.mjs check) and then fails on the first false one,
// so one run shows all measured numbers against their thresholds.
export function checkAll(list) {
  for (const [cond, msg] of list) console.log(`${cond ? 'ok  ' : 'FAIL'} ${msg}`);
  const bad = list.filter(([c]) => !c).map(([, m]) => m);
  if (bad.length) throw new Error(`${bad.length} check(s) failed: ${bad.join('; ')}`);
}
