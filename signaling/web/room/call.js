// call.js: the call controller. Keeps the participant list from signaling, one PeerLink
// (p2p.js) per other participant for names and, in P2P mode, media; the SFU publish and
// subscribe connections (sfu.js) in SFU mode; and the tiles (tiles.js). Mode switches are
// make-before-break: the new path is negotiated while the old one plays, a tile switches
// only once the new path presents a frame, then the old path stops (P2P senders go quiet
// when the far side says it shows the SFU path; SFU connections close on sfu.closed).
// Chat and files (chat.js) ride on the same links. A host gets mute/remove buttons on the
// others' tiles and "end for all"; a mute-request from the host mutes the microphone.

import { PeerLink } from './p2p.js';
import { Chat } from './chat.js';
import { Publisher, Subscriber } from './sfu.js';
import { Tile, layoutGrid } from './tiles.js';
import { Poller, quality, selectedPair, receiverStats } from './stats.js';
import { levelMeter } from './devices.js';
import { t } from './i18n.js';

export class Call extends EventTarget {
  // opts: {sig, local: {stream, audio, video}, name, relay, grid, ui}
  constructor(opts) {
    super();
    this.sig = opts.sig;
    this.local = opts.local;
    this.name = opts.name || '';
    this.relayMode = opts.relay || null; // null | 'all' | 'tcp'
    this.grid = opts.grid;
    this.ui = opts.ui;
    this.self = null;
    this.peers = new Map(); // id -> {info, name, tile, link}
    this.mode = { mode: 'p2p', epoch: 0, peer: null };
    this.iceServers = [];
    this.publisher = null;
    this.subscriber = null;
    this.readySent = 0;
    this.chat = new Chat({ peers: () => this.peers, selfId: () => (this.self ? this.self.id : null) });
    this.selfTile = new Tile('self', { self: true });
    this.grid.append(this.selfTile.el);
    if (this.local.stream) this.selfTile.show('local', this.local.stream, null);
    layoutGrid(this.grid);
    this.sig.addEventListener('message', (ev) => this.onMessage(ev.detail).catch((e) => this.ui.error(e)));
    this.prefs = new Map(); // participant id -> max_spatial last sent
    if (window.ResizeObserver) new ResizeObserver(() => this.schedulePrefs()).observe(this.grid);
    this.poller = new Poller(1000, () => this.statTargets(), (id, s) => this.onSample(id, s));
    if (this.local.audio) this.meter = levelMeter(new MediaStream([this.local.audio]), (l) => this.selfTile.setSpeaking(l > 0.08 && this.local.audio.enabled));
  }

  async onMessage(m) {
    switch (m.type) {
      case 'joined': return this.onJoined(m);
      case 'participant-joined': return this.upsert(m.participant);
      case 'participant-updated': return this.upsert(m.participant);
      case 'participant-left': return this.removePeer(m.participant_id);
      case 'mode': return this.onMode(m);
      case 'p2p.offer': case 'p2p.answer': case 'p2p.candidate': return this.onP2p(m);
      case 'sfu.subscribe': return this.onSubscribe(m);
      case 'sfu.closed': return this.onSfuClosed(m);
      case 'active-speaker': return this.onActiveSpeaker(m);
      case 'mute-request': return this.onMuteRequest(m);
      case 'error': if (!m.fatal && !m.handled && m.code !== 'rate_limited') this.ui.notice(t('err_generic', { msg: m.message || m.code })); return undefined;
      default: return undefined;
    }
  }

  onJoined(m) {
    // A fresh join after the held place was lost (server restart, grace expired): a new
    // participant id, new epochs; the old connections cannot be resumed.
    if (this.self && m.self.id !== this.self.id) this.resetSession();
    this.self = m.self;
    this.iceServers = m.ice_servers || [];
    this.selfTile.setInfo({ name: this.name, role: m.self.role, audio: this.local.audio ? this.local.audio.enabled : false,
      video: !!this.local.video });
    const present = new Set(m.participants.map((p) => p.id));
    for (const id of [...this.peers.keys()]) if (!present.has(id)) this.removePeer(id);
    for (const p of m.participants) this.upsert(p);
    this.ui.setRole(m.self.role);
    return this.onMode({ ...m.mode, joined: !m.resumed });
  }

