// sfu_control.mjs: drives konsil-sfu directly over its control API (docs/control-api.md),
// without konsil-signaling: starts the binary on a free port with a unix control socket,
// parses a browser's offer SDP into control-API parameters and writes the SFU's answer
// (ICE-lite, setup:passive, recvonly for publishers, sendonly with a=ssrc for subscribers).
// Minimal munging: only what a real signaling server would also write.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binDir, controlClient, freeMediaPort, startProcess, sleep, pidAlive, onCleanup } from '../../lib/konsil.mjs';

// Starts konsil-sfu; returns {pid, port, ctl, sock, log, stop}. extraArgs go to the binary.
// No --bind-ip unless bindIp is given: the SFU then binds the announced 127.0.0.1 itself
// (on the host Chromium checks from its eth0 address toward 127.0.0.1, and a reply from a
// 0.0.0.0 socket would leave with source 192.0.2.2, which Chromium drops), and
// test_sfu_direct_chromium.mjs checks that peers connect over UDP.
// netns: run it inside that network namespace, announcing announceIp (and binding it).
export async function startSfu({ logLevel = process.env.KN_SFU_LOG || 'info', extraArgs = [], bindIp = null, netns = null, announceIp = '127.0.0.1' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'konsil-sfu-'));
  const sock = join(dir, 'control.sock');
  const log = join(dir, 'sfu.log');
  const port = await freeMediaPort();
  const proc = startProcess(join(binDir, 'konsil-sfu'),
    ['--port', String(port), '--announce-ip', announceIp, ...(bindIp ? ['--bind-ip', bindIp] : []), '--control', `unix:${sock}`, '--log-level', logLevel, ...extraArgs],
    { logFile: log, netns: netns || undefined });
  let ctl;
  for (let i = 0; i < 100 && !ctl; i++) {
    if (!pidAlive(proc.pid)) throw new Error(`konsil-sfu exited; see ${log}`);
    try { ctl = await controlClient(sock); } catch { await sleep(50); }
  }
  if (!ctl) throw new Error(`no control socket at ${sock}`);
  return { ...proc, port, ctl, sock, log };
}

const FB_KEEP = new Set(['nack', 'nack pli', 'ccm fir']);

// Parses the parts of an offer the SFU needs. Returns {ice, fingerprint, setup, media[]}.
export function parseOffer(sdp) {
  const lines = sdp.split(/\r?\n/);
  const out = { media: [] };
  let m = null;
  const attr = (l, name) => (l.startsWith(`a=${name}:`) ? l.slice(name.length + 3) : null);
  for (const l of lines) {
    if (l.startsWith('m=')) {
      m = { kind: l.slice(2).split(' ')[0], codecs: {}, exts: [], ssrcs: [], rids: [], fmtp: {}, fb: {} };
      out.media.push(m);
      continue;
    }
    const tgt = m || out;
    let v;
    if ((v = attr(l, 'ice-ufrag'))) tgt.ufrag = v;
    else if ((v = attr(l, 'ice-pwd'))) tgt.pwd = v;
    else if ((v = attr(l, 'fingerprint'))) { const [a, val] = v.split(' '); tgt.fingerprint = { algorithm: a, value: val }; }
    else if ((v = attr(l, 'setup'))) tgt.setup = v;
    else if (m && (v = attr(l, 'mid'))) m.mid = v;
    else if (m && (v = attr(l, 'rtpmap'))) {
      const [pt, enc] = v.split(' ');
      const [name, clock, ch] = enc.split('/');
      m.codecs[pt] = { pt: Number(pt), name, clock: Number(clock), channels: ch ? Number(ch) : undefined };
    } else if (m && (v = attr(l, 'fmtp'))) { const i = v.indexOf(' '); m.fmtp[v.slice(0, i)] = v.slice(i + 1); }
    else if (m && (v = attr(l, 'rtcp-fb'))) { const i = v.indexOf(' '); (m.fb[v.slice(0, i)] = m.fb[v.slice(0, i)] || []).push(v.slice(i + 1)); }
    else if (m && (v = attr(l, 'extmap'))) { const [id, uri] = v.split(' '); m.exts.push({ id: Number(id.split('/')[0]), uri }); }
    else if (m && (v = attr(l, 'ssrc'))) { const s = Number(v.split(' ')[0]); if (!m.ssrcs.includes(s)) m.ssrcs.push(s); }
    else if (m && (v = attr(l, 'rid'))) m.rids.push(v.split(' ')[0]);
    else if (m && /^a=(sendonly|recvonly|sendrecv|inactive)$/.test(l)) m.direction = l.slice(2);
  }
  for (const mm of out.media) {
    mm.ufrag = mm.ufrag || out.ufrag; mm.pwd = mm.pwd || out.pwd;
    mm.fingerprint = mm.fingerprint || out.fingerprint; mm.setup = mm.setup || out.setup;
  }
  const first = out.media[0];
  return { ice: { ufrag: first.ufrag, pwd: first.pwd }, fingerprint: first.fingerprint, setup: first.setup, media: out.media };
}

