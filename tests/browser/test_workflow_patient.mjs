// test_workflow_patient.mjs: issue 7's patient pages in real Chromium pages, driven by the
// practice dashboard in a third page: host-create, the host logs in on /practice and creates
// a group appointment; patient A (desktop 1280x720) and patient B (phone 390x844) open their
// invitation links (code prefilled from #code=), type a name, accept the terms and start;
// the waiting room shows positions 1 and 2; the host clicks "Aufrufen" for A: A's page rings
// (dialog with the blinking receiver, B moves up to position 1 live), A taps the receiver and
// lands in the room page (/room/{appointment}) in a call with the host, whose room page shows
// A's typed name — received over the peer-to-peer data channel — while neither the SQLite
// files nor the server log ever contain it. Screenshots of every patient screen go to
// docs/screenshots/workflow-*.png. Also: a wrong code (German and English), a reload that
// resumes the waiting room, a third patient who is rejected, and the host ending the
// appointment for all (room pages closed, the old room link refused).
import { join } from 'node:path';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { runTest, check, sleep, sourceDir, binDir, startKonsil, withTimeout, onCleanup } from '../lib/konsil.mjs';
import { launchChromium } from '../lib/browsers.mjs';

const out = process.env.KONSIL_SCREENSHOT_DIR || join(sourceDir, 'docs', 'screenshots');
const DESKTOP = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };
const NAME_A = 'Erika Mustermann-Quendel';
const NAME_B = 'Jonas Beispielmann-Ruhl';
const PASSWORD = 'correct horse battery';

