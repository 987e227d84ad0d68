// practice.js: the practice dashboard (see practice.html). Talks to /api with the session
// cookie (HttpOnly, set by /api/login); every POST is JSON, which the server requires as
// its CSRF rule. Refreshes the waiting room every 2 s. Shows invitation links and codes
// once after creating an appointment (the server keeps only their MACs).
const $ = (id) => document.getElementById(id);
const roleNames = { patient: 'Patient/in', interpreter: 'Dolmetscher/in', relative: 'Angehörige/r' };
const stateNames = { waiting: 'wartet', called: 'wird angerufen', admitted: 'eingelassen', in_room: 'im Raum' };
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
  if (r.body.error === 'totp_required') { $('totp').hidden = $('totp-label').hidden = false; err.textContent = 'Bitte den Code aus der App eingeben.'; }
  else err.textContent = r.status === 429 ? 'Zu viele Fehlversuche: Konto für 15 Minuten gesperrt.' : 'E-Mail oder Passwort falsch.';
}

function since(s) {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min` : `${s} s`;
}

async function act(kind, invitee) {
  const r = await api(kind, { invitee });
  if (r.status === 200 && r.body.token)
    window.open(`/room/${encodeURIComponent(r.body.room)}#token=${r.body.token}&name=Praxis&prejoin=0`, `konsil-${r.body.room}`);
  load();
}

function waitingRow(w) {
  const btn = (label, kind) => el('button', { type: 'button', textContent: label, className: `act ${kind}`, onclick: () => act(kind, w.invitee) });
  const tools = el('td');
  if (w.state === 'waiting') tools.append(btn('Aufrufen', 'call'), btn('Einlassen', 'admit'));
  if (w.state !== 'in_room') tools.append(btn('Abweisen', 'reject'));
  const tr = el('tr', {}, el('td', { textContent: w.pseudonym }), el('td', { textContent: roleNames[w.role] || w.role }),
    el('td', { textContent: stateNames[w.state] || w.state }), el('td', { textContent: since(w.waiting_s) }), tools);
  tr.dataset.invitee = w.invitee;
  return tr;
}

function todayItem(a) {
  const t = new Date(a.start * 1000).toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit' });
  const who = a.invitees.map((i) => `${i.pseudonym} (${stateNames[i.waiting] || '–'})`).join(', ');
  const end = el('button', { type: 'button', className: 'act end', textContent: 'Beenden', onclick: async () => { await api('end', { appointment: a.id }); load(); } });
  const li = el('li', {}, el('strong', { textContent: `${t} ` }), `${a.duration_min} min · ${a.type} · ${a.state} · ${who} `);
  if (a.state === 'scheduled' || a.state === 'active') {
    const add = (role, label) => el('button', { type: 'button', className: `act add-${role}`, textContent: label, onclick: () => addInvitee(a.id, role) });
    li.append(add('interpreter', '+ Dolmetscher/in'), add('relative', '+ Angehörige/r'), end);
  }
  return li;
}

// A third participant during the call: the code and link are shown once, to pass on by phone.
async function addInvitee(appointment, role) {
  const r = await api('invitees', { appointment, role });
  if (r.status !== 201) { showIssued([], r.status === 400 ? 'Keine weiteren Teilnehmer für diese Terminart möglich.' : 'Fehler beim Hinzufügen.'); return; }
  showIssued([r.body]);
  load();
}

function showIssued(invitations, errorText) {
  const list = el('ul');
  for (const i of invitations) {
    const sent = Object.entries(i.sent || {}).map(([k, v]) => `${k}: ${v}`).join(', ');
    list.append(el('li', {}, `${i.pseudonym}: Code `, el('code', { textContent: i.code }), ' · ', el('a', { href: i.link, textContent: 'Link', target: '_blank', rel: 'noopener' }), sent ? ` · ${sent}` : ''));
  }
  $('issued').hidden = false;
  $('issued').replaceChildren(el('p', { textContent: errorText || 'Nur jetzt sichtbar – bitte bei Bedarf weitergeben:' }), list);
}

async function load() {
  const [w, t] = await Promise.all([api('waiting'), api('appointments')]);
  if (w.status === 200) {
    $('waiting').tBodies[0].replaceChildren(...w.body.waiting.map(waitingRow));
    $('waiting-empty').hidden = w.body.waiting.length > 0;
  }
  if (t.status === 200) $('today').replaceChildren(...t.body.appointments.map(todayItem));
}

function inviteeRow() {
  const role = el('select', {}, ...Object.entries(roleNames).map(([v, l]) => el('option', { value: v, textContent: l })));
  return el('div', { className: 'row invitee' }, el('label', {}, 'Rolle ', role),
    el('label', {}, 'E-Mail ', el('input', { type: 'email', className: 'email' })),
    el('label', {}, 'Handy (+49…) ', el('input', { type: 'tel', className: 'phone' })));
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
  if (r.status !== 201) { $('new-error').textContent = 'Termin ungültig (Datum, Uhrzeit, Dauer 5–480 min, Teilnehmer passend zur Art).'; return; }
  showIssued(r.body.invitations);
  for (const row of document.querySelectorAll('.invitee input')) row.value = '';
  load();
}

async function init() {
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
