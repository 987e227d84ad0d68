// main.js: the patient's join flow (see join.html). POST /api/join {invite, code} gives a
// waiting-room ticket; POST /api/wait long-polls the queue position and the practice's
// action; on "called" the ring dialog shows, and accepting (POST /api/accept) gives the room
// token. The page then opens /room/{room}#token=…&name=…&prejoin=0: the name stays in the
// URL fragment, which browsers never send to the server. A reload resumes the waiting room:
// ticket, name and code are kept in this tab's sessionStorage (never sent anywhere else).
// While the server drains, joining a consultation that has not started says to try again in
// a few minutes (503 draining).
import { t, apply, current, setLang } from './i18n.js';
import * as ring from './ring.js';

const $ = (id) => document.getElementById(id);
const invite = (/^\/join\/([A-Za-z0-9_-]{1,64})\/?$/.exec(location.pathname) || [])[1] || '';
const state = { ticket: null, version: 0, name: '', view: 'form', stream: null, last: null };

function show(view) {
  state.view = view;
  document.body.dataset.view = view;
}

function error(key) {
  const el = $('error');
  el.hidden = !key;
  el.textContent = key ? t(key) : '';
  el.dataset.key = key || '';
}

async function api(name, body) {
  const r = await fetch(`/api/${name}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body), credentials: 'omit', cache: 'no-store',
  });
  let js = {};
  try { js = await r.json(); } catch { /* empty */ }
  return { status: r.status, body: js };
}

const saveKey = `konsil.join.${invite}`;

function saved() {
  try { return JSON.parse(sessionStorage.getItem(saveKey) || 'null') || {}; } catch { return {}; }
}

function save(obj) {
  try { sessionStorage.setItem(saveKey, JSON.stringify({ ...saved(), ...obj })); } catch { /* private mode */ }
}

function readCode() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const code = params.get('code') || saved().code;
  if (code) $('code').value = code;
  if (saved().name) $('name').value = saved().name;
  if (location.hash && history.replaceState) history.replaceState(null, '', location.pathname);
}

async function onStart(ev) {
  ev.preventDefault();
  ring.unlock(); // inside the click: the ring tone may play later
  const code = $('code').value.replace(/[\s-]/g, '');
  state.name = $('name').value.trim().slice(0, 64);
  if (code.length !== 10) return error('err_code_missing');
  if (!state.name) return error('err_name_missing');
  if (!$('terms').checked) return error('err_terms');
  error(null);
  $('start').disabled = true;
  try {
    const r = await api('join', { invite, code: $('code').value });
    const errs = { 403: 'err_wrong_code', 429: 'err_too_many', 410: 'err_expired' };
    if (r.status === 503 && r.body.error === 'draining') return error('err_draining');
    if (r.status !== 200) return error(errs[r.status] || 'err_network');
    state.ticket = r.body.ticket;
    save({ ticket: state.ticket, name: state.name, code: $('code').value });
    enterWaiting(r.body);
  } catch {
    error('err_network');
  } finally {
    $('start').disabled = false;
  }
}

async function checkDevices() {
  const el = $('device-state');
  el.textContent = t('devices_checking');
  el.dataset.key = 'devices_checking';
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    $('preview').srcObject = state.stream;
    el.dataset.key = 'devices_ok';
  } catch (e) {
    el.dataset.key = e && e.name === 'NotFoundError' ? 'devices_missing' : 'devices_denied';
  }
  el.textContent = t(el.dataset.key);
}

function enterWaiting(view) {
  show('waiting');
  $('wait-text').textContent = t('wait_text');
  update(view);
  checkDevices();
  poll();
}

function update(v) {
  state.last = v;
  state.version = v.version;
  const pos = $('position');
  pos.dataset.position = String(v.position || 0);
  if (v.state === 'waiting')
    pos.textContent = v.position === 1 ? `${t('position', { n: 1 })} ${t('position_next')}` : t('position', { n: v.position });
  else if (v.state === 'called') pos.textContent = t('called');
  if (v.state === 'called') openRing();
  else if (v.state === 'admitted') accept();
  else if (v.state === 'rejected') finish('rejected');
  else if (v.state === 'ended') finish('ended');
}

async function poll() {
  while (state.view === 'waiting' || state.view === 'ringing') {
    try {
      const r = await api('wait', { ticket: state.ticket, seen: state.version });
      if (r.status === 404) return finish('lost');
      if (r.status === 200) update(r.body);
      else await sleep(2000);
    } catch {
      await sleep(2000); // network hiccup: try again; the server keeps the place for 45 s
    }
  }
}

function sleep(ms) { return new Promise((res) => setTimeout(res, ms)); }

function openRing() {
  if (state.view === 'ringing') return;
  show('ringing');
  $('ring').hidden = false;
  $('accept').focus();
  ring.start();
}

async function accept() {
  if (state.view === 'leaving') return;
  ring.stop();
  show('leaving');
  const r = await api('accept', { ticket: state.ticket }).catch(() => ({ status: 0 }));
  if (r.status !== 200) return finish('lost');
  if (state.stream) state.stream.getTracks().forEach((tr) => tr.stop());
  save({ ticket: null });
  const frag = new URLSearchParams({ token: r.body.token, name: state.name, prejoin: '0', lang: current() });
  location.assign(`/room/${encodeURIComponent(r.body.room)}#${frag}`);
}

function finish(kind) {
  ring.stop();
  save({ ticket: null });
  $('ring').hidden = true;
  if (state.stream) state.stream.getTracks().forEach((tr) => tr.stop());
  show('final');
  $('final').dataset.kind = kind;
  $('final-heading').textContent = t(`${kind}_heading`);
  $('final-text').textContent = t(`${kind}_text`);
  $('again').hidden = kind !== 'lost';
}

function relabel() {
  apply();
  if (state.last && state.view === 'waiting') update(state.last);
  if (state.view === 'waiting') $('wait-text').textContent = t('wait_text');
  const dev = $('device-state');
  if (dev.dataset.key) dev.textContent = t(dev.dataset.key);
  const err = $('error');
  if (err.dataset.key) err.textContent = t(err.dataset.key);
  if (state.view === 'final') finish($('final').dataset.kind);
}

function init() {
  readCode();
  apply();
  $('form').addEventListener('submit', onStart);
  $('form').addEventListener('input', () => error(null));
  $('accept').addEventListener('click', accept);
  $('again').addEventListener('click', () => { show('form'); });
  $('lang').addEventListener('click', () => { setLang(current() === 'de' ? 'en' : 'de'); relabel(); });
  show('form');
  resume();
}

// After a reload: back into the waiting room with the kept ticket, if it is still valid.
async function resume() {
  const s = saved();
  if (!s.ticket || !s.name) return;
  state.ticket = s.ticket;
  state.name = s.name;
  const r = await api('wait', { ticket: s.ticket, seen: -1 }).catch(() => ({ status: 0 }));
  if (r.status === 200 && ['waiting', 'called', 'admitted'].includes(r.body.state)) {
    ring.unlock();
    enterWaiting(r.body);
  } else {
    save({ ticket: null });
  }
}

init();
