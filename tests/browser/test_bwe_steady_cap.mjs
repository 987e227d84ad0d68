// test_bwe_steady_cap.mjs (root): a subscriber behind a steady 600 kbit/s cap (tc tbf on
// the SFU → subscriber veth, set before it connects) for 60 s, Chromium publisher 1280x720
// simulcast q/h/f (harness: tests/browser/lib/bwe_session.mjs). Asserts: at most 2
// forwarded-layer switches after the first layer (no oscillation), video loss < 2 %, no
// decoding gap > 1 s, audio uninterrupted (packets and totalSamplesReceived never stall
// > 400 ms, < 2 % concealed). SFU peer.stats and subscriber getStats sampled every 250 ms;
// KN_BWE_OUT=<dir> keeps the time series as JSON/CSV.
import { runTest, check } from '../lib/konsil.mjs';
import { steadyCap, summary, checkAll } from './lib/bwe_scenarios.mjs';
import { writeSeries } from './lib/bwe_session.mjs';

runTest('bwe steady cap 600k', 100, async () => {
  check(process.getuid() === 0, 'running as root (network namespaces, tc)');
  const r = await steadyCap({ kbit: 600, seconds: 60 });
  console.log(summary(r));
  if (process.env.KN_BWE_OUT) console.log(`series: ${writeSeries(process.env.KN_BWE_OUT, r.name, r.meta, r.series)}`);
  const m = r.m;
  checkAll([
    [r.series.some((x) => x.algo === 'gcc'), 'SFU runs gcc toward the subscriber'],
    [m.layers.layers.length > 0, `a layer was forwarded (${m.layers.layers.join(' -> ')})`],
    [m.layers.switches <= 2, `at most 2 layer switches after the initial choice in 60 s (${m.layers.switches}: ${m.layers.layers.join(' -> ')})`],
    [m.loss_pct < 2, `video loss < 2 % (${m.lost}/${m.rx + m.lost} = ${m.loss_pct.toFixed(2)} %)`],
    [m.video_stall_ms <= 1000, `no video decoding gap > 1 s (${m.video_stall_ms} ms, freezeCount +${m.freezes})`],
    [m.audio_stall_ms <= 400 && m.asamples_stall_ms <= 400,
      `audio uninterrupted (longest gap: packets ${m.audio_stall_ms} ms, samples ${m.asamples_stall_ms} ms)`],
    [m.aconc_pct < 2, `audio concealment < 2 % (${m.aconc_pct.toFixed(2)} %)`],
  ]);
});
