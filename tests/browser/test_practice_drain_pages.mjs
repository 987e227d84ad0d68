// test_practice_drain_pages.mjs: what host and patient see while konsil-signaling drains
// (SIGTERM; docs/practice-api.md, docs/operations.md). Chromium, German first: the practice
// dashboard has no drain notice before the SIGTERM and shows "Der Server wird gerade
// aktualisiert …" within one refresh after it (English after the language switch); a patient
// whose consultation has not started types the right code on the join page and reads "Bitte
// versuchen Sie es in einigen Minuten noch einmal." instead of a network error. A room kept
// open over a WebSocket of the dashboard page holds the drain. Screenshots
// docs/screenshots/practice-draining-{dashboard,join}-desktop.png.
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { runTest, check, sourceDir, binDir, startKonsil, onCleanup, withTimeout } from '../lib/konsil.mjs';
import { launchChromium } from '../lib/browsers.mjs';

const out = join(sourceDir, 'docs', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PASSWORD = 'correct horse battery';

async function openPage(chromium, url) {
  const ctx = await chromium.browser.newContext({ viewport: DESKTOP, locale: 'de-DE' });
  onCleanup(() => ctx.close().catch(() => {}));
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message || e}`));
  await withTimeout(page.goto(url), 20000, `goto ${url}`);
  return page;
}

const visibleText = (page, id) => page.evaluate((i) => {
  const e = document.getElementById(i);
  return e && !e.hidden && e.offsetParent !== null ? e.textContent : null;
}, id);

runTest('practice_drain_pages', 180, async () => {
  mkdirSync(out, { recursive: true });
  const k = await startKonsil({ tls: false, env: { KONSIL_DRAIN_TIMEOUT: '60', KONSIL_SFU_PROCESSES: '1' } });
  const r = spawnSync(join(binDir, 'konsil-signaling'), ['host-create', '--practice', 'Praxis Drain', '--email', 'dr@example.org',
    '--role', 'doctor'], { input: `${PASSWORD}\n`, env: { ...process.env, KONSIL_STATE_DIR: k.stateDir }, encoding: 'utf8' });
  check(r.status === 0, `host-create (${r.status} ${r.stderr.trim()})`);
  const chromium = await launchChromium();
  const host = await openPage(chromium, `${k.base}/practice`);
  await host.fill('#email', 'dr@example.org');
  await host.fill('#password', PASSWORD);
  await host.click('#login button[type=submit]');
  await host.waitForFunction(() => document.body.dataset.view === 'dash', null, { timeout: 15000 });
  const appt = await host.evaluate(async () => {
    const t = new Date(Date.now() - 60000);
    const pad = (n) => String(n).padStart(2, '0');
    const body = { date: `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`, time: `${pad(t.getHours())}:${pad(t.getMinutes())}`,
      duration_min: 30, type: 'one_to_one', invitees: [{ role: 'patient' }] };
    const res = await fetch('/api/appointments', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return res.json();
  });
  check(appt.invitations && appt.invitations.length === 1, `appointment created (${appt.id})`);
  await host.waitForTimeout(2500); // one dashboard refresh
  check((await visibleText(host, 'drain-notice')) === null, 'before SIGTERM: no drain notice on the dashboard');

  // A running room (another consultation) keeps the server draining instead of exiting.
  const held = await host.evaluate((token) => new Promise((resolve) => {
    const ws = new WebSocket(`ws://${location.host}/ws`, 'konsil.v1');
    window.knHeld = ws;
    ws.onopen = () => ws.send(JSON.stringify({ v: 1, type: 'join', id: 1, token, pseudonym: 'x' }));
    ws.onmessage = (m) => resolve(JSON.parse(m.data).type);
    setTimeout(() => resolve('timeout'), 5000);
  }), k.token('running-consultation', 'host'));
  check(held === 'joined', `a running room is open (${held})`);
  process.kill(k.pid, 'SIGTERM');
  await host.waitForFunction(() => !document.getElementById('drain-notice').hidden, null, { timeout: 5000 });
  const de = await visibleText(host, 'drain-notice');
  check(de === 'Der Server wird gerade aktualisiert: laufende Sprechstunden gehen weiter, neue können erst in einigen Minuten beginnen.',
    `draining: the dashboard shows “${de}”`);
  await host.screenshot({ path: join(out, 'practice-draining-dashboard-desktop.png') });
  await host.click('#lang');
  const en = await visibleText(host, 'drain-notice');
  check(en === 'The server is being updated: running consultations continue, new ones can start only in a few minutes.',
    `English: “${en}”`);

  const inv = appt.invitations[0];
  const patient = await openPage(chromium, `${k.base}/join/${inv.invitee}#code=${inv.code}`);
  await patient.fill('#name', 'Erika');
  await patient.check('#terms');
  await patient.click('#start');
  await patient.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 5000 });
  const msg = await visibleText(patient, 'error');
  check(msg === 'Der Server wird gerade aktualisiert. Bitte versuchen Sie es in einigen Minuten noch einmal.',
    `the patient of a new consultation reads “${msg}”`);
  check(await patient.evaluate(() => document.body.dataset.view === 'form'), 'the patient stays on the form (can try again)');
  await patient.screenshot({ path: join(out, 'practice-draining-join-desktop.png') });
  check(k.proc.child.exitCode === null, 'signaling still draining (the running room holds it)');
});
