// app.js: Konsil demo page logic (ES module). Publishes camera + microphone with WHIP
// (RFC 9725) and watches the room's first publisher with WHEP, against this server.
// Tokens come from the URL fragment: #token=<publish JWT>&view=<subscribe JWT>; the
// room is read from the token's (unverified, server-checked) "room" claim.

const params = new URLSearchParams(location.hash.slice(1));
const tokens = { publish: params.get('token'), view: params.get('view') };
const $ = (id) => document.getElementById(id);
const sessions = {};

function status(de, en, error = false) {
  const el = $('status');
  el.textContent = `${de} `;
  const span = document.createElement('span');
  span.lang = 'en';
  span.textContent = en;
  el.append(span);
  el.classList.toggle('error', error);
}

function roomOf(token) {
  try {
    const b64 = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(b64)).room;
  } catch {
    return null;
  }
}

function iceDone(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => { if (pc.iceGatheringState === 'complete') resolve(); };
    pc.addEventListener('icegatheringstatechange', check);
    setTimeout(resolve, 2000); // the SFU is ICE-lite: our candidates are optional
  });
}

async function negotiate(pc, url, token) {
  await pc.setLocalDescription(await pc.createOffer());
  await iceDone(pc);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
    body: pc.localDescription.sdp,
  });
  const body = await res.text();
  if (res.status !== 201) throw new Error(`${res.status}: ${body.trim()}`);
  await pc.setRemoteDescription({ type: 'answer', sdp: body });
  const loc = res.headers.get('Location');
  return loc ? new URL(loc, location.href).href : null;
}

async function stop(kind) {
  const s = sessions[kind];
  if (!s) return;
  delete sessions[kind];
  // DELETE first: closing the connection first makes the SFU end the session itself.
  if (s.location) await fetch(s.location, { method: 'DELETE' }).catch(() => {});
  s.pc.close();
  if (s.stream) s.stream.getTracks().forEach((t) => t.stop());
}

function setButtons(kind, running) {
  const [start, end] = kind === 'publish' ? ['publish', 'unpublish'] : ['watch', 'unwatch'];
  $(start).disabled = running;
  $(end).disabled = !running;
}

async function publish() {
  const room = tokens.publish && roomOf(tokens.publish);
  if (!room) { status('Kein Sende-Token in der Adresse (#token=…).', 'No publish token in the URL (#token=…).', true); return; }
  setButtons('publish', true);
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
    $('local').srcObject = stream;
    const pc = new RTCPeerConnection();
    pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly' });
    pc.addTransceiver(stream.getVideoTracks()[0], {
      direction: 'sendonly',
      sendEncodings: [
        { rid: 'q', scaleResolutionDownBy: 4 }, { rid: 'h', scaleResolutionDownBy: 2 }, { rid: 'f' },
      ],
    });
    sessions.publish = { pc, stream };
    sessions.publish.location = await negotiate(pc, `/whip/${encodeURIComponent(room)}`, tokens.publish);
    status(`Sende in Raum „${room}“.`, `Publishing in room "${room}".`);
  } catch (e) {
    await stop('publish');
    setButtons('publish', false);
    status(`Senden fehlgeschlagen: ${e.message}`, `Publishing failed: ${e.message}`, true);
  }
}

async function watch() {
  const room = tokens.view && roomOf(tokens.view);
  if (!room) { status('Kein Ansicht-Token in der Adresse (#view=…).', 'No view token in the URL (#view=…).', true); return; }
  setButtons('watch', true);
  try {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const remote = new MediaStream();
    pc.ontrack = (e) => { remote.addTrack(e.track); $('remote').srcObject = remote; };
    sessions.watch = { pc };
    sessions.watch.location = await negotiate(pc, `/whep/${encodeURIComponent(room)}`, tokens.view);
    status(`Ansicht von Raum „${room}“.`, `Watching room "${room}".`);
  } catch (e) {
    await stop('watch');
    setButtons('watch', false);
    status(`Ansehen fehlgeschlagen: ${e.message}`, `Watching failed: ${e.message}`, true);
  }
}

$('publish').addEventListener('click', publish);
$('watch').addEventListener('click', watch);
$('unpublish').addEventListener('click', () => stop('publish').then(() => setButtons('publish', false)));
$('unwatch').addEventListener('click', () => stop('watch').then(() => setButtons('watch', false)));
window.addEventListener('pagehide', () => { stop('publish'); stop('watch'); });
