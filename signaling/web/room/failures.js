// failures.js: the room's failure paths that are not a single error reply: the texts for
// a camera or microphone that failed alone (busy, missing) and for a media connection
// that cannot be made, and the watchdog that notices the latter. A media connection (the
// P2P link while it carries media, the SFU publish and subscribe connections) that has
// not been connected for CONNECT_FAIL_MS means every path failed (UDP, TURN over UDP/TCP,
// the SFU's ICE-TCP): the page then says so with guidance for firewalled networks and a
// retry (a fresh join, main.js), while the connections keep trying in the background.

import { addTexts } from './i18n.js';

export const CONNECT_FAIL_MS = 15000;

addTexts({
  de: {
    err_busy_camera: 'Ihre Kamera wird gerade von einem anderen Programm benutzt (z. B. einer anderen Videokonferenz). Schließen Sie dieses Programm und klicken Sie auf „Erneut versuchen“ – oder treten Sie nur mit Mikrofon bei.',
    err_notfound_camera: 'Es wurde keine Kamera gefunden. Sie können nur mit Mikrofon beitreten oder eine Kamera anschließen und „Erneut versuchen“ wählen.',
    err_busy_mic: 'Ihr Mikrofon wird gerade von einem anderen Programm benutzt. Schließen Sie dieses Programm und klicken Sie auf „Erneut versuchen“ – oder treten Sie ohne Mikrofon bei.',
    err_notfound_mic: 'Es wurde kein Mikrofon gefunden. Schließen Sie ein Headset an und wählen Sie „Erneut versuchen“ – oder treten Sie ohne Mikrofon bei.',
    join_audio_only: 'Nur mit Mikrofon beitreten',
    join_without_mic: 'Ohne Mikrofon beitreten',
    err_connect_failed: 'Verbindung nicht möglich: Bild und Ton kommen nicht durch. Vermutlich blockiert eine Firewall (z. B. im Praxis-, Klinik- oder Firmennetz) die Videoverbindung. Bitten Sie Ihre IT, ausgehende Verbindungen zu {host} über UDP und TCP (Ports 443 und 3478) zu erlauben, oder wechseln Sie in ein anderes Netz (z. B. mobiles Internet).',
    connect_retry: 'Erneut versuchen',
  },
  en: {
    err_busy_camera: 'Your camera is in use by another program (for example another video call). Close that program and click "Try again" – or join with the microphone only.',
    err_notfound_camera: 'No camera was found. You can join with the microphone only, or connect a camera and choose "Try again".',
    err_busy_mic: 'Your microphone is in use by another program. Close that program and click "Try again" – or join without the microphone.',
    err_notfound_mic: 'No microphone was found. Connect a headset and choose "Try again" – or join without the microphone.',
    join_audio_only: 'Join with microphone only',
    join_without_mic: 'Join without microphone',
    err_connect_failed: 'Connection not possible: picture and sound do not get through. A firewall (for example in a practice, clinic or company network) probably blocks the video connection. Ask your IT to allow outgoing connections to {host} over UDP and TCP (ports 443 and 3478), or switch to another network (for example mobile internet).',
    connect_retry: 'Try again',
  },
});

// The media connections the call needs right now: [{pc}].
function mediaConnections(call) {
  const out = [];
  if (!call || !call.self || call.self.role === 'listener') return out;
  if (call.mode.mode === 'p2p' && call.mode.peer) {
    const p = call.peers.get(call.mode.peer);
    if (p && p.link && !p.link.closed) out.push({ pc: p.link.pc, key: p.link }); // a link may replace its pc
  } else if (call.mode.mode === 'sfu') {
    if (call.publisher) out.push({ pc: call.publisher.pc });
    if (call.subscriber) out.push({ pc: call.subscriber.pc });
  }
  return out;
}

// Calls onChange(true) once a needed media connection has been unconnected for
// CONNECT_FAIL_MS, onChange(false) when all are connected again.
export function watchConnectivity(getCall, onChange, { failMs = CONNECT_FAIL_MS } = {}) {
  const since = new WeakMap(); // pc (P2P: link) -> time it was last connected (or first seen)
  let failing = false;
  const tick = () => {
    const now = Date.now();
    let bad = false;
    for (const { pc, key = pc } of mediaConnections(getCall())) {
      const s = pc.connectionState;
      if (s === 'connected' || !since.has(key)) since.set(key, now);
      if (s !== 'connected' && s !== 'closed' && now - since.get(key) >= failMs) bad = true;
    }
    if (bad !== failing) { failing = bad; onChange(bad); }
  };
  const timer = setInterval(tick, 1000);
  return {
    stop: () => clearInterval(timer),
    failing: () => failing,
  };
}
