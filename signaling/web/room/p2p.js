// p2p.js: one direct RTCPeerConnection to one other participant. It carries a data
// channel (names, mute and camera state: never through the server) and, in P2P mode,
// the media. The participant with the smaller id offers once: audio + video
// transceivers (sendrecv) and a pre-negotiated data channel (id 0), so switching media
// on or off later is replaceTrack without renegotiation. ICE restarts (offerer only)
// recover from network changes; the answerer asks for one via the data channel or
// signaling. The server relays SDP and candidates without reading them. A second
// pre-negotiated channel (id 1, 'konsil-file', binary) carries file transfers (chat.js),
// so a large file never delays names, state or chat on channel 0.

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
    this.pc = new RTCPeerConnection({
      iceServers: opts.iceServers || [],
      iceTransportPolicy: opts.relayOnly ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
    });
    this.dc = this.pc.createDataChannel('konsil', { negotiated: true, id: 0 });
    this.dc.onmessage = (ev) => this.onData(ev.data);
    this.dc.onopen = () => this.dispatchEvent(new Event('open'));
    this.fileDc = this.pc.createDataChannel('konsil-file', { negotiated: true, id: 1 });
    this.fileDc.binaryType = 'arraybuffer';
    this.fileDc.onmessage = (ev) => this.dispatchEvent(new CustomEvent('file', { detail: ev.data }));
    this.pc.onicecandidate = (ev) => this.o.sendSignal({ kind: 'ice', candidate: ev.candidate ? ev.candidate.toJSON() : null });
    this.pc.ontrack = (ev) => this.dispatchEvent(new CustomEvent('track', { detail: ev.track }));
    this.pc.onconnectionstatechange = () => this.onState();
    if (this.offerer) {
      this.audioTx = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
      this.videoTx = this.pc.addTransceiver('video', { direction: 'sendrecv' });
      this.applyTracks().then(() => this.negotiate(false)).catch(() => {});
    }
  }

  async negotiate(iceRestart) {
    if (this.closed) return;
    const offer = await this.pc.createOffer({ iceRestart });
    await this.pc.setLocalDescription(offer);
    this.o.sendSignal({ kind: 'offer', sdp: this.pc.localDescription.sdp });
  }

  // Handles a relayed payload from the other participant.
  async signal(msg) {
    if (this.closed) return;
    if (msg.kind === 'offer' && !this.offerer) {
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
      if (this.pc.signalingState !== 'have-local-offer') return;
      await this.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
      this.remoteSet = true;
      await this.flushIce();
    } else if (msg.kind === 'ice' && msg.candidate && msg.candidate.konsilRestart) {
      if (this.offerer) this.restart();
    } else if (msg.kind === 'ice') {
      if (!msg.candidate) return;
      if (this.remoteSet) await this.pc.addIceCandidate(msg.candidate).catch(() => {});
      else this.pendingIce.push(msg.candidate);
    }
  }

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
    if (s === 'failed') this.restart();
  }

  // ICE restart: the offerer re-offers with new credentials; the answerer asks it to.
  restart() {
    if (this.closed) return;
    this.restarts++;
    if (this.offerer) this.negotiate(true).catch(() => {});
    else this.o.sendSignal({ kind: 'ice', candidate: { konsilRestart: true } });
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
    try { this.dc.close(); } catch { /* closed */ }
    try { this.fileDc.close(); } catch { /* closed */ }
    this.pc.close();
  }
}