  resetSession() {
    for (const id of [...this.peers.keys()]) this.removePeer(id);
    if (this.publisher) this.publisher.close();
    if (this.subscriber) this.subscriber.close();
    this.publisher = null;
    this.subscriber = null;
    this.mode = { mode: 'p2p', epoch: 0, peer: null };
    this.readySent = 0;
  }

  upsert(info) {
    if (!this.self || info.id === this.self.id) return;
    let p = this.peers.get(info.id);
    if (!p) {
      p = { info, name: '', tile: new Tile(info.id), link: null };
      this.peers.set(info.id, p);
      this.grid.insertBefore(p.tile.el, this.selfTile.el); // own picture last
      layoutGrid(this.grid);
    }
    p.info = info;
    if (this.self.role === 'host') p.tile.setHostActions({ mute: () => this.mutePeer(info.id), remove: () => this.removeParticipant(info.id) });
    p.tile.setInfo({ name: p.name, role: info.role, audio: info.audio, video: info.video });
    p.tile.el.classList.toggle('away', info.connected === false);
    this.ui.setCount(this.peers.size + 1);
  }

  removePeer(id) {
    const p = this.peers.get(id);
    if (!p) return;
    if (p.link) p.link.close();
    this.chat.onLinkGone(id);
    p.tile.remove();
    this.peers.delete(id);
    layoutGrid(this.grid);
    this.ui.setCount(this.peers.size + 1);
  }

  // ---- modes ---------------------------------------------------------------------
  async onMode(m) {
    if (m.epoch < this.mode.epoch) return;
    const joinedNow = m.joined;
    this.mode = { mode: m.mode, epoch: m.epoch, peer: m.peer || null, offerer: !!m.offerer };
    this.ui.setMode(m.mode);
    if (m.mode === 'sfu') {
      // Data-only links for names: the newcomer offers to everyone present.
      if (joinedNow) for (const id of this.peers.keys()) this.ensureLink(id, true);
      for (const p of this.peers.values()) p.sfuShowing = null;
      if (this.subscriber) this.onSfuTracks(this.subscriber.byParticipant());
      if (!this.publisher && this.self.role !== 'listener') await this.publish();
      return;
    }
    if (!m.peer) return;
    const link = this.ensureLink(m.peer, m.offerer);
    if (link) await link.setMedia(this.self.role !== 'listener', this.localTracks());
    this.showP2p(m.peer);
  }

  localTracks() { return { audio: this.local.audio || null, video: this.local.video || null }; }

  ensureLink(id, offerer) {
    const p = this.peers.get(id);
    if (!p) return null;
    if (p.link && !p.link.closed) return p.link;
    if (!offerer) return null;
    return this.makeLink(id, true);
  }

  makeLink(id, offerer) {
    const p = this.peers.get(id);
    const media = this.mode.mode === 'p2p' && this.mode.peer === id && this.self.role !== 'listener';
    const link = new PeerLink({ selfId: this.self.id, peerId: id, offerer, iceServers: this.p2pIceServers(),
      relayOnly: !!this.relayMode, local: this.localTracks(), mediaOn: media,
      sendSignal: (payload) => this.relay(id, payload) });
    p.link = link;
    link.addEventListener('open', () => link.send(this.hello()));
    link.addEventListener('data', (ev) => this.onData(id, ev.detail));
    link.addEventListener('file', (ev) => { if (p.link === link) this.chat.onFileData(id, ev.detail); });
    link.addEventListener('track', () => { if (this.mode.mode === 'p2p' && this.mode.peer === id) this.showP2p(id); });
    link.addEventListener('state', (ev) => {
      if (ev.detail === 'failed') this.ui.notice(t('err_ice', { name: p.name || t(`role_${p.info.role}`) }));
      if (ev.detail === 'connected') this.ui.clearNotice();
    });
    return link;
  }

