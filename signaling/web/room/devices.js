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
    // One device missing or busy: try the other alone so the call still works. The
    // stream then carries `missing` ({kind, device: 'camera'|'mic'}) so the page can say
    // which device failed and offer joining with what works.
    const kind = classify(e);
    if ((kind === 'notfound' || kind === 'busy') && video && audio) {
      for (const [only, device] of [[{ video: v, audio: false }, 'mic'], [{ video: false, audio: a }, 'camera']]) {
        try {
          const s = await navigator.mediaDevices.getUserMedia(only);
          return Object.assign(s, { missing: { kind, device } });
        } catch { /* next */ }
      }
    }
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { kind });
  }
}

// The text key for a failure: err_<kind> when nothing works, err_<kind>_<device> when
// only the camera or only the microphone failed.
export function errorKey(kind, device) {
  const k = kind === 'other' || !kind ? 'media_other' : kind;
  return device && (k === 'busy' || k === 'notfound') ? `err_${k}_${device}` : `err_${k}`;
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
// Safari (and Chromium/Firefox under their autoplay rules) start an AudioContext
// suspended until the user interacts: resume it on the first click or key.
export function audioContext() {
  if (!audioCtx) {
    audioCtx = new (window.AudioContext || window.webkitAudioContext)();
    const wake = () => { if (audioCtx.state === 'suspended') audioCtx.resume().catch(() => {}); };
    for (const ev of ['pointerdown', 'keydown', 'touchend']) window.addEventListener(ev, wake, { capture: true, passive: true });
  }
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
  // getFloatTimeDomainData is missing in Safari before 14.1: bytes (128 = silence) there.
  const float = typeof an.getFloatTimeDomainData === 'function';
  const buf = float ? new Float32Array(an.fftSize) : new Uint8Array(an.fftSize);
  let level = 0;
  const timer = setInterval(() => {
    if (float) an.getFloatTimeDomainData(buf); else an.getByteTimeDomainData(buf);
    let sum = 0;
    for (const x of buf) { const y = float ? x : (x - 128) / 128; sum += y * y; }
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

// Routes an <audio>/<video> element to the chosen output where the browser can
// (setSinkId: Chromium/Edge; Firefox only for outputs the user granted; not Safari).
// Returns false where the default output is all there is.
export function setSink(el, sinkId) {
  if (!sinkId || typeof el.setSinkId !== 'function') return false;
  el.setSinkId(sinkId).catch(() => {});
  return true;
}

export function stopStream(stream) {
  if (stream) for (const tr of stream.getTracks()) tr.stop();
}
