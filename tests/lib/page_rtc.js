/*
 * page_rtc.js: WebRTC helpers injected into a browser page (Chromium or Firefox) by
 * tests/lib/browsers.mjs. Defines window.knTest with WHIP publish, WHEP subscribe, a local
 * answerer (used to validate the harness without a server) and a compact getStats
 * summary. Non-trickle: the offer is sent after ICE gathering completes (or after a
 * short bound); the server's answer carries its candidates. Classic script, no imports.
 */
(() => {
  if (window.knTest) return;
  const pcs = {};
  let nextId = 1;

  function gatheringDone(pc, ms) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); }
      });
    });
  }

  function attach(pc, id) {
    pc.addEventListener('track', (ev) => {
      const el = document.createElement(ev.track.kind === 'video' ? 'video' : 'audio');
      el.autoplay = true;
      el.playsInline = true;
      el.id = `kn-${id}-${ev.track.kind}`;
      el.srcObject = ev.streams[0] || new MediaStream([ev.track]);
      document.body.appendChild(el);
      el.play().catch(() => {});
    });
  }

  async function post(url, token, sdp) {
    const headers = { 'Content-Type': 'application/sdp' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(url, { method: 'POST', headers, body: sdp });
    const text = await res.text();
    if (res.status !== 201 && res.status !== 200)
      throw new Error(`POST ${url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    const loc = res.headers.get('Location');
    return { sdp: text, location: loc ? new URL(loc, url).href : null };
  }

  async function media(o) {
    return navigator.mediaDevices.getUserMedia({
      audio: o.audio === false ? false : true,
      video: { width: o.width || 640, height: o.height || 480, frameRate: o.fps || 30 },
    });
  }

  // Publishes camera + mic over WHIP. Returns the connection id.
  async function publish(o) {
    const id = `p${nextId++}`;
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    const stream = await media(o);
    for (const t of stream.getTracks()) pc.addTransceiver(t, { direction: 'sendonly', streams: [stream] });
    await pc.setLocalDescription(await pc.createOffer());
    await gatheringDone(pc, o.gatherMs || 3000);
    const ans = await post(o.url, o.token, pc.localDescription.sdp);
    await pc.setRemoteDescription({ type: 'answer', sdp: ans.sdp });
    pcs[id] = { pc, location: ans.location, offer: pc.localDescription.sdp, answer: ans.sdp };
    return id;
  }

  // Subscribes over WHEP (client offer, recvonly audio + video). Returns the id.
  async function subscribe(o) {
    const id = `s${nextId++}`;
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    attach(pc, id);
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await gatheringDone(pc, o.gatherMs || 3000);
    const ans = await post(o.url, o.token, pc.localDescription.sdp);
    await pc.setRemoteDescription({ type: 'answer', sdp: ans.sdp });
    pcs[id] = { pc, location: ans.location, offer: pc.localDescription.sdp, answer: ans.sdp };
    return id;
  }

  // Answers a remote offer locally (harness validation without a server).
  // send: attach camera + mic; otherwise receive only.
  async function answer(o) {
    const id = `a${nextId++}`;
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    attach(pc, id);
    await pc.setRemoteDescription({ type: 'offer', sdp: o.sdp });
    if (o.send) {
      const stream = await media(o);
      const trs = pc.getTransceivers();
      for (const t of stream.getTracks()) {
        const tr = trs.find((x) => x.receiver.track.kind === t.kind);
        await tr.sender.replaceTrack(t);
        tr.direction = 'sendonly';
      }
    }
    await pc.setLocalDescription(await pc.createAnswer());
    await gatheringDone(pc, o.gatherMs || 3000);
    pcs[id] = { pc };
    return { id, sdp: pc.localDescription.sdp };
  }

  async function hangup(id) {
    const c = pcs[id];
    if (!c) return;
    c.pc.close();
    if (c.location) await fetch(c.location, { method: 'DELETE' }).catch(() => {});
    delete pcs[id];
  }

  function pick(s, keys) {
    const o = {};
    for (const k of keys) if (s[k] !== undefined) o[k] = s[k];
    return o;
  }

  // Compact stats of one connection: summed inbound/outbound per kind plus transport.
  async function stats(id) {
    const c = pcs[id];
    if (!c) throw new Error(`no connection ${id}`);
    const rep = await c.pc.getStats();
    const out = { t: performance.now(), state: c.pc.connectionState, in: {}, out: {}, transport: {} };
    const add = (dst, s, keys) => {
      for (const k of keys) if (typeof s[k] === 'number') dst[k] = (dst[k] || 0) + s[k];
    };
    rep.forEach((s) => {
      if (s.type === 'inbound-rtp') {
        const d = (out.in[s.kind] = out.in[s.kind] || {});
        add(d, s, ['packetsReceived', 'packetsLost', 'bytesReceived', 'framesDecoded', 'framesDropped',
          'freezeCount', 'totalFreezesDuration', 'nackCount', 'pliCount', 'totalSamplesReceived',
          'concealedSamples', 'totalAudioEnergy']);
        Object.assign(d, pick(s, ['frameWidth', 'frameHeight', 'framesPerSecond', 'jitter']));
      } else if (s.type === 'outbound-rtp') {
        const d = (out.out[s.kind] = out.out[s.kind] || {});
        add(d, s, ['packetsSent', 'bytesSent', 'framesEncoded', 'retransmittedPacketsSent', 'nackCount']);
        Object.assign(d, pick(s, ['frameWidth', 'frameHeight', 'qualityLimitationReason']));
      } else if (s.type === 'transport') {
        Object.assign(out.transport, pick(s, ['dtlsState', 'srtpCipher', 'dtlsCipher', 'tlsVersion',
          'selectedCandidatePairId']));
      }
    });
    const pairId = out.transport.selectedCandidatePairId;
    if (pairId && rep.get(pairId)) {
      const p = rep.get(pairId);
      const l = rep.get(p.localCandidateId), r = rep.get(p.remoteCandidateId);
      out.transport.pair = `${l ? (l.address || l.ip) + ':' + l.port : '?'} -> ${r ? (r.address || r.ip) + ':' + r.port : '?'}`;
    }
    return out;
  }

  // SDP and resource URL of one connection.
  function info(id) {
    const c = pcs[id];
    return c ? { offer: c.offer, answer: c.answer, location: c.location } : null;
  }

  window.knTest = { publish, subscribe, answer, hangup, stats, info, pcs };
})();
