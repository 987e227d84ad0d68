// sfu.js: the two connections to konsil-sfu in SFU mode. Publish: the client offers
// (sendonly audio + video, VP8 simulcast by rid q/h/f at 1/4, 1/2, 1/1 where the browser
// accepts sendEncodings) and gets the answer in sfu.publish.answer. Subscribe: the
// server offers (sfu.subscribe, renegotiated as publishers come and go), the client
// answers; `tracks` maps each mid to a participant. A closed subscribe connection lingers
// (see Subscriber.close) so tiles keep their last picture until the next path shows.

import { attachDynacast } from './dynacast.js';

const SIMULCAST = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1500000 },
];

function preferVp8(tx) {
  const caps = window.RTCRtpReceiver && RTCRtpReceiver.getCapabilities && RTCRtpReceiver.getCapabilities('video');
  if (!caps || typeof tx.setCodecPreferences !== 'function') return;
  const vp8 = caps.codecs.filter((c) => /vp8/i.test(c.mimeType));
  const rtx = caps.codecs.filter((c) => /rtx/i.test(c.mimeType));
  if (vp8.length) { try { tx.setCodecPreferences([...vp8, ...rtx]); } catch { /* keep default */ } }
}

export class Publisher {
  // local: {audio, video} tracks (either may be null). iceServers from the join reply.
  constructor({ local, iceServers, signaling, simulcast = true }) {
    this.sig = signaling;
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [], bundlePolicy: 'max-bundle' });
    this.audioTx = this.pc.addTransceiver(local.audio || 'audio', { direction: 'sendonly' });
    const video = local.video || 'video';
    let enc = null;
    if (simulcast) {
      try {
        this.videoTx = this.pc.addTransceiver(video, { direction: 'sendonly', sendEncodings: SIMULCAST });
        enc = SIMULCAST;
      } catch { this.videoTx = null; }
    }
    if (!this.videoTx) this.videoTx = this.pc.addTransceiver(video, { direction: 'sendonly' });
    this.simulcast = !!enc;
    preferVp8(this.videoTx);
    this.dynacast = attachDynacast(this);
  }

  async start() {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const reply = await this.sig.request({ type: 'sfu.publish', sdp: this.pc.localDescription.sdp }, 20000);
    await this.pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
  }

  async setTracks(local) {
    await this.audioTx.sender.replaceTrack(local.audio || null);
    await this.videoTx.sender.replaceTrack(local.video || null);
  }

  // Simulcast layers the browser is really sending (for tests and diagnostics).
  async layers() {
    const st = await this.pc.getStats();
    const out = [];
    st.forEach((r) => {
      if (r.type === 'outbound-rtp' && r.kind === 'video')
        out.push({ rid: r.rid || null, framesEncoded: r.framesEncoded || 0, width: r.frameWidth || 0, height: r.frameHeight || 0 });
    });
    return out;
  }

  close() { this.pc.close(); }
}

export class Subscriber extends EventTarget {
  static LINGER_MS = 10000;

  constructor({ iceServers, signaling }) {
    super();
    this.sig = signaling;
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [], bundlePolicy: 'max-bundle' });
    this.tracks = new Map(); // mid -> {participant, kind}
    this.queue = Promise.resolve();
    this.pc.ontrack = (ev) => this.emitTracks();
    this.pc.onconnectionstatechange = () =>
      this.dispatchEvent(new CustomEvent('state', { detail: this.pc.connectionState }));
  }

  // Applies one sfu.subscribe offer; offers are handled strictly in order.
  offer(m) {
    this.queue = this.queue.then(() => this.apply(m)).catch((e) => {
      this.lastError = `revision ${m.revision}: ${e && e.message}`;
      this.dispatchEvent(new CustomEvent('error', { detail: e }));
    });
    return this.queue;
  }

  async apply(m) {
    this.tracks.clear();
    for (const t of m.tracks || []) this.tracks.set(String(t.mid), { participant: t.participant, kind: t.kind });
    await this.pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    this.sig.send({ type: 'sfu.subscribe.answer', revision: m.revision, sdp: this.pc.localDescription.sdp });
    this.revision = m.revision;
    this.emitTracks();
  }

  // participant id -> {audio: receiver, video: receiver} for the live m-lines.
  byParticipant() {
    const out = new Map();
    for (const tx of this.pc.getTransceivers()) {
      const info = tx.mid !== null ? this.tracks.get(String(tx.mid)) : null;
      if (!info || !info.participant || tx.currentDirection === 'inactive' || tx.stopped) continue;
      const e = out.get(info.participant) || {};
      e[info.kind] = tx.receiver;
      out.set(info.participant, e);
    }
    return out;
  }

  emitTracks() { this.dispatchEvent(new CustomEvent('tracks', { detail: this.byParticipant() })); }

  // Closing a connection ends its received tracks, and Chromium then blanks the <video>
  // showing them. After sfu.closed (SFU process lost, peer expired, back to P2P) the tiles
  // keep that video until the next path presents frames (make-before-break, tiles.js), so
  // the connection stays open, silent and without events, for LINGER_MS before it closes.
  close() {
    if (this.closed) return;
    this.closed = true;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    const pc = this.pc;
    setTimeout(() => pc.close(), Subscriber.LINGER_MS);
  }
}
