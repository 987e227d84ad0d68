// main.js: entry point of the consultation room page. Reads the link (room from the
// path, token/name/prejoin from the fragment), sets the language, runs the device check
// (or joins straight away with prejoin=0), then starts signaling and the call, and wires
// the banner, the control buttons and the failure paths. With #test=1 it exposes
// window.knRoom for the browser tests (snapshot, frame gaps, dropping the socket).

import { readLink, hideFragment } from './fragment.js';
import { t, apply, setLanguage, language, onLanguage } from './i18n.js';
import { runPrejoin } from './prejoin.js';
import { openMedia, errorKey, setSink } from './devices.js';
import { watchConnectivity } from './failures.js';
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

// text: a string, or {key, vars} for a text that follows a language switch.
let bannerSpec = null;
function banner(spec, action, kind = 'warn') {
  bannerSpec = spec && typeof spec === 'object' ? { spec, action, kind } : null;
  const text = bannerSpec ? t(spec.key, spec.vars) : spec;
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

let conn = null; // connectivity watchdog (failures.js); its banner outranks notices
let mediaNotice = null; // a camera/microphone failure on a direct join (prejoin=0), kept while the socket is fine

// The banner when the socket is open: a failed media connection, else the device notice.
function settledBanner() {
  if (conn && conn.failing()) banner({ key: 'err_connect_failed', vars: { host: window.location.hostname } }, connectRetry, 'error');
  else if (mediaNotice) banner({ key: mediaNotice }, null, 'warn');
  else banner(null);
}

const ui = {
  notice: (text) => { if (!(conn && conn.failing())) banner(text, null, 'warn'); },
  clearNotice: () => { if (!sig || sig.state === 'open') settledBanner(); },
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

const reconnectNow = { get label() { return t('reconnect_now'); }, run: () => sig && sig.reconnectNow() };

// "Try again" under the connection failure: leave and join afresh, so every connection
// is new and gathers its candidates again (the P2P link's own ICE restarts keep running
// in the background; a restart after a failure where no path ever worked brought up ICE
// but no media from the offerer in test_room_failure_ice).
const connectRetry = { get label() { return t('connect_retry'); }, run: () => { if (call) call.leave(); rejoin.run(); } };

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
  conn = watchConnectivity(() => call, (failing) => {
    document.body.dataset.media = failing ? 'failed' : 'ok';
    if (sig.state === 'open') settledBanner();
  });
  sig.addEventListener('status', (ev) => {
    const s = ev.detail.status;
    document.body.dataset.sig = s;
    if (s === 'open') settledBanner();
    else if (s === 'reconnecting') banner({ key: 'reconnecting' }, reconnectNow);
    else if (s === 'unreachable') banner({ key: 'err_unreachable' }, reconnectNow, 'error');
    else if (s === 'closed' && document.body.dataset.view !== 'message') banner({ key: 'err_session_lost' }, rejoin, 'error');
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
      subscriberDebug: () => subscriberDebug(call),
    };
  }
}

// Test hook: the subscribe connection's SDP and its inbound-rtp/track stats, for
// diagnosing a participant that never arrives through the SFU.
async function subscriberDebug(c) {
  const sub = c && c.subscriber;
  if (!sub) return null;
  const stats = [];
  (await sub.pc.getStats()).forEach((r) => {
    if (r.type === 'inbound-rtp') stats.push({ id: r.id, kind: r.kind, ssrc: r.ssrc, mid: r.mid, trackIdentifier: r.trackIdentifier,
      packetsReceived: r.packetsReceived, framesDecoded: r.framesDecoded, pliCount: r.pliCount, firCount: r.firCount, nackCount: r.nackCount });
  });
  return { remote: sub.pc.remoteDescription && sub.pc.remoteDescription.sdp, local: sub.pc.localDescription && sub.pc.localDescription.sdp,
    signalingState: sub.pc.signalingState, stats,
    transceivers: sub.pc.getTransceivers().map((x) => ({ mid: x.mid, dir: x.direction, cur: x.currentDirection, track: x.receiver.track.id })) };
}

// The speaker chosen in the device check plays the call: every <audio> a tile adds is
// routed to it (where setSinkId exists; elsewhere the system's default output plays).
function routeAudio(speakerId) {
  if (!speakerId || typeof HTMLMediaElement.prototype.setSinkId !== 'function') return;
  const grid = $('grid');
  for (const el of grid.querySelectorAll('audio')) setSink(el, speakerId);
  new MutationObserver((muts) => {
    for (const m of muts) for (const n of m.addedNodes) {
      if (n.nodeName === 'AUDIO') setSink(n, speakerId);
      else if (n.querySelectorAll) for (const el of n.querySelectorAll('audio')) setSink(el, speakerId);
    }
  }).observe(grid, { childList: true, subtree: true });
}

// Autoplay rules (Safari always, others without a capture or gesture, e.g. a listener or
// a direct join) may hold remote audio/video paused: the first click or key plays them.
function unlockPlayback() {
  const play = () => { for (const el of $('grid').querySelectorAll('audio, video')) if (el.paused && el.srcObject) el.play().catch(() => {}); };
  for (const ev of ['pointerdown', 'keydown', 'touchend']) window.addEventListener(ev, play, { capture: true, passive: true });
}

async function main() {
  if (link.lang) setLanguage(link.lang);
  document.documentElement.lang = language();
  apply(document);
  $('lang').onclick = () => setLanguage(language() === 'de' ? 'en' : 'de');
  unlockPlayback();
  onLanguage(() => { if (bannerSpec && !$('banner').hidden) banner(bannerSpec.spec, bannerSpec.action, bannerSpec.kind); });
  hideFragment();
  if (!link.token) { message(t('title'), t('err_no_token')); return; }
  const role = link.claims && link.claims.role;
  if (role === 'listener') { startCall(null, link.name); return; }
  if (!link.prejoin) {
    let stream = null;
    try { stream = await openMedia(); } catch (e) { mediaNotice = errorKey(e.kind); }
    if (stream && stream.missing) mediaNotice = errorKey(stream.missing.kind, stream.missing.device);
    if (mediaNotice) banner({ key: mediaNotice }, null, 'warn');
    startCall(stream, link.name);
    return;
  }
  view('prejoin');
  const r = await runPrejoin({ name: link.name, role });
  routeAudio(r.speakerId);
  startCall(r.stream, r.name);
}

main().catch((e) => ui.error(e));