// Picks one codec by name (+ its RTX) from a parsed m-section, as control-API codecs.
// extraFb: rtcp-fb values kept besides nack / nack pli / ccm fir (e.g. 'transport-cc').
export function pickCodec(m, name, allowedUris, extraFb = []) {
  const c = Object.values(m.codecs).find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!c) throw new Error(`offer has no ${name} in mid ${m.mid}`);
  const rtx = Object.values(m.codecs).find((x) => x.name === 'rtx' && (m.fmtp[x.pt] || '') === `apt=${c.pt}`);
  const codec = { payload_type: c.pt, name: c.name, clock_rate: c.clock,
    rtcp_fb: (m.fb[c.pt] || []).filter((f) => FB_KEEP.has(f) || extraFb.includes(f)) };
  if (c.channels) codec.channels = c.channels;
  if (rtx) codec.rtx_payload_type = rtx.pt;
  const exts = m.exts.filter((e) => allowedUris.includes(e.uri));
  return { codec, exts, fmtp: m.fmtp[c.pt], rtxPt: rtx ? rtx.pt : null };
}

export const URI = {
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  rid: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  rrid: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
  audioLevel: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  absSendTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  twcc: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
};

// Writes the SFU's answer. sections: [{kind, mid, direction, pick, ssrc?, rtxSsrc?, rids?}].
// rcvrRtt (default true) adds a=rtcp-xr:rcvr-rtt=all to each m-section (media level, where
// Chromium offers it): a receive-only Chromium then sends
// XR RRTR blocks, which konsil-sfu answers with DLRR (RFC 3611) so it learns its RTT.
export function buildAnswer(peer, sections, { rcvrRtt = true } = {}) {
  const fp = peer.dtls.fingerprint;
  const out = ['v=0', 'o=- 4242 2 IN IP4 127.0.0.1', 's=konsil-sfu', 't=0 0',
    `a=group:BUNDLE ${sections.map((s) => s.mid).join(' ')}`, 'a=ice-lite', 'a=msid-semantic: WMS *'];
  for (const s of sections) {
    const { codec, exts, fmtp, rtxPt } = s.pick;
    const pts = [codec.payload_type, ...(rtxPt ? [rtxPt] : [])];
    out.push(`m=${s.kind} 9 UDP/TLS/RTP/SAVPF ${pts.join(' ')}`, 'c=IN IP4 0.0.0.0',
      `a=ice-ufrag:${peer.ice.ufrag}`, `a=ice-pwd:${peer.ice.pwd}`, 'a=ice-options:ice2',
      `a=fingerprint:${fp.algorithm} ${fp.value}`, `a=setup:${peer.dtls.role === 'server' ? 'passive' : 'active'}`,
      `a=mid:${s.mid}`, `a=${s.direction}`, 'a=rtcp-mux', 'a=rtcp-rsize', ...(rcvrRtt ? ['a=rtcp-xr:rcvr-rtt=all'] : []));
    for (const e of exts) out.push(`a=extmap:${e.id} ${e.uri}`);
    const ch = codec.channels ? `/${codec.channels}` : '';
    out.push(`a=rtpmap:${codec.payload_type} ${codec.name}/${codec.clock_rate}${ch}`);
    for (const f of codec.rtcp_fb) out.push(`a=rtcp-fb:${codec.payload_type} ${f}`);
    if (fmtp) out.push(`a=fmtp:${codec.payload_type} ${fmtp}`);
    if (rtxPt) out.push(`a=rtpmap:${rtxPt} rtx/${codec.clock_rate}`, `a=fmtp:${rtxPt} apt=${codec.payload_type}`);
    if (s.rids && s.rids.length) {
      for (const r of s.rids) out.push(`a=rid:${r} recv`);
      out.push(`a=simulcast:recv ${s.rids.join(';')}`);
    }
    if (s.direction === 'sendonly') {
      const track = `${s.kind}-${s.mid}`;
      out.push(`a=msid:konsil ${track}`);
      if (s.ssrc && s.rtxSsrc) out.push(`a=ssrc-group:FID ${s.ssrc} ${s.rtxSsrc}`);
      for (const x of [s.ssrc, s.rtxSsrc].filter(Boolean)) out.push(`a=ssrc:${x} cname:konsil`, `a=ssrc:${x} msid:konsil ${track}`);
    }
    for (const c of peer.candidates) {
      out.push(`a=candidate:${c.foundation} ${c.component} ${c.transport} ${c.priority} ${c.ip} ${c.port} typ ${c.type}${c.tcptype ? ` tcptype ${c.tcptype}` : ''}`);
    }
    out.push('a=end-of-candidates');
  }
  return `${out.join('\r\n')}\r\n`;
}