  // ICE servers for P2P links; with relay=tcp only TURN over TCP or TLS.
  p2pIceServers() {
    if (this.relayMode !== 'tcp') return this.iceServers;
    return this.iceServers.map((sv) => ({ ...sv, urls: [].concat(sv.urls).filter((u) => /^turns:|transport=tcp/.test(u)) }))
      .filter((sv) => sv.urls.length);
  }

  // Relayed P2P messages are quiet: 'unavailable' (the target's place is held while it
  // reconnects) or 'not_found' (it left) need no notice; the link restarts or goes.
  relay(to, payload) {
    if (payload.kind === 'offer') this.sig.sendQuiet({ type: 'p2p.offer', to, sdp: payload.sdp });
    else if (payload.kind === 'answer') this.sig.sendQuiet({ type: 'p2p.answer', to, sdp: payload.sdp });
    else if (payload.kind === 'ice') this.sig.sendQuiet({ type: 'p2p.candidate', to, candidate: payload.candidate });
  }

  async onP2p(m) {
    const p = this.peers.get(m.from);
    if (!p) return;
    if (m.type === 'p2p.offer' && p.link && p.link.offerer) {
      // Both sides offered (glare): the smaller id keeps its offer.
      if (this.self.id < m.from) return;
      p.link.close();
      this.chat.onLinkGone(m.from);
      p.link = null;
    }
    if (m.type === 'p2p.offer' && (!p.link || p.link.closed)) this.makeLink(m.from, false);
    if (!p.link) return;
    const kind = { 'p2p.offer': 'offer', 'p2p.answer': 'answer', 'p2p.candidate': 'ice' }[m.type];
    await p.link.signal({ kind, sdp: m.sdp, candidate: m.candidate });
  }

  hello() {
    return { type: 'hello', name: this.name, audio: this.local.audio ? this.local.audio.enabled : false,
      video: this.local.video ? this.local.video.enabled : false };
  }

  onData(id, d) {
    const p = this.peers.get(id);
    if (!p || this.chat.onData(id, d)) return;
    if (d.type === 'hello' && typeof d.name === 'string') {
      p.name = d.name.slice(0, 64);
      p.tile.setInfo({ name: p.name, role: p.info.role, audio: p.info.audio, video: p.info.video });
    } else if (d.type === 'p2p-media' && d.need === false && this.mode.mode === 'sfu' && p.link) {
      p.link.setMedia(false);
    }
  }

  // The P2P link's receive tracks as streams, made once per link (the receivers exist as
  // soon as the transceivers do, before any media arrives).
  p2pStreams(link) {
    if (!link.streams) {
      const v = link.videoReceiver();
      const a = link.audioReceiver();
      if (!v && !a) return null;
      link.streams = { video: new MediaStream(v ? [v.track] : []), audio: new MediaStream(a ? [a.track] : []) };
    }
    return link.streams;
  }

  // Shows the P2P path of id once it presents frames, then tells the server (p2p.ready).
  async showP2p(id) {
    const p = this.peers.get(id);
    if (!p || !p.link) return;
    const st = this.p2pStreams(p.link);
    if (!st) return;
    const epoch = this.mode.epoch;
    const hasVideo = p.info.video !== false && st.video.getVideoTracks().length > 0;
    const shown = hasVideo ? await p.tile.show('p2p', st.video, st.audio) : (p.tile.setAudio(st.audio), true);
    if (shown && this.mode.mode === 'p2p' && this.mode.epoch === epoch && this.readySent < epoch) {
      this.readySent = epoch;
      this.sig.send({ type: 'p2p.ready', epoch });
    }
  }

