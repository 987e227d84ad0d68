// test_room_failure_paths.mjs: what a patient sees when something fails, in real Chromium
// and Firefox, each message checked (German, and English once) and photographed on a
// desktop and a phone viewport into docs/screenshots/room-failure-*.png:
// - camera busy (getUserMedia rejects with NotReadableError, injected: headless browsers
//   cannot hold a real camera busy): device check explains it and joins with the
//   microphone only; on a direct join (prejoin=0) the call shows the same as a banner;
// - access denied (real: Chromium without the fake prompt, Firefox with "block") and no
//   device (real: no fake devices): guidance and joining without camera and microphone;
// - WebSocket dropped mid-call: "reconnecting" banner, gone again after the resume;
// - server down (konsil-signaling stopped): joined pages show "reconnecting", a page that
//   joins now shows "server not reachable", retries with growing delays and at once on
//   the button; once the server is back every page is in the call and no banner is left.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { runTest, check, sleep, sourceDir, startKonsil } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, openRoom, waitSnap } from './lib/room_pages.mjs';
import { launchChromiumMedia, launchFirefoxMedia, busyDevices } from './lib/failure_browsers.mjs';

const out = process.env.KONSIL_SCREENSHOT_DIR || join(sourceDir, 'docs', 'screenshots');
const DESKTOP = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };

const resize = (p, vp) => (p.setViewportSize ? p.setViewportSize(vp) : p.setViewport(vp));
const text = (p, id) => p.evaluate((i) => { const e = document.getElementById(i); return e.hidden ? null : e.textContent; }, id);
const visible = (p, id) => p.evaluate((i) => { const e = document.getElementById(i); return !e.hidden && e.offsetParent !== null; }, id);

// Desktop and phone screenshot of the page as it is now (no horizontal overflow).
async function shots(p, name) {
  for (const [vp, tag] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    await resize(p, vp);
    await sleep(400);
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    check(!overflow, `${name}-${tag}: no horizontal overflow`);
    await p.screenshot({ path: join(out, `room-failure-${name}-${tag}.png`) });
  }
  await resize(p, DESKTOP);
}

async function waitFn(p, fn, arg, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await p.evaluate(fn, arg).catch(() => false)) return;
    await sleep(150);
  }
  throw new Error(`${p.knName}: timeout (${ms} ms) waiting for ${what}`);
}

const deviceErrorShown = (p) => waitFn(p, () => !document.getElementById('device-error').hidden, null, 15000, 'device guidance');

// Device check with the camera busy; joins with the microphone only.
async function cameraBusy(b, k, shoot) {
  const p = await openRoom(b, roomLink(k, 'fail-dev', 'guest', { name: 'Frau B', prejoin: true, lang: 'de' }), { viewport: DESKTOP, label: `${b.name}-busy`, init: busyDevices(['video']) });
  await deviceErrorShown(p);
  const msg = await text(p, 'device-error-text');
  check(/Kamera wird gerade von einem anderen Programm benutzt/.test(msg) && /nur mit Mikrofon/.test(msg), `${p.knName}: camera busy guidance (“${msg}”)`);
  check((await text(p, 'join')) === 'Nur mit Mikrofon beitreten', `${p.knName}: join button offers the microphone only`);
  check(await visible(p, 'retry-devices') && await visible(p, 'join-nomedia'), `${p.knName}: retry and join without media offered`);
  check(!(await p.evaluate(() => document.getElementById('preview-off').hidden)), `${p.knName}: preview says there is no camera picture`);
  if (shoot) {
    await shots(p, 'camera-busy');
    await p.click('#lang');
    const en = await text(p, 'device-error-text');
    check(/camera is in use by another program/.test(en) && (await text(p, 'join')) === 'Join with microphone only', `${p.knName}: English guidance (“${en}”)`);
    await p.click('#lang');
  }
  await p.click('#join');
  const s = await waitSnap(p, (x) => x.sig === 'open' && x.self, 15000, 'joined with the microphone only');
  const cam = await p.evaluate(() => document.getElementById('btn-cam').disabled);
  check(s.self.audio === true && s.self.video === false && cam, `${p.knName}: in the call with audio, without video (camera button off)`);
  return p;
}

// Device check where nothing works (denied / no device): guidance, only "join without".
async function nothingWorks(b, k, what, re, shoot) {
  const p = await openRoom(b, roomLink(k, 'fail-dev', 'guest', { prejoin: true, lang: 'de' }), { viewport: DESKTOP, label: `${b.name}-${what}` });
  await deviceErrorShown(p);
  const msg = await text(p, 'device-error-text');
  check(re.test(msg), `${p.knName}: guidance (“${msg}”)`);
  check(!(await visible(p, 'join')) && await visible(p, 'join-nomedia'), `${p.knName}: only "join without camera and microphone" offered`);
  if (shoot) await shots(p, what);
  await p.click('#join-nomedia');
  const s = await waitSnap(p, (x) => x.sig === 'open' && x.self, 15000, 'joined without media');
  check(s.self.audio === false && s.self.video === false, `${p.knName}: in the call without camera and microphone`);
  await p.close();
}

// Records every banner change (text, hidden) of page p from now on.
const watchBanner = (p) => p.evaluate(() => {
  window.knBanners = [];
  const rec = () => window.knBanners.push({ t: Date.now(), hidden: document.getElementById('banner').hidden,
    text: document.getElementById('banner-text').textContent });
  new MutationObserver(rec).observe(document.getElementById('banner'), { attributes: true, childList: true, subtree: true, characterData: true });
});

// Page init script: times of WebSocket connection attempts (backoff check).
const countSockets = `(() => { const W = window.WebSocket; window.knSockets = [];
  window.WebSocket = class extends W { constructor(...a) { window.knSockets.push(Date.now()); super(...a); } }; })();`;

