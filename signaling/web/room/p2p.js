// p2p.js: one direct RTCPeerConnection to one other participant. It carries a data
// channel (names, mute and camera state: never through the server) and, in P2P mode,
// the media. The participant with the smaller id is the offerer: audio + video
// transceivers (sendrecv) and a pre-negotiated data channel (id 0), so switching media
// on or off later is replaceTrack without renegotiation. The server relays SDP and
// candidates without reading them. A second pre-negotiated channel (id 1,
// 'konsil-file', binary) carries file transfers (chat.js), so a large file never delays
// names, state or chat on channel 0.
//
// Negotiation: only the offerer creates offers, one at a time. Every relayed message is
// handled strictly in order (one queue per link), so candidates never overtake the
// description they belong to. ICE restarts: either side may need one (connection
// 'failed' or unconnected for 15 s, then again every 4-10 s while not connected); the answerer asks the offerer
// over signaling (the data channel may never have opened). A restart wanted while an
// offer is outstanding waits for its answer (or replaces it after a rollback when no
// answer came for 8 s); a request that arrives within 5 s of a restart offer is the
// same failure and is not answered with another offer. Crossing restart offers
// (answer 1 applied to offer 2) left the offerer with the answerer's old ICE
// credentials: the answerer saw ICE connected, the offerer never selected a pair.
// Candidates that arrive while the offerer waits for an answer are held and added after
// the new remote description.

const RETRY_MIN_MS = 4000;
const RETRY_MAX_MS = 10000;
const OFFER_LOST_MS = 8000;
const SAME_FAILURE_MS = 5000;
const STUCK_MS = 15000; // unconnected this long without 'failed': restart ICE too
const MAX_PENDING_ICE = 200;

const fingerprint = (sdp) => ((sdp || '').match(/a=fingerprint:(\S+ \S+)/) || [])[1] || '';

export class PeerLink extends EventTarget {
  // opts: {selfId, peerId, offerer, mediaOn, iceServers, relayOnly, sendSignal(payload), local: {audio, video}}
  constructor(opts) {
    super();
    this.o = opts;
    this.offerer = !!opts.offerer;
    this.pendingIce = [];
    this.remoteSet = false;
    this.mediaOn = !!opts.mediaOn;
    this.closed = false;
    this.restarts = 0;
    this.queue = Promise.resolve();
    this.offerAt = 0; // when the latest offer was sent
    this.offerRestart = false; // whether it restarted ICE
    this.restartWanted = false; // an ICE restart waits for the outstanding answer
    this.retryMs = RETRY_MIN_MS;
    this.watch = null;
    this.everOpen = false; // the data channel was open once (a path worked)
    this.makePc();
    this.armWatch(STUCK_MS);
    if (this.offerer) this.enqueue(async () => { await this.applyTracks(); await this.offer(false); });
  }

  // A new RTCPeerConnection with both data channels (and, offerer, the transceivers).
  // Events of a replaced connection are ignored.
  makePc() {
    const pc = new RTCPeerConnection({
      iceServers: this.o.iceServers || [],
      iceTransportPolicy: this.o.relayOnly ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
    });
    const mine = (fn) => (ev) => { if (pc === this.pc) fn(ev); };
    this.pc = pc;
    this.dc = pc.createDataChannel('konsil', { negotiated: true, id: 0 });
    this.dc.onmessage = mine((ev) => this.onData(ev.data));
    this.dc.onopen = mine(() => { this.everOpen = true; this.dispatchEvent(new Event('open')); });
    this.fileDc = pc.createDataChannel('konsil-file', { negotiated: true, id: 1 });
    this.fileDc.binaryType = 'arraybuffer';
    this.fileDc.onmessage = mine((ev) => this.dispatchEvent(new CustomEvent('file', { detail: ev.data })));
    pc.onicecandidate = mine((ev) => this.o.sendSignal({ kind: 'ice', candidate: ev.candidate ? ev.candidate.toJSON() : null }));
    pc.ontrack = mine((ev) => this.dispatchEvent(new CustomEvent('track', { detail: ev.track })));
    pc.onconnectionstatechange = mine(() => this.onState());
    this.remoteSet = false;
    this.pendingIce = [];
    this.streams = null; // call.js: receive streams of the previous connection
    this.audioTx = this.videoTx = null;
    if (this.offerer) {
      this.audioTx = pc.addTransceiver('audio', { direction: 'sendrecv' });
      this.videoTx = pc.addTransceiver('video', { direction: 'sendrecv' });
    }
  }

  // Replaces a connection on which no path ever worked: an ICE restart there brought
  // ICE (and DTLS) up, but the offerer's media and the data channel never flowed
  // (Chromium answerer, Firefox offerer). A new connection is a new DTLS session.
  async rebuild() {
    const old = this.pc;
    for (const c of [this.dc, this.fileDc]) try { c.close(); } catch { /* closed */ }
    this.makePc();
    old.close();
    if (this.mediaOn || this.offerer) await this.applyTracks();
  }

  // Runs fn after everything queued before it (errors end that step only).
  enqueue(fn) {
    const run = this.queue.then(() => (this.closed ? undefined : fn()));
    this.queue = run.catch(() => {});
    return run;
  }

  // Offerer: creates and sends one offer (none may be outstanding).
  async offer(iceRestart) {
    const offer = await this.pc.createOffer({ iceRestart });
    await this.pc.setLocalDescription(offer);
    this.offerAt = Date.now();
    this.offerRestart = iceRestart;
    this.o.sendSignal({ kind: 'offer', sdp: this.pc.localDescription.sdp });
  }

