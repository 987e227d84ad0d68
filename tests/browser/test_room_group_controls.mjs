// test_room_group_controls.mjs: a group session of issue 7 with five browsers at low
// resolution — a Chromium host and four guests (three Chromium, one Firefox unless
// KONSIL_GROUP_FIREFOX=0), every camera forced to 160x120 at 15 fps by an init script that
// narrows getUserMedia (two shared cores). All five decode each other through the SFU;
// the host's chat message reaches all four guests, a guest's reply reaches everyone
// exactly once (data-channel mesh, de-duplicated), the host's 1.5 MB file arrives intact
// at all four (SHA-256 in each page, Firefox included); the host mutes one guest (its track is
// disabled, the host receives silence from it, its tile shows "stumm"), removes another
// (it sees the removed screen, cannot rejoin with its link, the others show four tiles)
// and ends the session for all (everyone sees the ended screen). The WebSocket frames
// every Chromium page sent are captured: no chat text ever went to the server, nor is any
// in the server log.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { runTest, check, sleep, sourceDir, withTimeout, onCleanup } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, snap, waitSnap, measure, fmt } from './lib/room_pages.mjs';

const out = process.env.KONSIL_SCREENSHOT_DIR || join(sourceDir, 'docs', 'screenshots');
const ROOM = 'gruppe-1';
const HELLO = 'Willkommen in der Gruppe, heute 18:00 Thema Schlaf';
const REPLY = 'Danke, ich bin auch da (Antwort aus dem Mesh)';
const FILE = 'gruppen-handout-schlafhygiene.bin';
const SMALL = { width: 160, height: 120, frameRate: 15 };

// Narrows every camera request to SMALL (the page asks for 640x360 at 30 fps).
function smallCamera(s) {
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) return;
  const orig = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => orig(c && c.video ? { ...c, video: { ...(typeof c.video === 'object' ? c.video : {}), width: { exact: s.width }, height: { exact: s.height }, frameRate: { max: s.frameRate } } } : c);
}

const sentFrames = [];

async function open(b, url, label, viewport = { width: 480, height: 360 }) {
  let page;
  if (b.name === 'chromium') {
    const ctx = await b.browser.newContext({ viewport, locale: 'de-DE' });
    onCleanup(() => ctx.close().catch(() => {}));
    await ctx.addInitScript(smallCamera, SMALL);
    page = await ctx.newPage();
    page.on('websocket', (ws) => ws.on('framesent', (f) => sentFrames.push({ label, payload: String(f.payload) })));
  } else {
    page = await b.browser.newPage();
    await page.setViewport(viewport);
    await page.evaluateOnNewDocument(smallCamera, SMALL);
    page.knFirefox = true;
  }
  page.knName = label;
  page.on('console', (m) => { const ty = typeof m.type === 'function' ? m.type() : m.type; if (ty === 'error') console.log(`[${label} console] ${m.text()}`); });
  page.on('pageerror', (e) => console.log(`[${label} pageerror] ${e.message || e}`));
  await withTimeout(page.goto(url), 20000, `goto ${label}`);
  return page;
}

// waitForFunction of playwright (fn, arg, opts) and puppeteer (fn, opts, arg).
const waitFn = (p, fn, arg, ms) => (p.knFirefox ? p.waitForFunction(fn, { timeout: ms }, arg) : p.waitForFunction(fn, arg, { timeout: ms }));

const chatTexts = (s) => s.chat.filter((e) => e.kind === 'text' && !e.own).map((e) => `${e.from}: ${e.text}`);
const view = (p) => p.evaluate(() => ({ view: document.body.dataset.view, title: document.getElementById('message-title').textContent,
  text: document.getElementById('message-text').textContent }));

function sendChat(page, text) {
  return page.evaluate((t) => {
    if (document.getElementById('chat').hidden) document.getElementById('btn-chat').click();
    document.getElementById('chat-input').value = t;
    document.getElementById('chat-form').requestSubmit();
  }, text);
}

