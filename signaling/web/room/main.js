// main.js: entry point of the consultation room page. Reads the link (room from the
// path, token/name/prejoin from the fragment), sets the language, runs the device check
// (or joins straight away with prejoin=0), then starts signaling and the call, and wires
// the banner, the control buttons and the failure paths. With #test=1 it exposes
// window.knRoom for the browser tests (snapshot, frame gaps, dropping the socket).

import { readLink, hideFragment } from './fragment.js';
import { t, apply, setLanguage, language, onLanguage } from './i18n.js';
import { runPrejoin } from './prejoin.js';
import { openMedia } from './devices.js';
import { Signaling } from './signaling.js';
import { Call } from './call.js';
import { attachCallUi, endScreen } from './call_ui.js';

const $ = (id) => document.getElementById(id);
const link = readLink();
const savedHash = window.location.hash;
let call = null;
let sig = null;

function view(name) {
  document.body.dataset.view = name;
  for (const id of ['prejoin', 'call', 'message']) $(id).hidden = id !== name;
  if (name !== 'call') $('chat').hidden = true;
}

function banner(text, action, kind = 'warn') {
  $('banner').hidden = !text;
  $('banner').dataset.kind = kind;
  $('banner-text').textContent = text || '';
  const b = $('banner-action');
  b.hidden = !action;
  if (action) { b.textContent = action.label; b.onclick = action.run; }
}

function message(title, text, action) {
  view('message');
  $('message-title').textContent = title;
  $('message-text').textContent = text || '';
  const b = $('message-action');
  b.hidden = !action;
  if (action) { b.textContent = action.label; b.onclick = action.run; }
}

const rejoin = { get label() { return t('rejoin'); }, run: () => { window.location.hash = savedHash; window.location.reload(); } };

const ui = {
  notice: (text) => banner(text, null, 'warn'),
  clearNotice: () => { if (!sig || sig.state === 'open') banner(null); },
  error: (e) => { console.error(e); banner(t('err_generic', { msg: e && e.message ? e.message : String(e) }), null, 'error'); },
  setRole: (role) => { document.body.dataset.role = role; $('mode').hidden = role !== 'host'; },
  setMode: (mode) => { document.body.dataset.mode = mode; $('mode').textContent = t(`mode_${mode}`); $('mode').dataset.mode = mode; },
  setCount: (n) => { $('waiting').hidden = n > 1; },
};

function controls(local) {
  const mic = $('btn-mic');
  const cam = $('btn-cam');
  const paint = () => {
    const a = local.audio && local.audio.enabled;
    const v = local.video && local.video.enabled;
    mic.textContent = t(a ? 'mute' : 'unmute');
    mic.setAttribute('aria-pressed', String(!a));
    mic.disabled = !local.audio;
    cam.textContent = t(v ? 'camera_off' : 'camera_on');
    cam.setAttribute('aria-pressed', String(!v));
    cam.disabled = !local.video;
  };
  mic.onclick = () => { call.setAudio(!(local.audio && local.audio.enabled)); paint(); };
  cam.onclick = () => { call.setVideo(!(local.video && local.video.enabled)); paint(); };
  $('btn-leave').onclick = () => {
    call.leave();
    for (const tr of local.stream ? local.stream.getTracks() : []) tr.stop();
    banner(null);
    message(t('left_heading'), '', rejoin);
  };
  onLanguage(paint);
  call.addEventListener('local-state', paint);
  paint();
}

function wsUrl() {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/ws`;
}

function startCall(stream, name) {
  const local = { stream, audio: stream ? stream.getAudioTracks()[0] || null : null, video: stream ? stream.getVideoTracks()[0] || null : null };
  sig = new Signaling({ url: wsUrl(), token: link.token, pseudonym: undefined,
    audio: !!local.audio, video: !!local.video });
  view('call');
  call = new Call({ sig, local, name, relay: link.relay, grid: $('grid'), ui });
  attachCallUi(call, $);
  controls(local);
  sig.addEventListener('status', (ev) => {
    const s = ev.detail.status;
    document.body.dataset.sig = s;
    if (s === 'open') banner(null);
    else if (s === 'reconnecting') banner(t('reconnecting'), { label: t('reconnect_now'), run: () => sig.reconnectNow() });
    else if (s === 'unreachable') banner(t('err_unreachable'), { label: t('reconnect_now'), run: () => sig.reconnectNow() }, 'error');
    else if (s === 'closed' && document.body.dataset.view !== 'message') banner(t('err_session_lost'), rejoin, 'error');
  });
  sig.addEventListener('fatal', (ev) => {
    const m = ev.detail;
    call.leave();
    const out = endScreen(m); // removed by the host, or the session ended for all
    if (out) { for (const tr of local.stream ? local.stream.getTracks() : []) tr.stop(); banner(null); message(out.title, out.text); return; }
    const text = m.code === 'unauthorized' ? t('err_token') : m.code === 'limit' ? t('err_room_full') : t('err_generic', { msg: m.message || m.code });
    message(t('err_session_lost'), text, m.code === 'unauthorized' ? null : rejoin);
  });
  sig.start();
  if (link.test) {
    window.knRoom = {
      snapshot: (reset) => call.snapshot(!!reset),
      dropSocket: () => sig.dropSocket(),
      sigState: () => sig.state,
      language: () => language(),
    };
  }
}

async function main() {
  if (link.lang) setLanguage(link.lang);
  document.documentElement.lang = language();
  apply(document);
  $('lang').onclick = () => setLanguage(language() === 'de' ? 'en' : 'de');
  hideFragment();
  if (!link.token) { message(t('title'), t('err_no_token')); return; }
  const role = link.claims && link.claims.role;
  if (role === 'listener') { startCall(null, link.name); return; }
  if (!link.prejoin) {
    let stream = null;
    try { stream = await openMedia(); } catch (e) { banner(t(`err_${e.kind === 'other' ? 'media_other' : e.kind || 'media_other'}`), null, 'error'); }
    startCall(stream, link.name);
    return;
  }
  view('prejoin');
  const r = await runPrejoin({ name: link.name, role });
  startCall(r.stream, r.name);
}

main().catch((e) => ui.error(e));
