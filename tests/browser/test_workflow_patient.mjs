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
// The invitations go by e-mail to a local SMTP server the test starts (Debian's
// python3-aiosmtpd, STARTTLS + AUTH): patient A's page is opened with the link from A's
// e-mail, its fragment removed, and the code from the e-mail typed in. In the call A and
// the host chat both ways (B on the phone reads along), A sends a 2 MB random file to
// the host and the host a 1 MB file to A and B; the downloads (clicked in the pages) have
// the same SHA-256. Every WebSocket frame the pages sent is captured: no chat text, file
// name or file content went to the server (total bytes far below the files' size), and
// neither the SQLite files nor the log hold them.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { runTest, check, sleep, sourceDir, binDir, startKonsil, withTimeout, onCleanup, freeTcpPort } from '../lib/konsil.mjs';
import { launchChromium } from '../lib/browsers.mjs';

const out = process.env.KONSIL_SCREENSHOT_DIR || join(sourceDir, 'docs', 'screenshots');
const DESKTOP = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };
const NAME_A = 'Erika Mustermann-Quendel';
const NAME_B = 'Jonas Beispielmann-Ruhl';
const PASSWORD = 'correct horse battery';
const CHAT_P2P = 'Hallo, können Sie mich hören? (noch zu zweit)';
const CHAT_A = 'Guten Tag, ich habe die Befunde vom Hausarzt dabei.';
const CHAT_HOST = 'Danke, schicken Sie mir die Datei bitte hier im Chat.';
const FILE_A = 'befund-hausarzt-2026.bin';
const FILE_HOST = 'uebungsplan-woche-1.bin';
const EMAILS = ['erika@example.org', 'jonas@example.org', 'carla@example.org'];
const wsSent = []; // every WebSocket frame any page sent: {label, payload}