runTest('room_group_controls', 420, async () => {
  const k = await startRoomServer({ KONSIL_P2P_GRACE_MS: '3000' });
  const chromium = await launchChromium({ fps: 15 });
  const useFirefox = process.env.KONSIL_GROUP_FIREFOX !== '0';
  const firefox = useFirefox ? await launchFirefox() : null;
  const names = ['Dr. Hahn', 'Gast Eins', 'Gast Zwei', 'Gast Drei', 'Gast Vier'];
  const host = await open(chromium, roomLink(k, ROOM, 'host', { name: names[0] }), 'host', { width: 960, height: 600 });
  const guests = [];
  const guestLinks = [];
  for (let i = 1; i <= 4; i++) {
    const b = i === 4 && firefox ? firefox : chromium;
    guestLinks.push(roomLink(k, ROOM, 'guest', { name: names[i] }));
    // Guest 2 (the one removed later) on a phone-size page, for the screenshots.
    guests.push(await open(b, guestLinks[i - 1], `${b.name}-${names[i]}`, i === 2 ? { width: 390, height: 844 } : undefined));
  }
  const all = [host, ...guests];

  // Everyone decodes the four others through the SFU and knows their names (data channels).
  const t0 = Date.now();
  for (const p of all) {
    await waitSnap(p, (s) => s.mode.mode === 'sfu' && s.peers.length === 4 && s.peers.every((x) => x.source === 'sfu' && x.name &&
      x.video && x.video.framesDecoded > 5), 120000, `${p.knName}: 4 others decoding via the SFU`);
  }
  console.log(`all five decode each other via the SFU after ${Date.now() - t0} ms`);
  for (const p of all) {
    const m = await measure(p, 3);
    const rows = Object.values(m);
    console.log(`${p.knName} receives: ${fmt(rows.map((x) => ({ name: x.name, fps: x.decodeFps, w: x.width, h: x.height })))}`);
    check(rows.length === 4 && rows.every((x) => x.source === 'sfu' && x.decodeFps >= 4 && x.width <= 160),
      `${p.knName} decodes all 4 others via the SFU at >= 4 fps, <= 160 px wide`);
  }
  const ids = [];
  for (const g of guests) ids.push((await snap(g)).self.id);

  // Chat: the host's message reaches all four, a guest's reply everyone else, once each.
  await sendChat(host, HELLO);
  for (const g of guests) await waitSnap(g, (s) => chatTexts(s).includes(`${names[0]}: ${HELLO}`), 15000, `${g.knName} gets the host's chat message`);
  check(true, 'the host\'s chat message reached all 4 guests');
  await sendChat(guests[3], REPLY);
  for (const p of [host, guests[0], guests[1], guests[2]]) {
    const s = await waitSnap(p, (x) => chatTexts(x).includes(`${names[4]}: ${REPLY}`), 15000, `${p.knName} gets the reply`);
    check(chatTexts(s).filter((x) => x.endsWith(REPLY)).length === 1, `${p.knName}: the reply arrived exactly once`);
  }
  // A file from the host to all four: one transfer per link of the mesh.
  const data = randomBytes(1536 * 1024 + 7);
  const want = createHash('sha256').update(data).digest('hex');
  const dir = mkdtempSync(join(tmpdir(), 'kn-group-'));
  writeFileSync(join(dir, FILE), data);
  const tf = Date.now();
  await host.setInputFiles('#chat-file', join(dir, FILE));
  for (const g of guests) {
    const s = await waitSnap(g, (x) => x.chat.some((e) => e.file && e.file.name === FILE && e.file.state === 'received'), 90000, `${g.knName} receives the file`);
    const f = s.chat.find((e) => e.file && e.file.name === FILE).file;
    check(f.size === data.length && f.sha256 === want && f.url, `${g.knName}: ${FILE} ${f.size} bytes, SHA-256 equal, download link`);
  }
  console.log(`1.5 MB from the host to 4 guests over the mesh in ${Date.now() - tf} ms`);
  await host.waitForSelector('#chat-log li.own.file[data-state="sent"]', { timeout: 20000 });
  await sleep(500);
  await host.screenshot({ path: join(out, 'room-group-chat-host.png') });

  // Mute guest 1: its microphone track is disabled, the host receives silence from it.
  const g1 = ids[0];
  const before = (await measure(host, 2))[g1];
  check(before && before.audioEnergy > 0, `host hears ${names[1]} before the mute (energy ${before && before.audioEnergy})`);
  await host.click(`figure[data-participant="${g1}"] .host-act.mute`);
  const s1 = await waitSnap(guests[0], (s) => s.localAudio && s.localAudio.enabled === false, 10000, 'guest 1 muted');
  check(s1.localAudio.readyState === 'live', 'guest 1: microphone track disabled (still live, can be switched on again)');
  const banner = await guests[0].evaluate(() => document.getElementById('banner-text').textContent);
  check(/stumm geschaltet/.test(banner), `guest 1 sees the notice: "${banner}"`);
  check((await guests[0].evaluate(() => document.getElementById('btn-mic').getAttribute('aria-pressed'))) === 'true', 'guest 1: mic button shows muted');
  await host.waitForFunction((id) => !document.querySelector(`figure[data-participant="${id}"] .badge.muted`).hidden, g1, { timeout: 10000 });
  check(true, 'host: guest 1 tile shows "stumm"');
  await guests[0].screenshot({ path: join(out, 'room-muted-by-host-small.png') });
  await sleep(1500);
  const after = (await measure(host, 3))[g1];
  console.log(`host's audio from ${names[1]}: energy ${before.audioEnergy.toExponential(2)} before, ${after.audioEnergy.toExponential(2)} after the mute`);
  check(after.audioEnergy < before.audioEnergy / 100, 'host receives silence from the muted guest');

  // Remove guest 2: removed screen, no rejoin with the same link, the others see four tiles.
  const g2 = ids[1];
  await host.click(`figure[data-participant="${g2}"] .host-act.remove`);
  await host.click(`figure[data-participant="${g2}"] .host-act.remove`);
  await waitFn(guests[1], () => document.body.dataset.view === 'message', null, 15000);
  const v2 = await view(guests[1]);
  check(v2.title === 'Sie wurden aus der Sprechstunde entfernt.' && /kein erneuter Beitritt/.test(v2.text), `removed guest sees: "${v2.title}" ${v2.text}`);
  await guests[1].screenshot({ path: join(out, 'room-removed-phone.png') });
  await guests[1].click('#lang');
  const en = await view(guests[1]);
  check(en.title === 'You were removed from the consultation.' && /cannot be used to join again/.test(en.text), `English: "${en.title}"`);
  await guests[1].screenshot({ path: join(out, 'room-removed-en-phone.png') });
  for (const p of [host, guests[0], guests[2], guests[3]]) {
    await waitSnap(p, (s) => s.peers.length === 3, 15000, `${p.knName}: 3 others after the removal`);
    check((await p.evaluate(() => document.querySelectorAll('#grid .tile').length)) === 4, `${p.knName} shows 4 tiles`);
  }
  await guests[1].goto('about:blank');
  await guests[1].goto(guestLinks[1]);
  await waitFn(guests[1], () => document.body.dataset.view === 'message', null, 15000);
  check((await view(guests[1])).title === 'You were removed from the consultation.', 'the removed guest cannot rejoin with the same link (English kept)');

  // End for all (asked twice).
  await host.click('#btn-end');
  check((await host.evaluate(() => document.getElementById('btn-end').textContent)) === 'Wirklich für alle beenden?', 'end asks once more');
  await host.click('#btn-end');
  for (const p of [host, guests[0], guests[2], guests[3]]) {
    await waitFn(p, () => document.body.dataset.view === 'message', null, 15000);
    const v = await view(p);
    // Firefox runs with an English locale: the page follows the browser's language.
    check(v.title === (p.knFirefox ? 'The consultation has ended.' : 'Die Sprechstunde wurde beendet.'), `${p.knName}: "${v.title}"`);
  }

  // What the server got: no chat text in any WebSocket frame or in its log.
  const log = readFileSync(k.logFile, 'utf8');
  const bytes = sentFrames.reduce((n, f) => n + f.payload.length, 0);
  check(bytes < data.length, `the Chromium pages sent ${bytes} bytes over WebSockets, less than the one file (${data.length}) they all got`);
  for (const text of [HELLO, REPLY, 'Schlaf', FILE]) {
    check(!sentFrames.some((f) => f.payload.includes(text)), `none of ${sentFrames.length} WebSocket frames (${bytes} bytes) sent by the Chromium pages contains "${text}"`);
    check(!log.includes(text), `server log does not contain "${text}"`);
  }
  check(sentFrames.some((f) => f.payload.includes('"type":"end"')), 'the capture saw the host\'s end message (it works)');
});
