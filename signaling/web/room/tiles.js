// tiles.js: the call grid. One tile per participant (self included) with a name line,
// role, muted badge, speaking ring and quality dot. Each tile has two <video> slots:
// a new media path (P2P or SFU) plays into the hidden slot and is shown only once it
// presents frames (requestVideoFrameCallback, else 'playing' + videoWidth),
// so the picture never goes blank during a mode switch. Every presented frame on the
// visible slot is timed: gapStats() gives the longest gap between shown frames.
// For a host, the others' tiles carry "mute" and "remove" (asked twice) buttons.

import { t } from './i18n.js';

const hasRvfc = 'requestVideoFrameCallback' in HTMLVideoElement.prototype;
// A new path must present this many frames (it flows steadily) before the tile swaps.
const SWAP_AFTER_FRAMES = 3;

export class Tile {
  constructor(id, { self = false } = {}) {
    this.id = id;
    this.self = self;
    this.el = document.createElement('figure');
    this.el.className = self ? 'tile self' : 'tile';
    this.el.dataset.participant = id;
    this.slots = [this.makeVideo(), this.makeVideo()];
    this.visible = 0;
    this.source = null;
    this.audio = null;
    this.stream = null;
    this.frames = 0;
    this.lastFrame = 0;
    this.maxGap = 0;
    this.switches = [];
    this.times = [];
    const cap = document.createElement('figcaption');
    this.nameEl = document.createElement('span');
    this.nameEl.className = 'name';
    this.roleEl = document.createElement('span');
    this.roleEl.className = 'role';
    this.mutedEl = document.createElement('span');
    this.mutedEl.className = 'badge muted';
    this.mutedEl.hidden = true;
    this.qualityEl = document.createElement('span');
    this.qualityEl.className = 'quality unknown';
    this.qualityEl.setAttribute('role', 'img');
    this.avatar = document.createElement('div');
    this.avatar.className = 'avatar';
    cap.append(this.qualityEl, this.nameEl, this.roleEl, this.mutedEl);
    this.el.append(...this.slots, this.avatar, cap);
    this.setQuality('unknown');
    this.slots[0].classList.add('shown');
  }

  makeVideo() {
    const v = document.createElement('video');
    v.autoplay = true;
    v.playsInline = true;
    v.muted = true;
    if (this.self) v.classList.add('mirror');
    this.watch(v);
    return v;
  }