async function openPage(chromium, url, viewport, label) {
  const ctx = await chromium.browser.newContext({ viewport, locale: 'de-DE', ignoreHTTPSErrors: true });
  onCleanup(() => ctx.close().catch(() => {}));
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[${label} console] ${m.text()}`); });
  page.on('pageerror', (e) => console.log(`[${label} pageerror] ${e.message || e}`));
  if (url) await withTimeout(page.goto(url), 20000, `goto ${url}`);
  return page;
}

async function shot(page, name) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  check(!overflow, `${name}: no horizontal overflow`);
  await page.screenshot({ path: join(out, `${name}.png`) });
  console.log(`saved ${join(out, `${name}.png`)}`);
}

const text = (page, sel) => page.evaluate((s) => document.querySelector(s).textContent, sel);

async function hostSetup(k, chromium) {
  const r = spawnSync(join(binDir, 'konsil-signaling'), ['host-create', '--practice', 'Praxis Dr. Test',
    '--email', 'dr@example.org', '--role', 'therapist'], { input: `${PASSWORD}\n`, env: { ...process.env, KONSIL_STATE_DIR: k.stateDir }, encoding: 'utf8' });
  check(r.status === 0, `host-create (${r.status} ${r.stderr.trim()})`);
  const host = await openPage(chromium, `${k.base}/practice`, DESKTOP, 'host');
  await host.fill('#email', 'dr@example.org');
  await host.fill('#password', PASSWORD);
  await host.click('#login button[type=submit]');
  await host.waitForFunction(() => document.body.dataset.view === 'dash', null, { timeout: 15000 });
  check(true, 'host logged in on /practice');
  const t = new Date(Date.now() - 60000);
  await host.fill('#time', `${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}`);
  await host.selectOption('#type', 'group');
  await host.click('#add-invitee');
  await host.click('#add-invitee');
  await host.click('#new button[type=submit]');
  await host.waitForFunction(() => document.querySelectorAll('#issued a').length === 3, null, { timeout: 10000 });
  const links = await host.evaluate(() => [...document.querySelectorAll('#issued a')].map((a) => a.href));
  check(links.every((l) => /\/join\/[A-Za-z0-9_-]{22}#code=[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2}$/.test(l)), 'dashboard shows three invitation links with codes');
  // Invitation links are always https://; this server runs plain HTTP on loopback (a secure
  // context there), so the test opens the same path and fragment over http.
  return { host, links: links.map((l) => l.replace(/^https:/, 'http:')) };
}

async function patientJoin(chromium, link, viewport, tag, name) {
  const p = await openPage(chromium, link, viewport, `patient-${tag}`);
  await p.waitForFunction(() => document.getElementById('code').value.length === 12, null, { timeout: 10000 });
  check(!(await p.evaluate(() => location.hash)), `${tag}: the code was taken from the fragment, which is gone from the address bar`);
  check((await text(p, '#start')) === 'Videosprechstunde starten', `${tag}: German start button`);
  await p.click('#start');
  check(await p.evaluate(() => !document.getElementById('error').hidden), `${tag}: starting without a name shows an error`);
  await p.fill('#name', name);
  await p.check('#terms');
  if (tag === 'desktop' || tag === 'phone') await shot(p, `workflow-join-${tag}`);
  await p.click('#start');
  await p.waitForFunction(() => document.body.dataset.view === 'waiting', null, { timeout: 10000 });
  return p;
}

runTest('workflow_patient', 240, async () => {
  mkdirSync(out, { recursive: true });
  const k = await startKonsil({ tls: false, env: { KONSIL_P2P_GRACE_MS: '3000' } });
  const chromium = await launchChromium({ fps: 15 });
  const { host, links } = await hostSetup(k, chromium);

  // A wrong code (the link's code mistyped), German then English.
  const w = await openPage(chromium, links[0].replace(/#code=.*/, '#code=2345-6789-AB'), PHONE, 'wrong-code');
  await w.fill('#name', NAME_A);
  await w.check('#terms');
  await w.click('#start');
  await w.waitForFunction(() => document.getElementById('error').dataset.key === 'err_wrong_code', null, { timeout: 10000 });
  check(/passt nicht/.test(await text(w, '#error')), 'wrong code: German error on the page');
  await shot(w, 'workflow-wrong-code-phone');
  await w.click('#lang');
  check((await text(w, '#start')) === 'Start video consultation' && /does not match/.test(await text(w, '#error'))
    && (await w.evaluate(() => document.documentElement.lang)) === 'en', 'language switch: English texts, lang="en"');
  await shot(w, 'workflow-wrong-code-en-phone');
  await w.context().close();

  const a = await patientJoin(chromium, links[0], DESKTOP, 'desktop', NAME_A);
  await a.waitForFunction(() => document.getElementById('position').dataset.position === '1', null, { timeout: 10000 });
  check(/Position 1/.test(await text(a, '#position')), 'patient A: position 1 in the waiting room');
  await a.waitForFunction(() => document.getElementById('preview').videoWidth > 0, null, { timeout: 15000 });
  await a.reload();
  await a.waitForFunction(() => document.body.dataset.view === 'waiting' && document.getElementById('position').dataset.position === '1', null, { timeout: 10000 });
  check(true, 'patient A: a reload resumes the waiting room at position 1 (ticket kept in sessionStorage)');
  await a.waitForFunction(() => document.getElementById('preview').videoWidth > 0, null, { timeout: 15000 });
  const b = await patientJoin(chromium, links[1], PHONE, 'phone', NAME_B);
  await b.waitForFunction(() => document.getElementById('position').dataset.position === '2', null, { timeout: 10000 });
  check(/Position 2/.test(await text(b, '#position')), 'patient B: position 2 in the waiting room');
  await b.waitForFunction(() => document.getElementById('preview').videoWidth > 0, null, { timeout: 15000 });
  await shot(a, 'workflow-waiting-desktop');
  await shot(b, 'workflow-waiting-phone');

  // The dashboard lists both by pseudonym; the host calls A in.
  await host.waitForFunction(() => document.querySelectorAll('#waiting tbody tr').length === 2, null, { timeout: 10000 });
  const rows = await host.evaluate(() => [...document.querySelectorAll('#waiting tbody tr')].map((r) => r.textContent));
  check(rows[0].startsWith('patient-1') && rows[1].startsWith('patient-2') && !rows.join().includes('Mustermann'),
    `dashboard waiting list shows pseudonyms only (${rows.map((r) => r.slice(0, 30))})`);
  const popup = host.context().waitForEvent('page', { timeout: 15000 });
  await host.click('#waiting tbody tr:first-child button.call');
  const hostRoom = await popup;
  hostRoom.on('pageerror', (e) => console.log(`[host-room pageerror] ${e.message || e}`));

  await a.waitForFunction(() => !document.getElementById('ring').hidden, null, { timeout: 25000 });
  const anim = await a.evaluate(() => getComputedStyle(document.getElementById('accept')).animationName);
  check(anim === 'blink', `patient A: ring dialog with the blinking receiver (${anim})`);
  check((await text(a, '#ring-title')) === 'Die Praxis ruft Sie an', 'patient A: German ring title');
  await b.waitForFunction(() => document.getElementById('position').dataset.position === '1', null, { timeout: 25000 });
  check(true, 'patient B moved up to position 1 live');
  await sleep(600); // let the blink be mid-phase for the picture
  await shot(a, 'workflow-ring-desktop');

  await a.click('#accept', { force: true }); // the receiver pulses: never "stable" for playwright
  await a.waitForURL(/\/room\/[A-Za-z0-9_-]{22}$/, { timeout: 15000 });
  await a.waitForFunction(() => document.body.dataset.view === 'call', null, { timeout: 20000 });
  check(true, `patient A landed in the room page (${new URL(a.url()).pathname})`);
  // The host's room page learns A's name from the data channel, not from the server.
  await hostRoom.waitForFunction((n) => document.body.textContent.includes(n), NAME_A, { timeout: 30000 });
  check(true, "host's room page shows the patient's typed name (received peer-to-peer)");
  await sleep(1500);
  await shot(a, 'workflow-room-desktop');

  // During the call the host adds an interpreter; the dashboard shows that link and code once.
  await host.click('#today button.add-interpreter');
  await host.waitForFunction(() => document.querySelectorAll('#issued li').length === 1 && /interpreter-1/.test(document.getElementById('issued').textContent), null, { timeout: 10000 });
  check(true, 'dashboard: interpreter-1 added during the call, link and code shown');
  await host.screenshot({ path: join(out, 'workflow-dashboard-desktop.png'), fullPage: true });

  // Patient B on the phone: admitted by a call, too.
  await host.waitForFunction(() => [...document.querySelectorAll('#waiting tbody tr')].some((r) => r.textContent.startsWith('patient-2') && r.querySelector('button.call')), null, { timeout: 10000 });
  await host.click('#waiting tbody tr:has(button.call) button.call');
  await b.waitForFunction(() => !document.getElementById('ring').hidden, null, { timeout: 25000 });
  await sleep(600);
  await shot(b, 'workflow-ring-phone');
  await b.click('#accept', { force: true });
  await b.waitForURL(/\/room\/[A-Za-z0-9_-]{22}$/, { timeout: 15000 });
  await b.waitForFunction(() => document.body.dataset.view === 'call', null, { timeout: 20000 });
  await sleep(2000);
  await shot(b, 'workflow-room-phone');

  // Patient C is turned away.
  const c = await patientJoin(chromium, links[2], DESKTOP, 'rejected', 'Carla Abgewiesen-Test');
  await host.waitForFunction(() => [...document.querySelectorAll('#waiting tbody tr')].some((r) => r.textContent.startsWith('patient-3')), null, { timeout: 10000 });
  await host.click('#waiting tbody tr:has(button.call) button.reject');
  await c.waitForFunction(() => document.body.dataset.view === 'final', null, { timeout: 25000 });
  check(/nicht empfangen/.test(await text(c, '#final-heading')), 'patient C: rejected screen in German');
  await shot(c, 'workflow-rejected-desktop');

  // The host ends the appointment: everyone leaves the room and cannot rejoin with the old link.
  await host.click('#today button.end');
  for (const [pg, tag] of [[a, 'desktop'], [b, 'phone']]) {
    await pg.waitForFunction(() => document.body.dataset.view === 'message', null, { timeout: 15000 });
    check(/beendet|ended/.test(await pg.evaluate(() => document.getElementById('message-text').textContent)),
      `patient ${tag}: the room says the practice ended the consultation`);
  }
  await shot(a, 'workflow-ended-desktop');
  const room = new URL(a.url()).pathname.split('/').pop();
  await a.goto(`${k.base}/room/${room}#token=${k.token(room, 'guest')}&prejoin=0`); // a valid guest token for it
  await a.waitForFunction(() => document.body.dataset.view === 'message', null, { timeout: 15000 });
  check(/ended the consultation/.test(await a.evaluate(() => document.getElementById('message-text').textContent)),
    'patient A: rejoining the ended room is refused');

  // What the server received and stored: pseudonyms only.
  await k.stop();
  let db = Buffer.alloc(0);
  for (const f of readdirSync(k.stateDir).filter((n) => n.startsWith('konsil.db'))) db = Buffer.concat([db, readFileSync(join(k.stateDir, f))]);
  const log = readFileSync(k.logFile);
  for (const n of [NAME_A, NAME_B, 'Mustermann', 'Beispielmann', 'Abgewiesen']) {
    check(db.length > 0 && !db.includes(n), `SQLite files (${db.length} bytes) do not contain "${n}"`);
    check(!log.includes(n), `server log (${log.length} bytes) does not contain "${n}"`);
  }
  check(/patient-1 accepted/.test(log.toString()) && /patient-2 accepted/.test(log.toString()), 'server log knows the pseudonyms patient-1 and patient-2');
});
