// chat.js: chat and file transfer with everyone in the call, peer-to-peer over the data
// channels of the PeerLinks (p2p.js) — never through the server, never stored there.
// Text goes on the 'konsil' channel (id 0) as {type:'chat', id, text, ts}, sent over
// every open link and de-duplicated by id. Files go on the 'konsil-file' channel (id 1):
// a JSON header {type:'file', fid, name, size, mime}, binary chunks of 16 KiB, then
// {type:'file-end', fid}; one file at a time per link, back-pressure through
// bufferedAmountLowThreshold. The receiver checks the size and builds a Blob download.
// ChatPanel is the view (#chat in room.html); Chat is the model, usable without it.

import { t } from './i18n.js';

export const MAX_FILE = 20 * 1024 * 1024;
export const MAX_TEXT = 2000;
const CHUNK = 16 * 1024;
const READ = 256 * 1024;
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// A file name as a download may use: no path, no control characters, at most 120 characters.
export function safeName(name) {
  const base = String(name || '').split(/[\\/]/).pop().replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (base || 'datei').slice(0, 120);
}

function safeMime(m) {
  return /^[a-z]+\/[a-z0-9.+-]{1,80}$/i.test(m || '') ? m : 'application/octet-stream';
}

function waitLow(dc) {
  return new Promise((resolve) => {
    const done = () => { dc.removeEventListener('bufferedamountlow', done); dc.removeEventListener('close', done); resolve(); };
    dc.addEventListener('bufferedamountlow', done);
    dc.addEventListener('close', done);
  });
}

export class Chat extends EventTarget {
  // peers(): Map id -> {name, info, link}; selfId(): own participant id.
  constructor({ peers, selfId }) {
    super();
    this.peers = peers;
    this.selfId = selfId;
    this.seen = new Set();
    this.entries = []; // {id, kind:'text'|'file', from, own, text | file:{...}}
    this.incoming = new Map(); // peer id -> transfer being received
  }

  openLinks() {
    const out = [];
    for (const [id, p] of this.peers()) if (p.link && !p.link.closed && p.link.dc.readyState === 'open') out.push([id, p]);
    return out;
  }

  add(entry) {
    this.entries.push(entry);
    this.dispatchEvent(new CustomEvent('entry', { detail: entry }));
    return entry;
  }

  update(entry) { this.dispatchEvent(new CustomEvent('update', { detail: entry })); }

  // Sends text to everyone with an open link; returns how many received it.
  send(text) {
    const s = String(text || '').trim().slice(0, MAX_TEXT);
    if (!s) return 0;
    const m = { type: 'chat', id: newId(), from: this.selfId(), text: s, ts: Date.now() };
    this.seen.add(m.id);
    const links = this.openLinks();
    for (const [, p] of links) p.link.send(m);
    this.add({ id: m.id, kind: 'text', own: true, from: null, text: s, to: links.length });
    return links.length;
  }

  // From the 'konsil' channel of peer `id`.
  onData(id, m) {
    if (m.type !== 'chat' || typeof m.id !== 'string' || typeof m.text !== 'string') return false;
    if (this.seen.has(m.id) || m.id.length > 64) return true;
    this.seen.add(m.id);
    const p = this.peers().get(id);
    this.add({ id: m.id, kind: 'text', own: false, fromId: id, from: p ? p.name || t(`role_${p.info.role}`) : '?',
      text: m.text.slice(0, MAX_TEXT) });
    return true;
  }

  // Sends a File/Blob to everyone with an open link. Rejects files over MAX_FILE.
  async sendFile(file) {
    if (file.size > MAX_FILE) {
      this.add({ id: newId(), kind: 'notice', own: true, text: t('chat_file_too_big', { max: MAX_FILE / 1048576 }) });
      return false;
    }
    const links = this.openLinks().filter(([, p]) => p.link.fileDc && p.link.fileDc.readyState === 'open');
    const fid = newId();
    const entry = this.add({ id: fid, kind: 'file', own: true, from: null,
      file: { name: safeName(file.name), size: file.size, done: 0, total: file.size * links.length, state: 'sending', to: links.length } });
    if (!links.length) { entry.file.state = 'failed'; this.update(entry); return false; }
    const results = await Promise.all(links.map(([, p]) => this.queueOn(p.link, file, fid, entry)));
    entry.file.state = results.every(Boolean) ? 'sent' : 'failed';
    entry.file.blob = file;
    this.update(entry);
    return results.every(Boolean);
  }

