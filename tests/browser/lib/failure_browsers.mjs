// failure_browsers.mjs: browsers for the room's failure-path tests whose media access is
// set up the way a patient's can fail for real: Chromium without the auto-accepting
// permission prompt (access denied) or without the fake devices (no camera, no
// microphone), and Firefox with camera/microphone permission set to "block" or without
// fake devices. Each is closed in cleanup. Same base flags as tests/lib/browsers.mjs.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { onCleanup, withTimeout } from '../../lib/konsil.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', '..', 'package.json'));

// media: 'denied' (fake devices, no fake UI: the headless prompt refuses) or 'none'
// (fake UI grants, but there are no devices).
export async function launchChromiumMedia(media) {
  const { chromium } = require('playwright-core');
  const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required', '--ignore-certificate-errors',
    ...(media === 'denied' ? ['--use-fake-device-for-media-stream=fps=30'] : ['--use-fake-ui-for-media-stream'])];
  const browser = await withTimeout(chromium.launch({ executablePath: '/usr/lib/chromium/chromium', headless: true, args, timeout: 30000 }),
    35000, 'chromium launch');
  onCleanup(() => browser.close().catch(() => {}));
  return { name: 'chromium', browser };
}

// media: 'denied' (fake devices, camera and microphone permission "block") or 'none'
// (no fake devices, prompts off: Firefox finds no device).
export async function launchFirefoxMedia(media) {
  const puppeteer = require('puppeteer-core');
  const prefs = media === 'denied'
    ? { 'media.navigator.streams.fake': true, 'permissions.default.camera': 2, 'permissions.default.microphone': 2 }
    : { 'media.navigator.streams.fake': false, 'media.navigator.permission.disabled': true };
  const browser = await withTimeout(puppeteer.launch({
    browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true, protocolTimeout: 30000, timeout: 30000,
    acceptInsecureCerts: true, extraPrefsFirefox: { ...prefs, 'media.autoplay.default': 0 },
  }), 35000, 'firefox launch');
  const proc = browser.process();
  onCleanup(() => browser.close().catch(() => { if (proc) proc.kill('SIGKILL'); }));
  return { name: 'firefox', browser };
}

// Page init script: getUserMedia rejects with the DOMException a busy device gives
// (NotReadableError) whenever `kinds` ('video', 'audio') are asked for; other requests
// reach the real getUserMedia. The page's handling is under test, not the browser's.
export function busyDevices(kinds) {
  return `(() => {
    const kinds = ${JSON.stringify(kinds)};
    const md = navigator.mediaDevices;
    if (!md) return;
    const real = md.getUserMedia.bind(md);
    md.getUserMedia = (c) => (kinds.some((k) => c && c[k])
      ? Promise.reject(new DOMException('Could not start ' + kinds.join('/') + ' source', 'NotReadableError'))
      : real(c));
  })();`;
}