// peer.create for an offer. The SFU is the DTLS server for actpass/active offers unless
// `role` says otherwise (an answerer may take either role for actpass, RFC 8842 §5.2).
export function createPeer(ctl, room, peer, offer, role) {
  return ctl.request('peer.create', { room, peer, ice: offer.ice,
    dtls: { fingerprint: offer.fingerprint, role: role || (offer.setup === 'passive' ? 'client' : 'server') } });
}

// A blank page on http://127.0.0.1 (a secure context, so getUserMedia exists). Returns its URL.
export function startPageServer() {
  return new Promise((resolve) => {
    const srv = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>konsil-sfu test</title><body></body>');
    });
    srv.listen(0, '127.0.0.1', () => {
      onCleanup(() => new Promise((r) => srv.close(() => r())));
      resolve(`http://127.0.0.1:${srv.address().port}/`);
    });
  });
}

// Page side (a page opened by tests/lib/browsers.mjs): an offer from a new
// RTCPeerConnection registered in knTest.pcs, so kn(page, 'stats', id) works.
// publish: {width, height, rids?} to send camera + mic (rids: simulcast, lowest first),
// or null to receive audio + video.
export async function pageOffer(page, id, publish) {
  return page.evaluate(async ([id, publish]) => {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    window.knTest.pcs[id] = { pc };
    if (publish) {
      const s = await navigator.mediaDevices.getUserMedia({ audio: true,
        video: { width: publish.width || 640, height: publish.height || 480, frameRate: 30 } });
      for (const t of s.getTracks()) {
        const init = { direction: 'sendonly', streams: [s] };
        if (t.kind === 'video' && publish.rids) {
          init.sendEncodings = publish.rids.map((rid, i) => ({ rid, scaleResolutionDownBy: 2 ** (publish.rids.length - 1 - i) }));
        }
        pc.addTransceiver(t, init);
      }
    } else {
      pc.addEventListener('track', (ev) => {
        const el = document.createElement(ev.track.kind);
        el.autoplay = true;
        el.srcObject = new MediaStream([ev.track]);
        document.body.appendChild(el);
        el.play().catch(() => {});
      });
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => {
      if (pc.iceGatheringState === 'complete') return r();
      const t = setTimeout(r, 3000);
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); r(); } });
    });
    return pc.localDescription.sdp;
  }, [id, publish]);
}

