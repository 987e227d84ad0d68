// ring.js: the ring tone while the practice calls, generated with WebAudio (no audio file):
// two short 425/450 Hz bursts every 3 s. The AudioContext is made during the click on
// "start" (a user gesture), so browsers let it play later without another click.

let ctx = null;
let timer = null;

export function unlock() {
  const AC = window.AudioContext || window.webkitAudioContext;
  if (!ctx && AC) ctx = new AC();
  if (ctx && ctx.state === 'suspended') ctx.resume().catch(() => {});
}

function burst(at, freq) {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0, at);
  gain.gain.linearRampToValueAtTime(0.25, at + 0.03);
  gain.gain.setValueAtTime(0.25, at + 0.35);
  gain.gain.linearRampToValueAtTime(0, at + 0.4);
  osc.connect(gain).connect(ctx.destination);
  osc.start(at);
  osc.stop(at + 0.45);
}

function ringOnce() {
  const now = ctx.currentTime + 0.05;
  burst(now, 425);
  burst(now + 0.55, 450);
}

export function start() {
  unlock();
  if (!ctx || timer) return;
  ringOnce();
  timer = setInterval(ringOnce, 3000);
}

export function stop() {
  if (timer) clearInterval(timer);
  timer = null;
}

export function ringing() { return timer !== null; }
