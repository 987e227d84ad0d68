// practice.js: the practice dashboard (see practice.html). Talks to /api with the session
// cookie (HttpOnly, set by /api/login); every POST is JSON, which the server requires as
// its CSRF rule. Refreshes the waiting room every 2 s. Shows invitation links and codes
// once after creating an appointment (the server keeps only their MACs). While the server
// drains (/api/waiting says draining) a notice says that new consultations start only in a
// few minutes; calling a patient of one that is not running yet is refused (503 draining). German first,
// English with the switch (i18n.js); the lists are redrawn on a switch.
import { t, apply, setLanguage, language } from './i18n.js';

const $ = (id) => document.getElementById(id);
const roles = ['patient', 'interpreter', 'relative'];
const roleName = (r) => (roles.includes(r) ? t(`role_${r}`) : r);
const stateName = (s) => (['waiting', 'called', 'admitted', 'in_room', 'absent', 'rejected', 'ended'].includes(s) ? t(`state_${s}`) : s || '–');
const apptState = (s) => (['scheduled', 'active', 'ended', 'cancelled'].includes(s) ? t(`appt_${s}`) : s);
let refresh = null;

async function api(name, body) {
  const opts = body === undefined ? { cache: 'no-store' }
    : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  const r = await fetch(`/api/${name}`, { credentials: 'same-origin', ...opts });
  let js = {};
  try { js = await r.json(); } catch { /* empty */ }
  if (r.status === 401 && name !== 'login') showLogin();
  return { status: r.status, body: js };
}

function el(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...kids);
  return e;
}

function showLogin() {
  document.body.dataset.view = 'login';
  if (refresh) clearInterval(refresh);
  refresh = null;
}

function showDash(me) {
  document.body.dataset.view = 'dash';
  $('who').textContent = `${me.email} (${me.role})`;
  load();
  if (!refresh) refresh = setInterval(load, 2000);
}

async function onLogin(ev) {
  ev.preventDefault();
  const body = { email: $('email').value, password: $('password').value };
  if (!$('totp').hidden) body.totp = $('totp').value;
  const r = await api('login', body);
  const err = $('login-error');
  err.hidden = r.status === 200;
  if (r.status === 200) { $('password').value = ''; return showDash(r.body); }
  if (r.body.error === 'totp_required') { $('totp').hidden = $('totp-label').hidden = false; err.textContent = t('err_totp'); }
  else err.textContent = t(r.status === 429 ? 'err_locked' : 'err_login');
}

function since(s) {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min` : `${s} s`;
}

async function act(kind, invitee) {
  const r = await api(kind, { invitee });
  if (r.status === 503 && r.body.error === 'draining') $('drain-notice').hidden = false;
  if (r.status === 200 && r.body.token)
    window.open(`/room/${encodeURIComponent(r.body.room)}#token=${r.body.token}&name=Praxis&prejoin=0`, `konsil-${r.body.room}`);
  load();
}

function waitingRow(w) {
  const btn = (label, kind) => el('button', { type: 'button', textContent: label, className: `act ${kind}`, onclick: () => act(kind, w.invitee) });
  const tools = el('td');
  if (w.state === 'waiting') tools.append(btn(t('act_call'), 'call'), btn(t('act_admit'), 'admit'));
  if (w.state !== 'in_room') tools.append(btn(t('act_reject'), 'reject'));
  const tr = el('tr', {}, el('td', { textContent: w.pseudonym }), el('td', { textContent: roleName(w.role) }),
    el('td', { textContent: stateName(w.state) }), el('td', { textContent: since(w.waiting_s) }), tools);
  tr.dataset.invitee = w.invitee;
  return tr;
}