  // One transfer at a time per link (chunks of two files must not interleave).
  queueOn(link, file, fid, entry) {
    const run = () => this.sendOn(link, file, fid, entry).catch(() => false);
    link.fileChain = (link.fileChain || Promise.resolve()).then(run, run);
    return link.fileChain;
  }

  async sendOn(link, file, fid, entry) {
    const dc = link.fileDc;
    dc.bufferedAmountLowThreshold = LOW_WATER;
    dc.send(JSON.stringify({ type: 'file', fid, name: safeName(file.name), size: file.size, mime: safeMime(file.type) }));
    for (let off = 0; off < file.size; off += READ) {
      const block = new Uint8Array(await file.slice(off, off + READ).arrayBuffer());
      for (let i = 0; i < block.length; i += CHUNK) {
        if (dc.bufferedAmount > HIGH_WATER) await waitLow(dc);
        if (dc.readyState !== 'open') return false;
        const part = block.subarray(i, i + CHUNK);
        dc.send(part);
        entry.file.done += part.length;
        this.update(entry);
      }
    }
    dc.send(JSON.stringify({ type: 'file-end', fid }));
    return true;
  }

  // From the 'konsil-file' channel of peer `id`: a string (header, end) or an ArrayBuffer.
  onFileData(id, data) {
    if (typeof data !== 'string') return this.onChunk(id, data);
    let m;
    try { m = JSON.parse(data); } catch { return undefined; }
    if (m.type === 'file') return this.onFileStart(id, m);
    if (m.type === 'file-end') return this.onFileEnd(id, m);
    return undefined;
  }

  onFileStart(id, m) {
    const prev = this.incoming.get(id);
    if (prev && !prev.refused) { prev.entry.file.state = 'failed'; this.update(prev.entry); } // its end never came
    const p = this.peers().get(id);
    const size = Number(m.size);
    const ok = typeof m.fid === 'string' && m.fid.length <= 64 && Number.isInteger(size) && size >= 0 && size <= MAX_FILE;
    const entry = this.add({ id: `${id}:${m.fid}`, kind: 'file', own: false, fromId: id,
      from: p ? p.name || t(`role_${p.info.role}`) : '?',
      file: { name: safeName(m.name), size, mime: safeMime(m.mime), done: 0, total: size, state: ok ? 'receiving' : 'refused' } });
    this.incoming.set(id, ok ? { fid: m.fid, parts: [], entry } : { refused: true, entry });
  }

  onChunk(id, buf) {
    const x = this.incoming.get(id);
    if (!x || x.refused) return;
    const len = buf.byteLength;
    if (x.entry.file.done + len > x.entry.file.size) { // more than announced: stop taking it
      x.refused = true;
      x.parts = [];
      x.entry.file.state = 'failed';
      this.update(x.entry);
      return;
    }
    x.parts.push(buf);
    x.entry.file.done += len;
    this.update(x.entry);
  }

  onFileEnd(id, m) {
    const x = this.incoming.get(id);
    if (!x || x.refused || x.fid !== m.fid) return;
    this.incoming.delete(id);
    const f = x.entry.file;
    if (f.done !== f.size) { f.state = 'failed'; this.update(x.entry); return; }
    f.blob = new Blob(x.parts, { type: f.mime });
    f.url = URL.createObjectURL(f.blob);
    f.state = 'received';
    this.update(x.entry);
  }

  // A link closed in the middle of a transfer from it.
  onLinkGone(id) {
    const x = this.incoming.get(id);
    if (x && !x.refused) { x.entry.file.state = 'failed'; this.update(x.entry); }
    this.incoming.delete(id);
  }