  // Offerer: an ICE restart, now or after the outstanding answer. fromPeer: asked by
  // the answerer.
  async offerRestartNow(fromPeer) {
    const age = Date.now() - this.offerAt;
    if (this.pc.signalingState === 'have-local-offer') {
      if (age < OFFER_LOST_MS) {
        if (!this.offerRestart) this.restartWanted = true;
        return;
      }
      if (this.everOpen) await this.pc.setLocalDescription({ type: 'rollback' }); // offer or answer lost
    } else if (fromPeer && this.offerRestart && age < SAME_FAILURE_MS) {
      return;
    }
    this.restartWanted = false;
    if (this.everOpen) {
      await this.offer(true);
    } else {
      await this.rebuild();
      await this.offer(false);
      this.offerRestart = true;
    }
  }

  // Handles a relayed payload from the other participant (in arrival order).
  signal(msg) {
    return this.enqueue(() => this.onSignal(msg));
  }

  async onSignal(msg) {
    if (msg.kind === 'offer' && !this.offerer) {
      if (this.remoteSet && fingerprint(msg.sdp) !== fingerprint(this.pc.remoteDescription.sdp)) await this.rebuild();
      await this.pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
      this.remoteSet = true;
      const [a, v] = this.pc.getTransceivers();
      this.audioTx = this.audioTx || a;
      this.videoTx = this.videoTx || v;
      for (const tx of [this.audioTx, this.videoTx]) if (tx) tx.direction = 'sendrecv';
      if (this.mediaOn) await this.applyTracks();
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      this.o.sendSignal({ kind: 'answer', sdp: this.pc.localDescription.sdp });
      await this.flushIce();
    } else if (msg.kind === 'answer' && this.offerer) {
      if (this.pc.signalingState !== 'have-local-offer') return; // stale or duplicate
      await this.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
      this.remoteSet = true;
      await this.flushIce();
      if (this.restartWanted) await this.offerRestartNow(false);
    } else if (msg.kind === 'ice' && msg.candidate && msg.candidate.konsilRestart) {
      if (this.offerer) await this.offerRestartNow(true);
    } else if (msg.kind === 'ice' && msg.candidate) {
      if (this.waitsForRemote()) this.holdIce(msg.candidate);
      else await this.pc.addIceCandidate(msg.candidate).catch(() => {});
    }
  }

  // True while a candidate may belong to a remote description not applied yet.
  waitsForRemote() {
    return !this.remoteSet || (this.offerer && this.pc.signalingState === 'have-local-offer');
  }

  holdIce(c) {
    this.pendingIce.push(c);
    if (this.pendingIce.length > MAX_PENDING_ICE) this.pendingIce.shift();
  }

  // Adds the held candidates; those of an older ICE generation fail and are dropped.
  async flushIce() {
    const q = this.pendingIce.splice(0);
    for (const c of q) await this.pc.addIceCandidate(c).catch(() => {});
  }

  // Sends our camera and microphone (on) or nothing (off) over this link.
  async setMedia(on, local) {
    this.mediaOn = on;
    if (local) this.o.local = local;
    await this.applyTracks();
  }

  async applyTracks() {
    const l = this.o.local || {};
    if (this.audioTx) await this.audioTx.sender.replaceTrack(this.mediaOn ? l.audio || null : null);
    if (this.videoTx) await this.videoTx.sender.replaceTrack(this.mediaOn ? l.video || null : null);
  }

  onState() {
    const s = this.pc.connectionState;
    this.dispatchEvent(new CustomEvent('state', { detail: s }));
    if (s === 'connected') {
      this.retryMs = RETRY_MIN_MS;
      clearTimeout(this.watch);
      this.watch = null;
    } else if (s === 'failed') {
      this.restart();
    } else if (!this.watch) {
      this.armWatch(STUCK_MS); // 'connecting' may last forever (Chromium, TURN down)
    }
  }

  // Restarts ICE after ms unless the connection is connected by then.
  armWatch(ms) {
    clearTimeout(this.watch);
    this.watch = setTimeout(() => {
      this.watch = null;
      if (!this.closed && this.pc.connectionState !== 'connected') this.restart();
    }, ms);
  }

  // ICE restart: the offerer re-offers with new credentials; the answerer asks it to.
  // Repeats with backoff while the connection stays unconnected (a TURN server that
  // comes back, a network that changes), until it connects.
  restart() {
    if (this.closed) return;
    this.restarts++;
    if (this.offerer) this.enqueue(() => this.offerRestartNow(false));
    else this.o.sendSignal({ kind: 'ice', candidate: { konsilRestart: true } });
    this.armWatch(this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  send(obj) {
    if (this.dc.readyState === 'open') this.dc.send(JSON.stringify(obj));
  }

  onData(data) {
    let m;
    try { m = JSON.parse(data); } catch { return; }
    if (m && typeof m === 'object') this.dispatchEvent(new CustomEvent('data', { detail: m }));
  }

  // Receivers by kind (the answerer's transceivers appear during setRemoteDescription,
  // before audioTx/videoTx are assigned).
  receiver(kind) {
    const tx = (kind === 'video' ? this.videoTx : this.audioTx) ||
      this.pc.getTransceivers().find((x) => x.receiver.track && x.receiver.track.kind === kind);
    return tx ? tx.receiver : null;
  }

  videoReceiver() { return this.receiver('video'); }
  audioReceiver() { return this.receiver('audio'); }

  close() {
    this.closed = true;
    clearTimeout(this.watch);
    try { this.dc.close(); } catch { /* closed */ }
    try { this.fileDc.close(); } catch { /* closed */ }
    this.pc.close();
  }
}