export function pageAnswer(page, id, sdp) {
  return page.evaluate(([id, sdp]) => window.knTest.pcs[id].pc.setRemoteDescription({ type: 'answer', sdp }), [id, sdp]);
}


// Publishes the page's camera + mic as producers `${name}-audio` / `${name}-video`.
export async function publishDirect(ctl, room, page, name = 'pub', { width = 640, height = 480, role } = {}) {
  const offer = parseOffer(await pageOffer(page, name, { width, height }));
  const peer = await createPeer(ctl, room, name, offer, role);
  const sections = [];
  for (const m of offer.media) {
    const pick = pickCodec(m, m.kind === 'audio' ? 'opus' : 'VP8', [URI.mid, URI.audioLevel, URI.absSendTime]);
    await ctl.request('producer.create', { room, peer: name, producer: `${name}-${m.kind}`, kind: m.kind,
      mid: m.mid, codecs: [pick.codec], header_extensions: pick.exts });
    sections.push({ kind: m.kind, mid: m.mid, direction: 'recvonly', pick });
  }
  await pageAnswer(page, name, buildAnswer(peer, sections));
  return peer;
}

// Subscribes the page to `${pub}-audio` / `${pub}-video` as consumers `${name}-<kind>`.
// signalSsrc false leaves a=ssrc out of the answer: the browser must demux by the mid
// header extension the SFU writes.
export async function subscribeDirect(ctl, room, page, name, pub = 'pub', { uris = [URI.mid, URI.absSendTime], signalSsrc = true, role, rcvrRtt = true } = {}) {
  const offer = parseOffer(await pageOffer(page, name, null));
  const peer = await createPeer(ctl, room, name, offer, role);
  const sections = [];
  for (const m of offer.media) {
    const pick = pickCodec(m, m.kind === 'audio' ? 'opus' : 'VP8', uris);
    const res = await ctl.request('consumer.create', { room, peer: name, consumer: `${name}-${m.kind}`,
      producer: `${pub}-${m.kind}`, mid: m.mid, codecs: [pick.codec], header_extensions: pick.exts });
    sections.push({ kind: m.kind, mid: m.mid, direction: 'sendonly', pick,
      ...(signalSsrc ? { ssrc: res.ssrc, rtxSsrc: res.rtx_ssrc } : {}) });
  }
  await pageAnswer(page, name, buildAnswer(peer, sections, { rcvrRtt }));
  return peer;
}

// Publishes the page's camera (VP8 simulcast with `rids`, Opus) as producers named by
// kind ('audio', 'video'), with transport-cc so Chrome's estimate can ramp up to the top
// layer. Returns the parsed offer.
export async function publishSimulcast(ctl, room, page, name, { width = 1280, height = 720, rids = ['q', 'h', 'f'] } = {}) {
  const offer = parseOffer(await pageOffer(page, name, { width, height, rids }));
  const peer = await createPeer(ctl, room, name, offer);
  const sections = [];
  for (const m of offer.media) {
    const video = m.kind === 'video';
    const pick = pickCodec(m, video ? 'VP8' : 'opus', [URI.mid, URI.rid, URI.rrid, URI.audioLevel, URI.twcc], ['transport-cc']);
    await ctl.request('producer.create', { room, peer: name, producer: m.kind, kind: m.kind, mid: m.mid,
      codecs: [pick.codec], header_extensions: pick.exts, ...(video ? { encodings: m.rids.map((rid) => ({ rid })) } : {}) });
    sections.push({ kind: m.kind, mid: m.mid, direction: 'recvonly', pick, rids: video ? m.rids : [] });
  }
  await pageAnswer(page, name, buildAnswer(peer, sections));
  return offer;
}

