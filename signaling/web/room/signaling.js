// signaling.js: the room's WebSocket (docs/signaling-protocol.md, subprotocol konsil.v1).
// Joins with the link token, keeps a heartbeat, and when the socket drops reconnects with
// backoff and the resume token (in memory only) so the participant keeps its place; the
// media connections are not touched. Emits 'message' for every server message, 'status'
// (connecting | open | reconnecting | closed) and 'fatal' for refusals.

const PROTO = 'konsil.v1';

export class Signaling extends EventTarget {
  constructor({ url, token, pseudonym, audio, video }) {
    super();
    this.url = url;
    this.token = token;
    this.join = { pseudonym, audio, video };
    this.resumeToken = null;
    this.ws = null;
    this.nextId = 1;
    this.waiting = new Map();
    this.quiet = new Map();
    this.attempt = 0;
    this.stopped = false;
    this.lastPong = 0;
    this.heartbeatMs = 15000;
    this.everJoined = false;
  }

  start() { this.connect(); }

  status(s, detail = {}) {
    this.state = s;
    this.dispatchEvent(new CustomEvent('status', { detail: { status: s, ...detail } }));
  }

  connect() {
    if (this.stopped) return;
    this.status(this.everJoined ? 'reconnecting' : 'connecting', { attempt: this.attempt });
    let ws;
    try { ws = new WebSocket(this.url, PROTO); } catch (e) { this.scheduleReconnect(); return; }
    this.ws = ws;
    ws.onopen = () => {
      const first = this.resumeToken
        ? { v: 1, type: 'resume', resume_token: this.resumeToken }
        : { v: 1, type: 'join', token: this.token, ...this.cleanJoin() };
      this.request(first).catch(() => {});
    };
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = (ev) => this.onClose(ws, ev);
    ws.onerror = () => {};
  }

  cleanJoin() {
    const o = {};
    for (const [k, v] of Object.entries(this.join)) if (v !== undefined && v !== null && v !== '') o[k] = v;
    return o;
  }

  onMessage(data) {
    let m;
    try { m = JSON.parse(data); } catch { return; }
    if (!m || typeof m.type !== 'string') return;
    if (m.type === 'joined') this.onJoined(m);
    if (m.type === 'pong') this.lastPong = Date.now();
    if (m.type === 'error' && m.id !== undefined && this.quiet.has(m.id)) {
      this.quiet.get(m.id)(m);
      this.quiet.delete(m.id);
      m.handled = true;
    }
    if (m.id !== undefined && this.waiting.has(m.id)) {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      m.handled = true; // the requester deals with it
      if (m.type === 'error') w.reject(Object.assign(new Error(m.message || m.code), { code: m.code, fatal: m.fatal }));
      else w.resolve(m);
    }
    if (m.type === 'error' && m.fatal) this.onFatal(m);
    this.dispatchEvent(new CustomEvent('message', { detail: m }));
  }

  onJoined(m) {
    this.everJoined = true;
    this.attempt = 0;
    this.resumeToken = m.resume_token || this.resumeToken;
    this.resumeGraceMs = m.resume_grace_ms || 20000;
    this.heartbeatMs = m.heartbeat_ms || 15000;
    this.lastPong = Date.now();
    this.startHeartbeat();
    this.status('open', { resumed: !!m.resumed });
  }

  onFatal(m) {
    if (m.code === 'unauthorized' && this.resumeToken) {
      // The held place is gone: the reconnect joins anew with the link token.
      this.resumeToken = null;
      this.dispatchEvent(new CustomEvent('rejoin', { detail: m }));
      return;
    }
    if (m.code === 'unauthorized' || m.code === 'limit' || m.code === 'forbidden') {
      this.stopped = true;
      this.dispatchEvent(new CustomEvent('fatal', { detail: m }));
    }
  }

  startHeartbeat() {
    clearInterval(this.hb);
    this.hb = setInterval(() => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
      if (Date.now() - this.lastPong > this.heartbeatMs * 2.2) { this.ws.close(4999, 'no pong'); this.forceClose(); return; }
      this.send({ type: 'ping', id: this.nextId++ });
    }, this.heartbeatMs);
  }

  // A socket that stopped answering: drop it at once (onclose may come much later).
  forceClose() {
    const ws = this.ws;
    if (!ws) return;
    ws.onclose = null;
    ws.onmessage = null;
    try { ws.close(); } catch { /* closed */ }
    this.onClose(ws, { code: 1006 });
  }

  onClose(ws, ev) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearInterval(this.hb);
    for (const w of this.waiting.values()) w.reject(Object.assign(new Error('socket closed'), { code: 'closed' }));
    this.waiting.clear();
    if (this.stopped) { this.status('closed', { code: ev.code }); return; }
    if (ev.code === 4000) { this.stopped = true; this.status('closed', { code: ev.code, replaced: true }); return; }
    if (ev.code === 4004) this.resumeToken = null;
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    this.attempt++;
    this.status(this.everJoined ? 'reconnecting' : 'unreachable', { attempt: this.attempt });
    const delay = Math.min(5000, 250 * 2 ** Math.min(this.attempt - 1, 5)) * (0.8 + Math.random() * 0.4);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    clearTimeout(this.retry);
    if (!this.ws) this.connect();
  }

  send(obj) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(obj));
    return true;
  }

  // Sends a message that has no reply on success; an error for it is marked handled
  // (no banner), the caller's onError gets it.
  sendQuiet(obj, onError) {
    const id = this.nextId++;
    this.quiet.set(id, onError || (() => {}));
    if (this.quiet.size > 200) this.quiet.delete(this.quiet.keys().next().value);
    return this.send({ ...obj, id });
  }

  // Sends a message with an id; resolves with the reply (rejects on an error reply).
  request(obj, ms = 15000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.send({ ...obj, id })) { reject(Object.assign(new Error('not connected'), { code: 'closed' })); return; }
      this.waiting.set(id, { resolve, reject });
      setTimeout(() => {
        if (this.waiting.has(id)) { this.waiting.delete(id); reject(Object.assign(new Error('timeout'), { code: 'timeout' })); }
      }, ms);
    });
  }

  // Test hook and network-change path: drop the socket as if the network failed.
  dropSocket() { if (this.ws) this.ws.close(4998, 'dropped by client'); }

  leave() {
    this.stopped = true;
    clearInterval(this.hb);
    clearTimeout(this.retry);
    this.send({ type: 'leave' });
    if (this.ws) setTimeout(() => { try { this.ws && this.ws.close(1000); } catch { /* closed */ } }, 200);
  }
}