// A local SMTP server with STARTTLS and AUTH (tests/unit/signaling/smtp_sink.py).
async function startSmtp() {
  const dir = mkdtempSync(join(tmpdir(), 'kn-mail-'));
  const cert = join(dir, 'smtp.pem');
  const key = join(dir, 'smtp.key');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert]);
  check(r.status === 0, 'SMTP test certificate made');
  const port = await freeTcpPort();
  const out = join(dir, 'mail');
  mkdirSync(out);
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const sink = spawn(py, [join(sourceDir, 'tests', 'unit', 'signaling', 'smtp_sink.py'), String(port), out, cert, key, 'konsil', 's3cret-pass'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  onCleanup(() => { sink.kill('SIGTERM'); });
  await withTimeout(new Promise((res, rej) => { sink.stdout.once('data', (d) => (String(d).includes('ready') ? res() : rej(new Error(String(d))))); }), 15000, 'SMTP sink ready');
  return { out, env: { KONSIL_SMTP_HOST: '127.0.0.1', KONSIL_SMTP_PORT: String(port), KONSIL_SMTP_USER: 'konsil',
    KONSIL_SMTP_PASSWORD: 's3cret-pass', KONSIL_SMTP_FROM: 'praxis@example.org', KONSIL_SMTP_CAFILE: cert } };
}

// The invitation mails by recipient: {link, code, tls} taken from the text body.
async function readMails(dir, n) {
  const end = Date.now() + 20000;
  let files = [];
  while (Date.now() < end) {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    if (files.length >= n) break;
    await sleep(200);
  }
  const out = {};
  for (const f of files) {
    const m = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const link = (m.body.match(/https?:\/\/\S+\/join\/[A-Za-z0-9_-]{22}(#code=\S+)?/) || [])[0];
    const code = (m.body.match(/geben Sie ihn ein: ([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2})/) || [])[1];
    out[m.rcpt_tos[0]] = { link, code, tls: m.tls, authenticated: m.authenticated };
  }
  return out;
}

function capture(page, label) {
  page.on('websocket', (ws) => ws.on('framesent', (f) => wsSent.push({ label, payload: String(f.payload) })));
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

// Opens the chat panel of page if closed, then sends text through the form.
async function chatSend(page, text) {
  if (await page.evaluate(() => document.getElementById('chat').hidden)) await page.click('#btn-chat');
  await page.fill('#chat-input', text);
  await page.press('#chat-input', 'Enter');
}

const chatHas = (page, text, ms = 15000) => page.waitForFunction((t) => [...document.querySelectorAll('#chat-log li.theirs .body')]
  .some((b) => b.textContent === t), text, { timeout: ms });

// Clicks the received file's download link on page; returns the downloaded bytes.
async function download(page, name) {
  if (await page.evaluate(() => document.getElementById('chat').hidden)) await page.click('#btn-chat');
  const sel = `#chat-log li.theirs[data-state="received"] a.file-name[download="${name}"]`;
  await page.waitForSelector(sel, { timeout: 60000 });
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20000 }), page.click(sel)]);
  check(dl.suggestedFilename() === name, `${name}: the download keeps its name`);
  return readFileSync(await dl.path());
}

async function openPage(chromium, url, viewport, label) {
  const ctx = await chromium.browser.newContext({ viewport, locale: 'de-DE', ignoreHTTPSErrors: true });
  onCleanup(() => ctx.close().catch(() => {}));
  let n = 0; // 'page' fires for newPage() too: the first page is the label's, later ones popups
  ctx.on('page', (pg) => capture(pg, n++ ? `${label}-popup` : label));
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

async function hostSetup(k, chromium, mailDir) {
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
  for (let i = 0; i < 3; i++) await host.fill(`.invitee:nth-child(${i + 1}) input.email`, EMAILS[i]);
  await host.click('#new button[type=submit]');
  await host.waitForFunction(() => document.querySelectorAll('#issued a').length === 3, null, { timeout: 10000 });
  const links = await host.evaluate(() => [...document.querySelectorAll('#issued a')].map((a) => a.href));
  check(links.every((l) => /\/join\/[A-Za-z0-9_-]{22}#code=[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2}$/.test(l)), 'dashboard shows three invitation links with codes');
  // The patients' links and codes come from the e-mails the SMTP server received.
  const mails = await readMails(mailDir, 3);
  check(EMAILS.every((e) => mails[e] && mails[e].link && mails[e].code && mails[e].tls && mails[e].authenticated),
    `three invitation e-mails received over STARTTLS with AUTH, each with a link and a code (${Object.keys(mails)})`);
  check(EMAILS.every((e, i) => links[i] === mails[e].link), 'each e-mail carries the link the dashboard showed for that invitee');
  // Invitation links are always https://; this server runs plain HTTP on loopback (a secure
  // context there), so the test opens the same path and fragment over http.
  return { host, links: EMAILS.map((e) => mails[e].link.replace(/^https:/, 'http:')), codes: EMAILS.map((e) => mails[e].code) };
}

// With `code`, the link's fragment is dropped and the code from the e-mail typed in.
async function patientJoin(chromium, link, viewport, tag, name, code) {
  const p = await openPage(chromium, code ? link.replace(/#.*/, '') : link, viewport, `patient-${tag}`);
  if (code) {
    check((await p.evaluate(() => document.getElementById('code').value)) === '', `${tag}: no code in the link, the field is empty`);
    await p.fill('#code', code);
  }
  await p.waitForFunction(() => document.getElementById('code').value.length === 12, null, { timeout: 10000 });
  check(!(await p.evaluate(() => location.hash)), `${tag}: no fragment left in the address bar`);
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
  const smtp = await startSmtp();
  const k = await startKonsil({ tls: false, env: { KONSIL_P2P_GRACE_MS: '3000', ...smtp.env } });
  const chromium = await launchChromium({ fps: 15 });
  const { host, links, codes } = await hostSetup(k, chromium, smtp.out);

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

  const a = await patientJoin(chromium, links[0], DESKTOP, 'desktop', NAME_A, codes[0]);
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
  await chatSend(a, CHAT_P2P); // two in the room: the P2P link's data channel
  await chatHas(hostRoom, CHAT_P2P);
  await chatSend(hostRoom, 'Ja, sehr gut.');
  await chatHas(a, 'Ja, sehr gut.');
  check(true, 'P2P mode: chat both ways between patient A and the host');
  await a.click('#chat-close');
  await sleep(1500);
  await shot(a, 'workflow-room-desktop');

  // During the call the host adds an interpreter; the dashboard shows that link and code once.
  await host.click('#today button.add-interpreter');
  await host.waitForFunction(() => document.querySelectorAll('#issued li').length === 1 && /interpreter-1/.test(document.getElementById('issued').textContent), null, { timeout: 10000 });
  check(true, 'dashboard: interpreter-1 added during the call, link and code shown');
  await host.screenshot({ path: join(out, 'workflow-dashboard-desktop.png'), fullPage: true });
  await host.click('#lang');
  await host.waitForFunction(() => document.querySelector('#today button.add-interpreter').textContent === '+ Interpreter', null, { timeout: 5000 });
  const en = await host.evaluate(() => ({ lang: document.documentElement.lang, h: document.querySelector('.dash h2').textContent,
    state: document.querySelector('#waiting tbody tr td:nth-child(3)') && document.querySelector('#waiting tbody tr td:nth-child(3)').textContent }));
  check(en.lang === 'en' && en.h === 'Waiting room', `dashboard in English after the switch (${JSON.stringify(en)})`);
  await host.screenshot({ path: join(out, 'workflow-dashboard-en-desktop.png'), fullPage: true });
  await host.click('#lang');
  await host.waitForFunction(() => document.querySelector('.dash h2').textContent === 'Wartezimmer', null, { timeout: 5000 });

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

  // Chat both ways, peer-to-peer (B on the phone reads along).
  await b.waitForFunction(() => document.querySelectorAll('#grid .tile').length === 3, null, { timeout: 20000 });
  await hostRoom.waitForFunction((n) => document.body.textContent.includes(n), NAME_B, { timeout: 30000 });
  await chatSend(a, CHAT_A);
  await chatHas(hostRoom, CHAT_A);
  await chatHas(b, CHAT_A);
  check(true, 'patient A -> host (and B): chat message arrived');
  await chatSend(hostRoom, CHAT_HOST);
  await chatHas(a, CHAT_HOST);
  await chatHas(b, CHAT_HOST);
  check(true, 'host -> patient A and B: chat message arrived');
  const from = await a.evaluate(() => document.querySelector('#chat-log li.theirs .who').textContent);
  check(from === 'Praxis', `patient A sees the sender's name "${from}"`);
  // Files: A -> host 2 MB, host -> A and B 1 MB; random bytes, compared by SHA-256.
  const dir = mkdtempSync(join(tmpdir(), 'kn-files-'));
  const dataA = randomBytes(2 * 1024 * 1024);
  const dataH = randomBytes(1024 * 1024 + 12345);
  writeFileSync(join(dir, FILE_A), dataA);
  writeFileSync(join(dir, FILE_HOST), dataH);
  const t0 = Date.now();
  await a.setInputFiles('#chat-file', join(dir, FILE_A));
  const gotH = await download(hostRoom, FILE_A);
  console.log(`2 MB patient -> host over the data channel in ${Date.now() - t0} ms`);
  check(sha256(gotH) === sha256(dataA), `host downloaded ${FILE_A}: ${gotH.length} bytes, SHA-256 equal`);
  await a.waitForSelector('#chat-log li.own.file[data-state="sent"]', { timeout: 20000 });
  await hostRoom.setInputFiles('#chat-file', join(dir, FILE_HOST));
  const gotA = await download(a, FILE_HOST);
  check(sha256(gotA) === sha256(dataH), `patient A downloaded ${FILE_HOST}: ${gotA.length} bytes, SHA-256 equal`);
  const gotB = await download(b, FILE_HOST);
  check(sha256(gotB) === sha256(dataH), `patient B (phone) downloaded ${FILE_HOST}: SHA-256 equal`);
  const big = join(dir, 'zu-gross.bin');
  writeFileSync(big, Buffer.alloc(20 * 1024 * 1024 + 1));
  await a.setInputFiles('#chat-file', big);
  await a.waitForFunction(() => /zu groß/.test(document.getElementById('chat-log').textContent), null, { timeout: 5000 });
  check(true, 'patient A: a file over 20 MB is refused with a German notice');
  await shot(a, 'workflow-chat-desktop');
  await shot(b, 'workflow-chat-phone');
  await b.click('#chat-close');

  // Patient C is turned away.
  const c = await patientJoin(chromium, links[2], DESKTOP, 'rejected', 'Carla Abgewiesen-Test');
  await host.waitForFunction(() => [...document.querySelectorAll('#waiting tbody tr')].some((r) => r.textContent.startsWith('patient-3')), null, { timeout: 10000 });
  await host.click('#waiting tbody tr:has(button.call) button.reject');
  await c.waitForFunction(() => document.body.dataset.view === 'final', null, { timeout: 25000 });
  check(/nicht empfangen/.test(await text(c, '#final-heading')), 'patient C: rejected screen in German');
  await shot(c, 'workflow-rejected-desktop');

  // The host ends the session for all from its room page ("Für alle beenden", asked twice):
  // everyone leaves the room and cannot rejoin with the old link; the appointment ends.
  await hostRoom.click('#btn-end');
  await hostRoom.click('#btn-end');
  for (const [pg, tag] of [[a, 'desktop'], [b, 'phone']]) {
    await pg.waitForFunction(() => document.body.dataset.view === 'message', null, { timeout: 15000 });
    const v = await pg.evaluate(() => ({ title: document.getElementById('message-title').textContent,
      text: document.getElementById('message-text').textContent, rejoin: !document.getElementById('message-action').hidden,
      banner: !document.getElementById('banner').hidden }));
    check(v.title === 'Die Sprechstunde wurde beendet.' && /für alle beendet/.test(v.text) && !v.rejoin && !v.banner,
      `patient ${tag}: end screen "${v.title}" without rejoin button or error banner`);
  }
  await shot(a, 'workflow-ended-desktop');
  await shot(b, 'workflow-ended-phone');
  await hostRoom.waitForFunction(() => document.body.dataset.view === 'message', null, { timeout: 15000 });
  check((await hostRoom.evaluate(() => document.getElementById('message-title').textContent)) === 'Die Sprechstunde wurde beendet.', "host's room page: end screen too");
  await host.waitForFunction(() => /beendet/.test(document.getElementById('today').textContent) && !document.querySelector('#today button.end'), null, { timeout: 10000 });
  check(true, 'dashboard: the appointment is ended (no more end/add buttons)');
  const room = new URL(a.url()).pathname.split('/').pop();
  await a.goto(`${k.base}/room/${room}#token=${k.token(room, 'guest')}&prejoin=0`); // a valid guest token for it
  await a.waitForFunction(() => document.body.dataset.view === 'message', null, { timeout: 15000 });
  check((await a.evaluate(() => document.getElementById('message-title').textContent)) === 'Die Sprechstunde wurde beendet.',
    'patient A: rejoining the ended room is refused (end screen)');

  // What the server received and stored: pseudonyms only.
  await k.stop();
  let db = Buffer.alloc(0);
  for (const f of readdirSync(k.stateDir).filter((n) => n.startsWith('konsil.db'))) db = Buffer.concat([db, readFileSync(join(k.stateDir, f))]);
  const log = readFileSync(k.logFile);
  for (const n of [NAME_A, NAME_B, 'Mustermann', 'Beispielmann', 'Abgewiesen', CHAT_P2P, CHAT_A, CHAT_HOST, FILE_A, FILE_HOST, 'Befunde', 'uebungsplan']) {
    check(db.length > 0 && !db.includes(n), `SQLite files (${db.length} bytes) do not contain "${n}"`);
    check(!log.includes(n), `server log (${log.length} bytes) does not contain "${n}"`);
    check(!wsSent.some((f) => f.payload.includes(n)), `no WebSocket frame the pages sent (${wsSent.length}) contains "${n}"`);
  }
  const wsBytes = wsSent.reduce((x, f) => x + f.payload.length, 0);
  const labels = [...new Set(wsSent.map((f) => f.label))];
  check(wsBytes < 1024 * 1024 && labels.some((l) => l.includes('popup')) && labels.includes('patient-desktop'),
    `the pages sent ${wsBytes} bytes over WebSockets in all (${labels}), less than the 3 MB of files: those went peer-to-peer`);
  const q = spawnSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-c',
    'import sqlite3,sys,json; c=sqlite3.connect(sys.argv[1]); print(json.dumps(c.execute("SELECT started_at, ended_at, patients FROM consultations").fetchall()))',
    join(k.stateDir, 'konsil.db')], { encoding: 'utf8' });
  const consults = JSON.parse(q.stdout || "[]");
  const c0 = consults[0] || [];
  check(consults.length === 1 && c0[1] !== null && c0[1] >= c0[0] && c0[1] <= Date.now() / 1000 + 5,
    `consultation record: started ${c0[0]}, end time recorded by the room's "end for all" (${c0[1]})`);
  check(/patient-1 accepted/.test(log.toString()) && /patient-2 accepted/.test(log.toString()), 'server log knows the pseudonyms patient-1 and patient-2');
});
