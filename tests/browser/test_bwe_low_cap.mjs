// test_bwe_low_cap.mjs (root): a subscriber behind a 250 kbit/s cap (tc tbf on the SFU →
// subscriber veth, set before it connects) for 30 s, Chromium publisher 1280x720 simulcast
// q/h/f (harness: tests/browser/lib/bwe_session.mjs). Asserts: the video consumer is paused
// or forwards the lowest layer for the whole run (SFU layers_changed events), the
// subscriber decodes at most 180p from 5 s after its first frame; audio intact (packets
// and totalSamplesReceived never stall > 400 ms, < 2 % concealed). KN_BWE_OUT=<dir> keeps the time series.
import { runTest, check } from '../lib/konsil.mjs';
import { steadyCap, summary, checkAll } from './lib/bwe_scenarios.mjs';
import { writeSeries } from './lib/bwe_session.mjs';

runTest('bwe low cap 250k', 75, async () => {
  check(process.getuid() === 0, 'running as root (network namespaces, tc)');
  const r = await steadyCap({ kbit: 250, seconds: 30 });
  console.log(summary(r));
  if (process.env.KN_BWE_OUT) console.log(`series: ${writeSeries(process.env.KN_BWE_OUT, r.name, r.meta, r.series)}`);
  const m = r.m;
  checkAll([
    [r.series.some((x) => x.algo === 'gcc'), 'SFU runs gcc toward the subscriber'],
    [Math.max(-1, ...m.layers.layers) <= 0, `video paused or at the lowest layer for the whole run (forwarded ${m.layers.layers.join(' -> ')})`],
    [m.max_height_after_5s <= 180, `subscriber decodes at most 180p after 5 s (${m.max_height_after_5s}p)`],
    [m.audio_stall_ms <= 400 && m.asamples_stall_ms <= 400,
      `audio intact (longest gap: packets ${m.audio_stall_ms} ms, samples ${m.asamples_stall_ms} ms)`],
    [m.aconc_pct < 2, `audio concealment < 2 % (${m.aconc_pct.toFixed(2)} %)`],
  ]);
});
