// devices.js: camera and microphone access for the room. Opens media with the chosen
// devices, sorts getUserMedia failures into the cases a patient can act on (denied,
// none found, busy, insecure page), lists devices, measures the microphone level and
// plays a short test tone on the chosen speaker.

export async function openMedia({ cameraId, micId, video = true, audio = true } = {}) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
    throw Object.assign(new Error('mediaDevices unavailable'), { kind: window.isSecureContext ? 'notfound' : 'insecure' });
  const v = video ? { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 },
    ...(cameraId ? { deviceId: { exact: cameraId } } : {}) } : false;
  const a = audio ? { echoCancellation: true, noiseSuppression: true, autoGainControl: true,
    ...(micId ? { deviceId: { exact: micId } } : {}) } : false;
  try {
    return await navigator.mediaDevices.getUserMedia({ video: v, audio: a });
  } catch (e) {
    // One device missing or busy: try the other alone so the call still works.
    const kind = classify(e);
    if ((kind === 'notfound' || kind === 'busy') && video && audio) {
      for (const only of [{ video: v, audio: false }, { video: false, audio: a }]) {
        try { return await navigator.mediaDevices.getUserMedia(only); } catch { /* next */ }
      }
    }
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { kind });
  }
}

// Maps a getUserMedia error to denied | notfound | busy | insecure | other.
export function classify(e) {
  const n = e && e.name;
  if (n === 'NotAllowedError' || n === 'PermissionDeniedError' || n === 'SecurityError')
    return window.isSecureContext ? 'denied' : 'insecure';
  if (n === 'NotFoundError' || n === 'DevicesNotFoundError' || n === 'OverconstrainedError') return 'notfound';
  if (n === 'NotReadableError' || n === 'TrackStartError' || n === 'AbortError') return 'busy';
  return 'other';
}

export async function listDevices() {
  const all = await navigator.mediaDevices.enumerateDevices();
  return {
    cameras: all.filter((d) => d.kind === 'videoinput'),
    mics: all.filter((d) => d.kind === 'audioinput'),
    speakers: all.filter((d) => d.kind === 'audiooutput'),
  };
}

let audioCtx = null;
export function audioContext() {
  if (!audioCtx) audioCtx = new (window.AudioContext || window.webkitAudioContext)();
  if (audioCtx.state === 'suspended') audioCtx.resume().catch(() => {});
  return audioCtx;
}

// Level meter: calls onLevel(0..1) about 20 times a second until stop() is called.
export function levelMeter(stream, onLevel) {
  const track = stream.getAudioTracks()[0];
  if (!track) return { stop() {}, level: () => 0 };
  const ctx = audioContext();
  const src = ctx.createMediaStreamSource(new MediaStream([track]));
  const an = ctx.createAnalyser();
  an.fftSize = 512;
  src.connect(an);
  const buf = new Float32Array(an.fftSize);
  let level = 0;
  const timer = setInterval(() => {
    an.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const x of buf) sum += x * x;
    const rms = Math.sqrt(sum / buf.length);
    level = Math.max(Math.min(1, rms * 4), level * 0.85); // short peak hold
    onLevel(level);
  }, 50);
  return {
    level: () => level,
    stop() { clearInterval(timer); src.disconnect(); },
  };
}

// Plays a 440 Hz tone for ~0.6 s on the chosen output (setSinkId where supported).
export async function playTestTone(sinkId) {
  const ctx = audioContext();
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.frequency.value = 440;
  gain.gain.setValueAtTime(0.0001, ctx.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.3, ctx.currentTime + 0.05);
  gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.6);
  osc.connect(gain);
  if (sinkId && typeof HTMLMediaElement.prototype.setSinkId === 'function') {
    const dest = ctx.createMediaStreamDestination();
    gain.connect(dest);
    const el = new Audio();
    el.srcObject = dest.stream;
    await el.setSinkId(sinkId).catch(() => {});
    await el.play().catch(() => {});
    setTimeout(() => { el.srcObject = null; }, 900);
  } else {
    gain.connect(ctx.destination);
  }
  osc.start();
  osc.stop(ctx.currentTime + 0.65);
  return new Promise((r) => { osc.onended = () => r(true); });
}

export function stopStream(stream) {
  if (stream) for (const tr of stream.getTracks()) tr.stop();
}