function todayItem(a) {
  const at = new Date(a.start * 1000).toLocaleTimeString(language() === 'en' ? 'en-GB' : 'de-DE', { hour: '2-digit', minute: '2-digit' });
  const who = a.invitees.map((i) => `${i.pseudonym} (${i.waiting ? stateName(i.waiting) : '–'})`).join(', ');
  const end = el('button', { type: 'button', className: 'act end', textContent: t('act_end'), onclick: async () => { await api('end', { appointment: a.id }); load(); } });
  const li = el('li', {}, el('strong', { textContent: `${at} ` }), `${a.duration_min} min · ${t(`type_${a.type}`)} · ${apptState(a.state)} · ${who} `);
  if (a.state === 'scheduled' || a.state === 'active') {
    const add = (role, label) => el('button', { type: 'button', className: `act add-${role}`, textContent: label, onclick: () => addInvitee(a.id, role) });
    li.append(add('interpreter', t('add_interpreter')), add('relative', t('add_relative')), end);
  }
  return li;
}

// A third participant during the call: the code and link are shown once, to pass on by phone.
async function addInvitee(appointment, role) {
  const r = await api('invitees', { appointment, role });
  if (r.status !== 201) { showIssued([], t(r.status === 400 ? 'err_no_more' : 'err_add')); return; }
  showIssued([r.body]);
  load();
}

function showIssued(invitations, errorText) {
  const list = el('ul');
  for (const i of invitations) {
    const sent = Object.entries(i.sent || {}).map(([k, v]) => `${k}: ${v}`).join(', ');
    list.append(el('li', {}, `${i.pseudonym}: ${t('code')} `, el('code', { textContent: i.code }), ' · ', el('a', { href: i.link, textContent: t('link'), target: '_blank', rel: 'noopener' }), sent ? ` · ${sent}` : ''));
  }
  $('issued').hidden = false;
  $('issued').replaceChildren(el('p', { textContent: errorText || t('issued_once') }), list);
}

async function load() {
  const [w, ap] = await Promise.all([api('waiting'), api('appointments')]);
  if (w.status === 200) {
    $('drain-notice').hidden = !w.body.draining;
    $('waiting').tBodies[0].replaceChildren(...w.body.waiting.map(waitingRow));
    $('waiting-empty').hidden = w.body.waiting.length > 0;
  }
  if (ap.status === 200) $('today').replaceChildren(...ap.body.appointments.map(todayItem));
}

function inviteeRow() {
  const role = el('select', {}, ...roles.map((v) => el('option', { value: v, textContent: roleName(v) })));
  for (const o of role.options) o.dataset.i18n = `role_${o.value}`;
  const label = (key, input) => el('label', {}, el('span', { textContent: t(key) }, ), ' ', input);
  const row = el('div', { className: 'row invitee' }, label('role', role),
    label('email', el('input', { type: 'email', className: 'email' })),
    label('phone', el('input', { type: 'tel', className: 'phone' })));
  for (const [i, key] of ['role', 'email', 'phone'].entries()) row.children[i].firstChild.dataset.i18n = key;
  return row;
}

async function onNew(ev) {
  ev.preventDefault();
  const invitees = [...document.querySelectorAll('.invitee')].map((row) => ({
    role: row.querySelector('select').value,
    email: row.querySelector('.email').value.trim(),
    phone: row.querySelector('.phone').value.trim(),
  }));
  const r = await api('appointments', { date: $('date').value, time: $('time').value, duration_min: Number($('duration').value), type: $('type').value, invitees });
  $('new-error').hidden = r.status === 201;
  if (r.status !== 201) { $('new-error').textContent = t('err_new'); return; }
  showIssued(r.body.invitations);
  for (const row of document.querySelectorAll('.invitee input')) row.value = '';
  load();
}

async function init() {
  apply();
  $('lang').addEventListener('click', () => {
    setLanguage(language() === 'de' ? 'en' : 'de');
    apply();
    if (document.body.dataset.view === 'dash') load();
  });
  $('login').addEventListener('submit', onLogin);
  $('new').addEventListener('submit', onNew);
  $('add-invitee').addEventListener('click', () => $('invitees').append(inviteeRow()));
  $('logout').addEventListener('click', async () => { await api('logout', {}); showLogin(); });
  $('logout-all').addEventListener('click', async () => { await api('logout-all', {}); showLogin(); });
  $('invitees').append(inviteeRow());
  const now = new Date();
  $('date').value = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  const r = await api('me');
  if (r.status === 200) showDash(r.body); else showLogin();
}

init();
