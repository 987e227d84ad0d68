// stats.js: reads getStats of the receivers behind each tile once a second: loss and
// round-trip time give the quality dot, audioLevel the speaking ring, framesDecoded and
// frame rate feed the test hooks. Also finds the selected ICE candidate pair of a
// connection (P2P proof in tests, relay/TCP diagnostics).
// The poller's counters are monotonic per participant: an inbound-rtp that is replaced
// (new SSRC on the same track, a receiver swapped between P2P and SFU) starts a new
// entry keyed by track, mid and SSRC, and only forward steps of each entry are added,
// so a replaced entry never makes a frame rate negative.

export async function receiverStats(receiver) {
  const out = { framesDecoded: 0, packetsReceived: 0, packetsLost: 0, audioLevel: 0, totalAudioEnergy: 0,
    totalSamplesReceived: 0, rtt: null, fps: 0, width: 0, height: 0, entries: [] };
  if (!receiver) return out;
  const st = await receiver.getStats();
  st.forEach((r) => {
    if (r.type === 'inbound-rtp') {
      out.entries.push({ key: `${r.kind}|${r.trackIdentifier || (receiver.track && receiver.track.id) || ''}|${r.mid ?? ''}|${r.ssrc}`,
        framesDecoded: r.framesDecoded || 0, packetsReceived: r.packetsReceived || 0, packetsLost: Math.max(0, r.packetsLost || 0),
        totalSamplesReceived: r.totalSamplesReceived || 0, totalAudioEnergy: r.totalAudioEnergy || 0 });
      out.packetsReceived += r.packetsReceived || 0;
      out.packetsLost += r.packetsLost || 0;
      if (r.kind === 'video') {
        out.framesDecoded += r.framesDecoded || 0;
        out.fps = r.framesPerSecond || out.fps;
        out.width = r.frameWidth || out.width;
        out.height = r.frameHeight || out.height;
      } else {
        out.audioLevel = Math.max(out.audioLevel, r.audioLevel || 0);
        out.totalAudioEnergy += r.totalAudioEnergy || 0;
        out.totalSamplesReceived += r.totalSamplesReceived || 0;
      }
    } else if (r.type === 'candidate-pair' && (r.nominated || r.selected) && r.state === 'succeeded') {
      if (typeof r.currentRoundTripTime === 'number') out.rtt = r.currentRoundTripTime;
    }
  });
  return out;
}

// Quality from loss (fraction over the last interval) and RTT (seconds).
export function quality(loss, rtt) {
  if (loss === null && rtt === null) return 'unknown';
  if ((loss || 0) > 0.08 || (rtt || 0) > 0.6) return 'poor';
  if ((loss || 0) > 0.02 || (rtt || 0) > 0.3) return 'fair';
  return 'good';
}

// The selected candidate pair of pc: {local:{type,protocol,address,port,relayProtocol}, remote:{…}}.
export async function selectedPair(pc) {
  const st = await pc.getStats();
  let pairId = null;
  const byId = new Map();
  st.forEach((r) => {
    byId.set(r.id, r);
    if (r.type === 'transport' && r.selectedCandidatePairId) pairId = r.selectedCandidatePairId;
  });
  if (!pairId) st.forEach((r) => { if (r.type === 'candidate-pair' && r.selected) pairId = r.id; });
  if (!pairId) st.forEach((r) => { if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pairId = r.id; });
  const pair = pairId && byId.get(pairId);
  if (!pair) return null;
  const c = (id) => {
    const x = byId.get(id) || {};
    return { type: x.candidateType, protocol: x.protocol, address: x.address || x.ip, port: x.port, relayProtocol: x.relayProtocol };
  };
  return { local: c(pair.localCandidateId), remote: c(pair.remoteCandidateId), rtt: pair.currentRoundTripTime };
}

const COUNTERS = ['framesDecoded', 'packetsReceived', 'packetsLost', 'totalSamplesReceived', 'totalAudioEnergy'];

// Running totals per participant over every inbound-rtp entry seen: {last: Map(key ->
// entry), sum: {counter -> total}}. A new entry counts from zero (a new SSRC's counters
// start there); within one entry only forward steps count.
function accumulate(acc, stats) {
  for (const e of stats.entries) {
    const prev = acc.last.get(e.key);
    for (const c of COUNTERS) {
      acc.sum[c] += Math.max(0, prev ? e[c] - prev[c] : e[c]);
    }
    acc.last.set(e.key, e);
  }
  if (acc.last.size > 32) acc.last = new Map([...acc.last].slice(-16));
  return { ...stats, ...acc.sum, entries: undefined };
}

const newAcc = () => ({ last: new Map(), sum: Object.fromEntries(COUNTERS.map((c) => [c, 0])) });

// Per-receiver poller: calls onSample(id, sample) with deltas every interval.
export class Poller {
  constructor(intervalMs, getTargets, onSample) {
    this.prev = new Map();
    this.acc = new Map(); // participant id -> {video, audio} running totals
    this.timer = setInterval(() => this.tick(getTargets(), onSample).catch(() => {}), intervalMs);
  }

  async tick(targets, onSample) {
    for (const id of [...this.acc.keys()]) if (!targets.has(id)) this.acc.delete(id);
    for (const [id, { video, audio }] of targets) {
      if (!this.acc.has(id)) this.acc.set(id, { video: newAcc(), audio: newAcc() });
      const acc = this.acc.get(id);
      const [rv, ra] = await Promise.all([receiverStats(video), receiverStats(audio)]);
      const v = accumulate(acc.video, rv);
      const a = accumulate(acc.audio, ra);
      const p = this.prev.get(id);
      const pk = v.packetsReceived + a.packetsReceived;
      const lost = v.packetsLost + a.packetsLost;
      let loss = null;
      if (p && pk + lost - p.pk - p.lost > 0) loss = Math.max(0, (lost - p.lost) / (pk + lost - p.pk - p.lost));
      this.prev.set(id, { pk, lost });
      onSample(id, { loss, rtt: v.rtt ?? a.rtt, audioLevel: a.audioLevel, video: v, audio: a });
    }
  }

  stop() { clearInterval(this.timer); }
}
