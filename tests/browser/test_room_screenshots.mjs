// test_room_screenshots.mjs: screenshots of the consultation room for docs/screenshots/:
// the join page with the device check (German, desktop 1280x720 and phone 390x844), the
// device check's guidance when camera access is denied (a Chromium without the fake
// permission prompt), and a 3-person call (two Chromium pages, one desktop and one phone,
// plus a Firefox participant) in SFU mode. Asserts what each picture must show (texts,
// tile count, decoding tiles, no horizontal overflow on the phone) before saving it.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runTest, check, sleep, sourceDir, onCleanup } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, openRoom, waitSnap } from './lib/room_pages.mjs';

const out = process.env.KONSIL_SCREENSHOT_DIR || join(sourceDir, 'docs', 'screenshots');
const DESKTOP = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };
const require = createRequire(join(sourceDir, 'package.json'));

async function shot(page, name) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  check(!overflow, `${name}: no horizontal overflow`);
  await page.screenshot({ path: join(out, `${name}.png`) });
  console.log(`saved ${join(out, `${name}.png`)}`);
}

const text = (page, id) => page.evaluate((i) => document.getElementById(i).textContent, id);

runTest('room_screenshots', 300, async () => {
  mkdirSync(out, { recursive: true });
  const k = await startRoomServer();
  const chromium = await launchChromium();

  // Join page with a working device check.
  for (const [vp, tag] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const p = await openRoom(chromium, roomLink(k, 'shots', 'guest', { name: 'Maria Muster', prejoin: true }), { viewport: vp, label: `join-${tag}` });
    await p.waitForFunction(() => document.getElementById('preview').videoWidth > 0, null, { timeout: 15000 });
    check(/funktionieren/.test(await text(p, 'device-status')), `${tag}: German device check says the devices work`);
    check((await text(p, 'join')) === 'Jetzt beitreten', `${tag}: join button in German`);
    await p.click('#tone');
    await sleep(1200); // level meter moves with the fake microphone's beeps
    await shot(p, `room-join-${tag}`);
    if (tag === 'desktop') {
      await p.click('#lang');
      check((await text(p, 'join')) === 'Join now' && (await p.evaluate(() => document.documentElement.lang)) === 'en',
        'language switch: English texts and lang="en"');
    }
    await p.context().close();
  }

  // Device check when access was denied: Chromium without the auto-accepting prompt.
  const { chromium: pw } = require('playwright-core');
  const denied = await pw.launch({ executablePath: '/usr/lib/chromium/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream=fps=30'] });
  onCleanup(() => denied.close().catch(() => {}));
  for (const [vp, tag] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const p = await openRoom({ name: 'chromium', browser: denied }, roomLink(k, 'shots', 'guest', { prejoin: true }), { viewport: vp, label: `denied-${tag}` });
    await p.waitForFunction(() => !document.getElementById('device-error').hidden, null, { timeout: 15000 });
    check(/nicht erlaubt/.test(await text(p, 'device-error-text')), `${tag}: German guidance for denied access`);
    check(!(await p.evaluate(() => document.getElementById('preview-off').hidden)), `${tag}: preview says there is no camera picture`);
    await shot(p, `room-device-denied-${tag}`);
  }

  // A 3-person call: desktop Chromium host, phone Chromium guest, Firefox guest.
  const firefox = await launchFirefox();
  const host = await openRoom(chromium, roomLink(k, 'call3', 'host', { name: 'Dr. Weber' }), { viewport: DESKTOP, label: 'host-desktop' });
  const phone = await openRoom(chromium, roomLink(k, 'call3', 'guest', { name: 'Frau Özdemir' }), { viewport: PHONE, label: 'guest-phone' });
  await openRoom(firefox, roomLink(k, 'call3', 'guest', { name: 'Herr Nowak (Dolmetscher)' }), { viewport: { width: 640, height: 400 }, label: 'firefox' });
  const ready = (s) => s.mode.mode === 'sfu' && s.peers.length === 2 && s.peers.every((p) => p.source === 'sfu' && p.name && p.video && p.video.framesDecoded > 20);
  for (const p of [host, phone]) await waitSnap(p, ready, 60000, `${p.knName}: 3-person call in SFU mode with names`);
  await sleep(1500);
  const tiles = await host.evaluate(() => document.querySelectorAll('#grid .tile').length);
  check(tiles === 3, `host grid has 3 tiles (${tiles})`);
  check(/SFU/.test(await text(host, 'mode')), 'host sees the SFU mode');
  await shot(host, 'room-call3-desktop');
  await shot(phone, 'room-call3-phone');
});