// Subscribes the page to the producers publishSimulcast made, as consumers 'c-audio' /
// 'c-video'. beforeAnswer runs once the consumers exist and before the page gets the answer.
export async function subscribeKinds(ctl, room, page, name, { uris = [URI.mid], feedback, beforeAnswer } = {}) {
  const offer = parseOffer(await pageOffer(page, name, null));
  const peer = await createPeer(ctl, room, name, offer);
  const sections = [];
  for (const m of offer.media) {
    const pick = pickCodec(m, m.kind === 'audio' ? 'opus' : 'VP8', uris, feedback);
    const res = await ctl.request('consumer.create', { room, peer: name, consumer: `c-${m.kind}`,
      producer: m.kind, mid: m.mid, codecs: [pick.codec], header_extensions: pick.exts });
    sections.push({ kind: m.kind, mid: m.mid, direction: 'sendonly', pick, ssrc: res.ssrc, rtxSsrc: res.rtx_ssrc });
  }
  if (beforeAnswer) await beforeAnswer();
  await pageAnswer(page, name, buildAnswer(peer, sections));
}

// The selected candidate pair of a page connection: {protocol, local, remote, tcptype}.
export function selectedPair(page, id) {
  return page.evaluate(async (id) => {
    const rep = await window.knTest.pcs[id].pc.getStats();
    let out = null;
    rep.forEach((s) => {
      if (s.type !== 'transport' || !s.selectedCandidatePairId) return;
      const p = rep.get(s.selectedCandidatePairId);
      const l = p && rep.get(p.localCandidateId), r = p && rep.get(p.remoteCandidateId);
      if (l && r) out = { protocol: l.protocol, tcptype: l.tcpType, local: `${l.address}:${l.port}`,
        remote: `${r.address}:${r.port}`, remoteProtocol: r.protocol };
    });
    return out;
  }, id);
}

// Re-runs this script inside a throwaway loopback-only network namespace (unshare -n)
// unless it already runs in one; returns true in the child, exits with its status in the parent.
export function inLoopbackNamespace() {
  if (process.env.KN_IN_LO_NETNS === '1') {
    execFileSync('ip', ['link', 'set', 'lo', 'up'], { timeout: 5000 });
    return true;
  }
  const r = spawnSync('unshare', ['-n', process.execPath, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, KN_IN_LO_NETNS: '1' } });
  process.exit(r.status === null ? 1 : r.status);
}

// Input-hook nft table in the current namespace dropping UDP to `port` (counted).
// Returns a function reading the number of dropped packets.
export function blockUdpPort(port) {
  const nft = (...a) => execFileSync('nft', a, { timeout: 5000, encoding: 'utf8' });
  nft('add', 'table', 'inet', 'knblock');
  nft('add', 'chain', 'inet', 'knblock', 'in', '{ type filter hook input priority 0; policy accept; }');
  nft('add', 'rule', 'inet', 'knblock', 'in', 'udp', 'dport', String(port), 'counter', 'drop');
  return () => {
    const j = JSON.parse(nft('-j', 'list', 'table', 'inet', 'knblock'));
    const r = j.nftables.find((e) => e.rule);
    const c = r && r.rule.expr.find((x) => x.counter);
    return c ? c.counter.packets : 0;
  };
}