  // ---- SFU -----------------------------------------------------------------------
  async publish() {
    this.publisher = new Publisher({ local: this.localTracks(), iceServers: this.iceServers, signaling: this.sig });
    try {
      await this.publisher.start();
    } catch (e) {
      this.publisher.close();
      this.publisher = null;
      if (e.code === 'state') return;
      if (e.code === 'unavailable' || e.code === 'timeout' || e.code === 'closed') {
        // SFU down or socket gone for a moment: try again while the room is in SFU mode.
        setTimeout(() => { if (this.mode.mode === 'sfu' && !this.publisher) this.publish().catch((x) => this.ui.error(x)); }, 2000);
        return;
      }
      throw e;
    }
  }

  async onSubscribe(m) {
    if (!this.subscriber) {
      this.subscriber = new Subscriber({ iceServers: this.iceServers, signaling: this.sig });
      this.subscriber.addEventListener('tracks', (ev) => this.onSfuTracks(ev.detail));
      this.subscriber.addEventListener('error', (ev) => this.ui.error(ev.detail));
    }
    await this.subscriber.offer(m);
  }

  onSfuTracks(map) {
    if (this.mode.mode !== 'sfu') return;
    for (const [id, r] of map) {
      const p = this.peers.get(id);
      if (!p || p.sfuShowing === r.video) continue;
      p.sfuShowing = r.video;
      const video = new MediaStream(r.video ? [r.video.track] : []);
      const audio = new MediaStream(r.audio ? [r.audio.track] : []);
      const done = r.video ? p.tile.show('sfu', video, audio) : Promise.resolve((p.tile.setAudio(audio), true));
      done.then((ok) => {
        if (ok && this.mode.mode === 'sfu' && p.link) p.link.send({ type: 'p2p-media', need: false });
        if (ok) this.schedulePrefs();
      });
    }
  }

  // Simulcast layer per tile from its size on screen (sfu.preferences): small tiles get
  // the lowest layer, so a full grid on a phone does not pull three 640x360 streams.
  schedulePrefs() {
    clearTimeout(this.prefsTimer);
    this.prefsTimer = setTimeout(() => this.sendPrefs(), 300);
  }

  sendPrefs() {
    if (this.mode.mode !== 'sfu' || !this.subscriber) return;
    for (const [id, p] of this.peers) {
      if (p.tile.source !== 'sfu') continue;
      const h = p.tile.el.clientHeight * (window.devicePixelRatio || 1);
      const layer = h < 200 ? 0 : h < 400 ? 1 : 2;
      if (this.prefs.get(id) === layer) continue;
      this.prefs.set(id, layer);
      this.sig.sendQuiet({ type: 'sfu.preferences', participant: id, max_spatial: layer }, () => this.prefs.delete(id));
    }
  }

  onSfuClosed(m) {
    if ((m.which === 'all' || m.which === 'publish') && this.publisher) {
      this.publisher.close();
      this.publisher = null;
    }
    if ((m.which === 'all' || m.which === 'subscribe') && this.subscriber) {
      this.subscriber.close();
      this.subscriber = null;
      for (const p of this.peers.values()) p.sfuShowing = null;
      this.prefs.clear();
    }
    if (m.which === 'publish' && this.mode.mode === 'sfu' && this.self.role !== 'listener') this.publish().catch((e) => this.ui.error(e));
  }

  onActiveSpeaker(m) {
    for (const [id, p] of this.peers) p.tile.el.classList.toggle('active-speaker', id === m.participant_id);
  }

  // ---- host controls (the server checks the role again) --------------------------------
  mutePeer(id) { return this.sig.request({ type: 'mute-request', participant_id: id }); }

  removeParticipant(id) { return this.sig.request({ type: 'kick', participant_id: id }); }

  endForAll() { this.sig.send({ type: 'end' }); }

  // The host muted our microphone: off until we switch it on again ourselves.
  onMuteRequest() {
    if (!this.local.audio || !this.local.audio.enabled) return;
    this.setAudio(false);
    this.dispatchEvent(new Event('local-state'));
    this.ui.notice(t('muted_by_host'));
  }

