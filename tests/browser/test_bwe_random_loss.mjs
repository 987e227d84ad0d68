// test_bwe_random_loss.mjs (root): no cap; 20 s uncapped (reference: median SFU estimate
// over its last 8 s), then 5 % random loss for 40 s (nft numgen drop on the subscriber
// namespace's input hook for UDP from the SFU). Asserts the estimate never falls below
// 70 % of the reference, the drop rule really dropped 3.5-6.5 % and audio keeps flowing.
// Harness: tests/browser/lib/bwe_session.mjs. KN_BWE_OUT=<dir> keeps the time series.
import { runTest, check } from '../lib/konsil.mjs';
import { randomLoss, summary, checkAll } from './lib/bwe_scenarios.mjs';
import { writeSeries } from './lib/bwe_session.mjs';

runTest('bwe random loss 5 %', 100, async () => {
  check(process.getuid() === 0, 'running as root (network namespaces, nft)');
  const r = await randomLoss({ percent: 5, freeS: 20, lossS: 40 });
  console.log(summary(r));
  if (process.env.KN_BWE_OUT) console.log(`series: ${writeSeries(process.env.KN_BWE_OUT, r.name, r.meta, r.series)}`);
  const m = r.m;
  checkAll([
    [r.series.some((x) => x.algo === 'gcc'), 'SFU runs gcc toward the subscriber'],
    [m.ref_est_median > 0, `uncapped reference estimate ${m.ref_est_median} bit/s`],
    [m.nft_drop_pct >= 3.5 && m.nft_drop_pct <= 6.5, `nft dropped ${m.nft.drop}/${m.nft.all} (${m.nft_drop_pct.toFixed(2)} %)`],
    [m.min_ratio >= 0.7, `estimate under 5 % loss stays >= 70 % of uncapped (min ${m.loss_est_min}, median ${m.loss_est_median} vs ${m.ref_est_median}: ${(100 * m.min_ratio).toFixed(1)} %)`],
    [m.loss.audio_stall_ms <= 400, `audio keeps flowing under loss (longest packet gap ${m.loss.audio_stall_ms} ms)`],
  ]);
});