runTest('room_failure_paths', 360, async () => {
  mkdirSync(out, { recursive: true });
  const k = await startRoomServer();
  const [chromium, firefox] = [await launchChromium(), await launchFirefox()];

  // ---- devices ----------------------------------------------------------------------
  const busyC = await cameraBusy(chromium, k, true);
  const busyF = await cameraBusy(firefox, k, false);
  for (const p of [busyC, busyF]) await p.close();
  const direct = await openRoom(chromium, roomLink(k, 'fail-dev', 'guest', { name: 'C', lang: 'de' }), { label: 'chromium-busy-direct', init: busyDevices(['video']) });
  direct.on('websocket', (ws) => ws.on('framereceived', (fr) => { if (/"error"/.test(fr.payload)) console.log(`[direct ws] ${fr.payload}`); }));
  await waitSnap(direct, (x) => x.sig === 'open', 15000, 'direct join');
  await sleep(500);
  const dm = await text(direct, 'banner-text');
  check(/Kamera wird gerade/.test(dm || '') && await visible(direct, 'banner'), `direct join: camera-busy banner stays after joining (“${dm}”)`);
  await direct.close();

  const deniedRe = /nicht erlaubt.*„Erlauben“/;
  const noneRe = /keine Kamera und kein Mikrofon gefunden/;
  await nothingWorks(await launchChromiumMedia('denied'), k, 'denied', deniedRe, true);
  await nothingWorks(await launchChromiumMedia('none'), k, 'no-device', noneRe, true);
  await nothingWorks(await launchFirefoxMedia('denied'), k, 'denied', deniedRe, false);
  await nothingWorks(await launchFirefoxMedia('none'), k, 'no-device', noneRe, false);

  // ---- WebSocket dropped mid-call ----------------------------------------------------
  const a = await openRoom(chromium, roomLink(k, 'fail-net', 'host', { name: 'Praxis' }), { viewport: DESKTOP, label: 'chromium' });
  const f = await openRoom(firefox, roomLink(k, 'fail-net', 'guest', { name: 'Patient', lang: 'de' }), { label: 'firefox' });
  const inCall = (s) => s.sig === 'open' && s.peers.length >= 1 && s.peers.some((x) => x.video && x.video.framesDecoded > 10);
  for (const p of [a, f]) await waitSnap(p, inCall, 30000, 'P2P call');
  for (const p of [a, f]) {
    await watchBanner(p);
    await p.evaluate(() => window.knRoom.dropSocket());
    await waitSnap(p, (s) => s.sig === 'open', 10000, 'resumed');
    await sleep(300);
    const seen = await p.evaluate(() => window.knBanners);
    const shown = seen.find((x) => !x.hidden && /Verbindung unterbrochen – wird wiederhergestellt/.test(x.text));
    check(shown && seen[seen.length - 1].hidden && !(await visible(p, 'banner')),
      `${p.knName}: dropped socket: “${shown ? shown.text : '-'}” shown, then gone (${seen.length} banner changes)`);
  }

  // ---- server down ---------------------------------------------------------------------
  const late = await openRoom(chromium, roomLink(k, 'fail-net', 'guest', { name: 'Spät', prejoin: true }), { viewport: PHONE, label: 'chromium-late', init: countSockets });
  await late.waitForFunction(() => document.getElementById('preview').videoWidth > 0, null, { timeout: 15000 });
  await k.stop();
  console.log('konsil-signaling stopped');
  for (const p of [a, f]) {
    await waitFn(p, () => document.body.dataset.sig === 'reconnecting' && !document.getElementById('banner').hidden, null, 20000, 'reconnecting banner');
    const m = await text(p, 'banner-text');
    check(/Verbindung unterbrochen/.test(m) && (await text(p, 'banner-action')) === 'Jetzt neu verbinden', `${p.knName}: server down mid-call: “${m}” with a reconnect button`);
  }
  await shots(a, 'reconnecting');
  await late.click('#join');
  await waitFn(late, () => document.body.dataset.sig === 'unreachable' && !document.getElementById('banner').hidden, null, 10000, 'unreachable banner');
  const um = await text(late, 'banner-text');
  check(/Server ist nicht erreichbar.*automatisch/.test(um) && (await text(late, 'banner-action')) === 'Jetzt neu verbinden',
    `joining while the server is down: “${um}” with a reconnect button`);
  await shots(late, 'unreachable');
  await resize(late, PHONE);
  await sleep(9000);
  const tries = await late.evaluate(() => window.knSockets);
  const gaps = tries.slice(1).map((x, i) => x - tries[i]);
  console.log(`connection attempts while down: ${tries.length}, gaps ${gaps.join(', ')} ms`);
  check(tries.length >= 4 && gaps[gaps.length - 1] > 2.5 * gaps[0] && Math.max(...gaps) <= 6500, 'automatic retries with a growing delay (at most ~5 s)');
  const n = tries.length;
  await late.click('#banner-action');
  await sleep(400);
  check((await late.evaluate(() => window.knSockets.length)) > n, 'the button retries at once');

  const k2 = await startKonsil({ tls: false, port: k.port, env: { KONSIL_TOKEN_SECRET: k.secret, KONSIL_P2P_GRACE_MS: '3000' } });
  const t0 = Date.now();
  for (const p of [a, f, late]) {
    await waitSnap(p, (s) => s.sig === 'open' && s.peers.length === 2, 30000, `${p.knName} back in the call`);
    await waitFn(p, () => document.getElementById('banner').hidden, null, 10000, 'banner gone');
  }
  console.log(`all three pages in the call ${Date.now() - t0} ms after konsil-signaling ${k2.pid} came back; no banner left`);
});
