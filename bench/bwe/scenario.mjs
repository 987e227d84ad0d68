// bench/bwe/scenario.mjs: runs one bandwidth-estimation scenario of
// tests/browser/lib/bwe_scenarios.mjs (real Chromium publisher + subscriber, konsil-sfu,
// tc/nft on the SFU → subscriber link) and writes <out>/<name>.json (+ .csv): the 250 ms
// time series and the measured numbers. Usage: node scenario.mjs <steady600|step600|cap250|loss5> <out-dir>
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runTest, binDir, sourceDir } from '../../tests/lib/konsil.mjs';
import { steadyCap, stepUp, randomLoss, summary } from '../../tests/browser/lib/bwe_scenarios.mjs';
import { writeSeries } from '../../tests/browser/lib/bwe_session.mjs';

const SCENARIOS = {
  steady600: () => steadyCap({ kbit: 600, seconds: 60, name: 'steady600' }),
  step600: () => stepUp({ kbit: 600, capS: 30, freeS: 30, name: 'step600' }),
  cap250: () => steadyCap({ kbit: 250, seconds: 30, name: 'cap250' }),
  loss5: () => randomLoss({ percent: 5, freeS: 20, lossS: 40, name: 'loss5' }),
};

const [name, out] = process.argv.slice(2);
if (!SCENARIOS[name] || !out) {
  console.error(`usage: node scenario.mjs <${Object.keys(SCENARIOS).join('|')}> <out-dir>`);
  process.exit(2);
}
mkdirSync(out, { recursive: true });
runTest(`bwe bench ${name}`, 120, async () => {
  const r = await SCENARIOS[name]();
  console.log(summary(r));
  r.meta.sfu = { binary: join(binDir, 'konsil-sfu'), mtime: statSync(join(binDir, 'konsil-sfu')).mtime.toISOString(),
    head: execFileSync('git', ['-C', sourceDir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    date: new Date().toISOString() };
  console.log(`wrote ${writeSeries(out, name, r.meta, r.series)}`);
});