  // ---- stats, controls -------------------------------------------------------------
  receiversOf(p) {
    if (p.tile.source === 'sfu' && this.subscriber) {
      const r = this.subscriber.byParticipant().get(p.info.id) || {};
      return { video: r.video || null, audio: r.audio || null };
    }
    if (p.link) return { video: p.link.videoReceiver(), audio: p.link.audioReceiver() };
    return { video: null, audio: null };
  }

  statTargets() {
    const out = new Map();
    for (const [id, p] of this.peers) out.set(id, this.receiversOf(p));
    return out;
  }

  onSample(id, s) {
    const p = this.peers.get(id);
    if (!p) return;
    p.last = s;
    p.tile.setQuality(s.video.framesDecoded || s.audio.totalSamplesReceived ? quality(s.loss, s.rtt) : 'unknown');
    p.tile.setSpeaking(s.audioLevel > 0.05);
  }

  setAudio(on) {
    if (this.local.audio) this.local.audio.enabled = on;
    this.broadcastState();
  }

  setVideo(on) {
    if (this.local.video) this.local.video.enabled = on;
    this.selfTile.el.classList.toggle('camera-off', !on);
    this.broadcastState();
  }

  broadcastState() {
    const audio = this.local.audio ? this.local.audio.enabled : false;
    const video = this.local.video ? this.local.video.enabled : false;
    if (this.self && this.self.role !== 'listener') this.sig.send({ type: 'state', audio, video });
    this.selfTile.setInfo({ name: this.name, role: this.self && this.self.role, audio, video });
    for (const p of this.peers.values()) if (p.link) p.link.send(this.hello());
  }

  leave() {
    this.sig.leave();
    this.poller.stop();
    if (this.meter) this.meter.stop();
    for (const p of this.peers.values()) if (p.link) p.link.close();
    if (this.publisher) this.publisher.close();
    if (this.subscriber) this.subscriber.close();
  }

  // ---- test and diagnostic view ---------------------------------------------------------
  async snapshot(resetGaps = false) {
    const peers = [];
    const sfuRx = this.subscriber ? this.subscriber.byParticipant() : new Map();
    for (const [id, p] of this.peers) {
      const rx = sfuRx.get(id);
      const sfuVideo = rx && rx.video ? await receiverStats(rx.video) : null;
      const pair = p.link && p.link.pc.connectionState !== 'closed' ? await selectedPair(p.link.pc) : null;
      peers.push({ id, role: p.info.role, name: p.name, source: p.tile.source, tile: p.tile.gapStats(resetGaps),
        link: p.link ? { state: p.link.pc.connectionState, mediaOn: p.link.mediaOn, offerer: p.link.offerer, pair } : null,
        video: p.last ? p.last.video : null, audio: p.last ? p.last.audio : null, quality: p.tile.quality,
        sfuVideo: sfuVideo && { framesDecoded: sfuVideo.framesDecoded, packetsReceived: sfuVideo.packetsReceived } });
    }
    return {
      self: this.self, mode: this.mode, chat: await this.chat.summary(),
      localAudio: this.local.audio ? { enabled: this.local.audio.enabled, readyState: this.local.audio.readyState } : null, sig: this.sig.state, peers, selfTile: this.selfTile.gapStats(resetGaps),
      publisher: this.publisher ? { state: this.publisher.pc.connectionState, layers: await this.publisher.layers(),
        pair: await selectedPair(this.publisher.pc) } : null,
      subscriber: this.subscriber ? { state: this.subscriber.pc.connectionState, pair: await selectedPair(this.subscriber.pc),
        revision: this.subscriber.revision, error: this.subscriber.lastError,
        tracks: this.subscriber.pc.getTransceivers().map((x) => ({ mid: x.mid, dir: x.currentDirection,
          ...(this.subscriber.tracks.get(String(x.mid)) || {}) })) } : null,
    };
  }
}
