// dynacast.js: applies the server's sfu.layers messages (docs/signaling-protocol.md) to
// the publish connection's video sender: RTCRtpSender.setParameters with
// encodings[i].active as the SFU says its subscribers need them (a layer nobody
// watches is not encoded or sent; audio is never touched). Messages are applied in
// order; the listener goes away with the publish connection.

async function apply(pub, m) {
  const sender = pub.videoTx && pub.videoTx.sender;
  if (!sender || pub.pc.signalingState === 'closed' || !Array.isArray(m.encodings)) return;
  const params = sender.getParameters();
  if (!params.encodings || !params.encodings.length) return;
  const want = new Map(m.encodings.map((e, i) => [e.rid || String(i), e.active !== false]));
  let changed = false;
  params.encodings.forEach((enc, i) => {
    const key = enc.rid || String(i);
    if (want.has(key) && enc.active !== want.get(key)) {
      enc.active = want.get(key);
      changed = true;
    }
  });
  if (changed) await sender.setParameters(params);
  pub.dynacastState = { at: Date.now(), encodings: params.encodings.map((e) => ({ rid: e.rid || null, active: e.active })) };
}

// Starts listening for sfu.layers on the publisher's signaling; returns {detach}.
export function attachDynacast(pub) {
  let queue = Promise.resolve();
  const onMessage = (ev) => {
    const m = ev.detail;
    if (!m || m.type !== 'sfu.layers') return;
    if (pub.pc.signalingState === 'closed') { detach(); return; }
    queue = queue.then(() => apply(pub, m)).catch((e) => { pub.dynacastError = e && e.message; });
  };
  const detach = () => pub.sig.removeEventListener('message', onMessage);
  pub.sig.addEventListener('message', onMessage);
  return { detach };
}
