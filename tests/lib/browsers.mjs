// browsers.mjs: launches the test browsers (Debian Chromium through playwright-core, Firefox
// ESR through puppeteer-core over WebDriver BiDi) with the flags from shared/notes/browser.md
// and firefox.md, opens pages carrying tests/lib/page_rtc.js, and samples getStats.
// Every browser launched here is registered with konsil.mjs's cleanup so it is closed on
// every exit path.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { onCleanup, withTimeout, sleep } from './konsil.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'package.json'));
const pageScript = readFileSync(join(here, 'page_rtc.js'), 'utf8');

export const chromiumArgs = (fps = 30) => [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  `--use-fake-device-for-media-stream=fps=${fps}`, '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
  '--ignore-certificate-errors',
];

// executablePath may be a wrapper script (e.g. one that runs Chromium in a netns).
export async function launchChromium({ executablePath = '/usr/lib/chromium/chromium', fps = 30, extraArgs = [] } = {}) {
  const { chromium } = require('playwright-core');
  const browser = await withTimeout(chromium.launch({ executablePath, headless: true,
    args: [...chromiumArgs(fps), ...extraArgs], timeout: 30000 }), 35000, 'chromium launch');
  onCleanup(() => browser.close().catch(() => {}));
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  return {
    name: 'chromium', browser,
    async newPage(url) {
      const page = await context.newPage();
      page.on('console', (m) => { if (m.type() === 'error') console.log(`[chromium console] ${m.text()}`); });
      await openPage(page, url);
      return page;
    },
    close: () => browser.close().catch(() => {}),
  };
}

export async function launchFirefox() {
  const puppeteer = require('puppeteer-core');
  const browser = await withTimeout(puppeteer.launch({
    browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true,
    protocolTimeout: 30000, timeout: 30000,
    acceptInsecureCerts: true,
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      'permissions.default.camera': 1,
      'permissions.default.microphone': 1,
      'media.peerconnection.ice.loopback': true,
      'media.peerconnection.ice.tcp': false,
      'media.autoplay.default': 0,
      'media.autoplay.blocking_policy': 0,
    },
  }), 35000, 'firefox launch');
  const proc = browser.process();
  onCleanup(() => browser.close().catch(() => { if (proc) proc.kill('SIGKILL'); }));
  return {
    name: 'firefox', browser, pid: proc ? proc.pid : null,
    async newPage(url) {
      const page = await browser.newPage();
      await openPage(page, url);
      return page;
    },
    close: () => browser.close().catch(() => {}),
  };
}

async function openPage(page, url) {
  if (url) await withTimeout(page.goto(url), 15000, `goto ${url}`);
  await page.evaluate(pageScript);
}

// Calls window.knTest.<fn>(arg) in the page with a bound.
export function kn(page, fn, arg, ms = 20000) {
  return withTimeout(page.evaluate(([f, a]) => window.knTest[f](a), [fn, arg]), ms, `kn.${fn}`);
}

// Waits until stats(id).in[kind][field] exceeds min; returns the last sample.
export async function waitFor(page, id, pred, ms, what) {
  const end = Date.now() + ms;
  let s;
  while (Date.now() < end) {
    s = await kn(page, 'stats', id);
    if (pred(s)) return s;
    await sleep(250);
  }
  throw new Error(`timeout waiting for ${what}; last stats ${JSON.stringify(s)}`);
}

// Two samples `seconds` apart; returns {a, b, dt, fps, audioSamples, ...} deltas.
export async function window2(page, id, seconds) {
  const a = await kn(page, 'stats', id);
  await sleep(seconds * 1000);
  const b = await kn(page, 'stats', id);
  return delta(a, b);
}

export function delta(a, b) {
  const dt = (b.t - a.t) / 1000;
  const d = (kind, f) => ((b.in[kind] || {})[f] || 0) - ((a.in[kind] || {})[f] || 0);
  return {
    a, b, dt,
    fps: d('video', 'framesDecoded') / dt,
    framesDecoded: d('video', 'framesDecoded'),
    freezes: d('video', 'freezeCount'),
    videoLost: d('video', 'packetsLost'),
    videoPackets: d('video', 'packetsReceived'),
    nacks: d('video', 'nackCount'),
    audioSamples: d('audio', 'totalSamplesReceived'),
    audioEnergy: d('audio', 'totalAudioEnergy'),
  };
}