// SFU-as-offerer (subscribe connections, docs/control-api.md "Offer mode"): writes the
// SFU's offer for a peer created without remote parameters. sections: [{kind, mid, codec
// (control-API codec), fmtp?, exts, ssrc, rtxSsrc?}] — the consumers' own codecs and ids,
// which the browser's answer echoes. version: o= session version (+1 per renegotiation).
export function buildOffer(peer, sections, version = 1, { rcvrRtt = true } = {}) {
  const fp = peer.dtls.fingerprint;
  const out = ['v=0', `o=- 4343 ${version} IN IP4 127.0.0.1`, 's=konsil-sfu', 't=0 0',
    `a=group:BUNDLE ${sections.map((s) => s.mid).join(' ')}`, 'a=ice-lite', 'a=msid-semantic: WMS *'];
  for (const s of sections) {
    const c = s.codec;
    const pts = [c.payload_type, ...(c.rtx_payload_type ? [c.rtx_payload_type] : [])];
    out.push(`m=${s.kind} 9 UDP/TLS/RTP/SAVPF ${pts.join(' ')}`, 'c=IN IP4 0.0.0.0',
      `a=ice-ufrag:${peer.ice.ufrag}`, `a=ice-pwd:${peer.ice.pwd}`,
      `a=fingerprint:${fp.algorithm} ${fp.value}`, 'a=setup:actpass',
      `a=mid:${s.mid}`, 'a=sendonly', 'a=rtcp-mux', 'a=rtcp-rsize', ...(rcvrRtt ? ['a=rtcp-xr:rcvr-rtt=all'] : []));
    for (const e of s.exts) out.push(`a=extmap:${e.id} ${e.uri}`);
    const ch = c.channels ? `/${c.channels}` : '';
    out.push(`a=rtpmap:${c.payload_type} ${c.name}/${c.clock_rate}${ch}`);
    for (const f of c.rtcp_fb || []) out.push(`a=rtcp-fb:${c.payload_type} ${f}`);
    if (s.fmtp) out.push(`a=fmtp:${c.payload_type} ${s.fmtp}`);
    if (c.rtx_payload_type) out.push(`a=rtpmap:${c.rtx_payload_type} rtx/${c.clock_rate}`, `a=fmtp:${c.rtx_payload_type} apt=${c.payload_type}`);
    const track = `${s.kind}-${s.mid}`;
    out.push(`a=msid:konsil-${s.mid} ${track}`);
    if (s.ssrc && s.rtxSsrc) out.push(`a=ssrc-group:FID ${s.ssrc} ${s.rtxSsrc}`);
    for (const x of [s.ssrc, s.rtxSsrc].filter(Boolean)) out.push(`a=ssrc:${x} cname:konsil`, `a=ssrc:${x} msid:konsil-${s.mid} ${track}`);
    for (const cand of peer.candidates) {
      out.push(`a=candidate:${cand.foundation} ${cand.component} ${cand.transport} ${cand.priority} ${cand.ip} ${cand.port} typ ${cand.type}${cand.tcptype ? ` tcptype ${cand.tcptype}` : ''}`);
    }
    out.push('a=end-of-candidates');
  }
  return `${out.join('\r\n')}\r\n`;
}

// Page side of an SFU offer: creates the RTCPeerConnection `id` on first use (tracks
// attached to media elements), applies the offer, returns the complete answer SDP.
export function pageAnswerOffer(page, id, sdp) {
  return page.evaluate(async ([id, sdp]) => {
    let entry = window.knTest.pcs[id];
    if (!entry) {
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      entry = window.knTest.pcs[id] = { pc };
      pc.addEventListener('track', (ev) => {
        const el = document.createElement(ev.track.kind);
        el.autoplay = true;
        el.muted = true;
        el.srcObject = new MediaStream([ev.track]);
        document.body.appendChild(el);
        el.play().catch(() => {});
      });
    }
    const { pc } = entry;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise((r) => {
      if (pc.iceGatheringState === 'complete') return r();
      const t = setTimeout(r, 3000);
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); r(); } });
    });
    return pc.localDescription.sdp;
  }, [id, sdp]);
}

// peer.set_remote from a browser's answer: the SFU is DTLS server when the answer says
// a=setup:active (Chromium's choice for an actpass offer), client when passive.
export function setRemoteFromAnswer(ctl, room, peer, answer) {
  return ctl.request('peer.set_remote', { room, peer, ice: answer.ice,
    dtls: { fingerprint: answer.fingerprint, role: answer.setup === 'passive' ? 'client' : 'server' } });
}

// Decoding state of every inbound video stream of page connection `id`, by mid.
export function inboundVideo(page, id) {
  return page.evaluate(async (id) => {
    const rep = await window.knTest.pcs[id].pc.getStats();
    const out = {};
    rep.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        out[s.mid] = { framesDecoded: s.framesDecoded || 0, width: s.frameWidth, height: s.frameHeight,
          freezeCount: s.freezeCount || 0, packetsLost: s.packetsLost, keyFramesDecoded: s.keyFramesDecoded };
      }
    });
    return out;
  }, id);
}