  // Counts frames presented on v while it is the visible slot.
  watch(v) {
    const onFrame = (now) => {
      if (this.slots[this.visible] === v) this.frame(now);
      else if (v.pendingShow && ++v.pendingFrames >= SWAP_AFTER_FRAMES) v.pendingShow();
      if (hasRvfc) v.requestVideoFrameCallback(onFrame);
    };
    if (hasRvfc) v.requestVideoFrameCallback(onFrame);
    else {
      let lastTime = -1;
      const poll = () => {
        if (v.currentTime !== lastTime && v.videoWidth > 0) { lastTime = v.currentTime; onFrame(performance.now()); }
        requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    }
  }

  frame(now) {
    if (this.lastFrame) this.maxGap = Math.max(this.maxGap, now - this.lastFrame);
    this.lastFrame = now;
    this.frames++;
    this.times.push(now);
    if (this.times.length > 600) this.times.splice(0, 300);
  }

  // Longest gap between shown frames within ±windowMs of time t (performance.now()).
  gapAround(t, windowMs = 1000) {
    let gap = 0;
    let prev = null;
    for (const x of this.times) {
      if (x < t - windowMs) { prev = x; continue; }
      if (x > t + windowMs) { if (prev !== null) gap = Math.max(gap, x - prev); break; }
      if (prev !== null) gap = Math.max(gap, x - prev);
      prev = x;
    }
    return Math.round(gap);
  }

  // Shows stream (source 'local' | 'p2p' | 'sfu'); resolves once its first frame is shown.
  show(source, stream, audioStream) {
    if (this.source === source && this.stream === stream) return Promise.resolve(true);
    const next = 1 - this.visible;
    const v = this.slots[next];
    this.pendingSource = source;
    v.srcObject = stream;
    v.play().catch(() => {});
    return new Promise((resolve) => {
      const done = () => {
        v.pendingShow = null;
        if (this.pendingSource !== source) { resolve(false); return; }
        const from = this.source;
        const old = this.slots[this.visible];
        this.visible = next;
        v.classList.add('shown');
        old.classList.remove('shown');
        this.frame(performance.now());
        old.srcObject = null;
        this.source = source;
        this.stream = stream;
        this.setAudio(audioStream);
        this.switches.push({ from, to: source, at: Date.now(), perf: performance.now() });
        if (this.switches.length > 20) this.switches.shift();
        resolve(true);
      };
      v.pendingFrames = 0;
      v.pendingShow = done;
      // Safety net where frame callbacks do not reach a transparent slot.
      const delay = hasRvfc ? 1500 : 0;
      v.addEventListener('playing', () => setTimeout(() => v.pendingShow === done && done(), delay), { once: true });
    });
  }

  setAudio(stream) {
    if (this.self) return;
    if (!this.audio) {
      this.audio = document.createElement('audio');
      this.audio.autoplay = true;
      this.el.append(this.audio);
    }
    this.audio.srcObject = stream || null;
    if (stream) this.audio.play().catch(() => {});
  }

  setInfo({ name, role, audio, video }) {
    const roleText = role ? t(`role_${role}`) : '';
    this.nameEl.textContent = this.self ? `${name || roleText} (${t('you')})` : (name || roleText);
    this.roleEl.textContent = name ? roleText : '';
    this.mutedEl.textContent = t('muted_badge');
    this.mutedEl.hidden = audio !== false;
    if (this.hostBar && audio !== false) this.hostBar.querySelector('.mute').textContent = t('host_mute');
    this.el.classList.toggle('camera-off', video === false);
    this.avatar.textContent = (name || roleText || '?').trim().charAt(0).toUpperCase();
  }

  // actions: {mute(), remove()} returning promises; the buttons appear once.
  setHostActions(actions) {
    if (this.self || this.hostBar) return;
    const bar = document.createElement('div');
    bar.className = 'host-actions';
    const mk = (cls, key, run) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `host-act ${cls}`;
      b.textContent = t(key);
      b.onclick = () => run(b);
      return b;
    };
    const failed = (b, key) => () => { b.textContent = t('host_action_failed'); setTimeout(() => { b.textContent = t(key); }, 2500); };
    const mute = mk('mute', 'host_mute', (b) => actions.mute().then(() => { b.textContent = t('host_muted'); }, failed(b, 'host_mute')));
    const remove = mk('remove', 'host_remove', (b) => {
      if (!b.dataset.armed) { // a second click within 4 s confirms
        b.dataset.armed = '1';
        b.textContent = t('host_remove_confirm');
        setTimeout(() => { delete b.dataset.armed; b.textContent = t('host_remove'); }, 4000);
        return;
      }
      actions.remove().catch(failed(b, 'host_remove'));
    });
    bar.append(mute, remove);
    this.hostBar = bar;
    this.el.append(bar);
  }

  setSpeaking(on) { this.el.classList.toggle('speaking', !!on); }

  setQuality(q) {
    this.quality = q;
    this.qualityEl.className = `quality ${q}`;
    this.qualityEl.setAttribute('aria-label', t(`quality_${q}`));
    this.qualityEl.title = t(`quality_${q}`);
  }

  gapStats(reset) {
    const switches = this.switches.map((w) => ({ from: w.from, to: w.to, at: w.at, gapMs: this.gapAround(w.perf) }));
    const out = { frames: this.frames, maxGapMs: Math.round(this.maxGap), source: this.source, switches,
      width: this.slots[this.visible].videoWidth, height: this.slots[this.visible].videoHeight };
    if (reset) this.maxGap = 0;
    return out;
  }

  remove() {
    for (const v of this.slots) v.srcObject = null;
    if (this.audio) this.audio.srcObject = null;
    this.el.remove();
  }
}

// Keeps the grid's tile count in a data attribute; CSS picks columns from it.
export function layoutGrid(grid) {
  const n = grid.querySelectorAll('.tile').length;
  grid.dataset.count = String(Math.min(Math.max(n, 1), 9));
}