  // For tests and diagnostics: texts and files (with SHA-256 of what arrived).
  async summary() {
    const out = [];
    for (const e of this.entries) {
      const o = { kind: e.kind, own: e.own, from: e.from, text: e.text };
      if (e.file) {
        o.file = { name: e.file.name, size: e.file.size, state: e.file.state, done: e.file.done, url: !!e.file.url };
        if (e.file.blob && e.file.state === 'received') {
          const d = await crypto.subtle.digest('SHA-256', await e.file.blob.arrayBuffer());
          o.file.sha256 = [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
        }
      }
      out.push(o);
    }
    return out;
  }
}

function fmtSize(n) {
  return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} kB`;
}

// The chat panel: log, text field, file button, unread count on the toggle button.
export class ChatPanel {
  constructor(chat, $) {
    this.chat = chat;
    this.$ = $;
    this.rows = new Map();
    this.unread = 0;
    chat.addEventListener('entry', (ev) => this.onEntry(ev.detail));
    chat.addEventListener('update', (ev) => this.paintFile(ev.detail));
    $('chat-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = $('chat-input');
      if (this.chat.send(input.value) === 0 && input.value.trim()) this.note(t('chat_nobody'));
      input.value = '';
    });
    $('chat-file').addEventListener('change', () => {
      const f = $('chat-file').files[0];
      $('chat-file').value = '';
      if (f) this.chat.sendFile(f);
    });
    $('btn-chat').addEventListener('click', () => this.toggle());
    $('chat-close').addEventListener('click', () => this.toggle(false));
  }

  get open() { return !this.$('chat').hidden; }

  toggle(on = !this.open) {
    this.$('chat').hidden = !on;
    this.$('btn-chat').setAttribute('aria-expanded', String(on));
    document.body.classList.toggle('chat-open', on);
    if (on) { this.unread = 0; this.paintUnread(); this.$('chat-input').focus(); }
  }

  paintUnread() {
    const b = this.$('chat-unread');
    b.hidden = this.unread === 0;
    b.textContent = String(this.unread);
  }

  note(text) { this.onEntry({ id: newId(), kind: 'notice', own: true, text }); }

  onEntry(e) {
    const li = document.createElement('li');
    li.className = `msg ${e.own ? 'own' : 'theirs'} ${e.kind}`;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = e.own ? t('you') : e.from;
    const body = document.createElement('span');
    body.className = 'body';
    li.append(who, body);
    if (e.kind === 'file') this.rows.set(e.id, { li, body, e });
    else body.textContent = e.text;
    if (e.kind === 'notice') who.textContent = '';
    const log = this.$('chat-log');
    log.append(li);
    log.scrollTop = log.scrollHeight;
    if (e.kind === 'file') this.paintFile(e);
    if (!e.own && !this.open) { this.unread++; this.paintUnread(); }
  }

  paintFile(e) {
    const row = this.rows.get(e.id);
    if (!row) return;
    const f = e.file;
    const pct = f.total ? Math.floor((100 * f.done) / f.total) : 100;
    if (row.painted === `${f.state}:${pct}`) return; // one repaint per percent, not per chunk
    row.painted = `${f.state}:${pct}`;
    row.li.dataset.state = f.state;
    const label = document.createElement(f.url ? 'a' : 'span');
    label.className = 'file-name';
    label.textContent = `${f.name} (${fmtSize(f.size)})`;
    if (f.url) { label.href = f.url; label.download = f.name; }
    const status = document.createElement('span');
    status.className = 'file-status';
    const key = { sending: 'chat_file_sending', receiving: 'chat_file_receiving', sent: 'chat_file_sent',
      received: 'chat_file_received', failed: 'chat_file_failed', refused: 'chat_file_refused' }[f.state];
    status.textContent = t(key, { pct });
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = pct;
    bar.hidden = f.state !== 'sending' && f.state !== 'receiving';
    row.body.replaceChildren(label, bar, status);
  }
}
