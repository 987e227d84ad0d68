// test_bad_input.mjs: hostile input against a running Konsil call. One Chromium page
// publishes over WHIP and views the same room over WHEP; meanwhile the test sends garbage
// UDP to the SFU media port for every RFC 7983 first-byte class (plus STUN binding requests
// with a wrong ufrag or a bad MESSAGE-INTEGRITY and RTP/RTCP-shaped datagrams with random
// SSRCs), abuses ICE-TCP on the same port, and sends malformed HTTP and bad tokens to
// konsil-signaling. Asserts: the call keeps decoding across the bursts, both processes
// stay up, the HTTP errors are the documented ones and the SFU counted the STUN drops.
import { runTest, startKonsil, check, sleep, makeToken } from '../lib/konsil.mjs';
import { launchChromium, kn, waitFor, delta } from '../lib/browsers.mjs';
import { udpFlood, stunBinding, tcpAbuse, rawHttp, httpRequest } from '../lib/garbage.mjs';

const PER_CLASS = 600;
const REFUSED = ['closed', ...Array.from({ length: 200 }, (_, i) => 400 + i)]; // 6 classes -> 3600 datagrams, plus the STUN set

function sdpAttr(sdp, name) {
  const m = new RegExp(`^a=${name}:(\\S+)`, 'm').exec(sdp || '');
  return m ? m[1] : null;
}

function mediaTarget(answer, k) {
  const m = /^a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host/mi.exec(answer || '');
  return m ? { host: m[1], port: Number(m[2]) } : { host: '127.0.0.1', port: k.mediaPort };
}

async function alive(k, label) {
  const up = k.upState();
  check(up.ok, `${label}: both processes up, SFU not restarted (${up.text})`);
}

// Runs fn while sampling the viewer; asserts decoding went on during it.
async function duringCall(page, sub, label, fn) {
  const a = await kn(page, 'stats', sub);
  const r = await fn();
  await sleep(1000);
  const w = delta(a, await kn(page, 'stats', sub));
  console.log(`${label}: viewer decoded ${w.framesDecoded} frames in ${w.dt.toFixed(1)} s (${w.fps.toFixed(1)} fps), freezes +${w.freezes}, audio samples +${w.audioSamples}`);
  check(w.fps >= 10, `${label}: call kept flowing (>= 10 fps decoded during the burst)`);
  return r;
}

async function httpAbuse(k, room, validSdp) {
  const { host, port } = k;
  const pub = k.token(room, 'publish');
  const sdpHdr = { 'Content-Type': 'application/sdp' };
  const cases = [
    // Malformed request lines: any 4xx/5xx refusal or a close is fine, a 2xx/3xx is not.
    ['garbage request line', Buffer.from('\x16\x03GARBAGE \x00\xff\r\n\r\n', 'latin1'), REFUSED],
    ['unknown HTTP version', Buffer.from('POST /whip/x HTTP/9.9\r\nContent-Length: 0\r\n\r\n'), REFUSED],
    ['request line without path', Buffer.from('POST  HTTP/1.1\r\nHost: x\r\n\r\n'), REFUSED],
    ['NUL in path', Buffer.from('POST /whip/a\x00b HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', 'latin1'), REFUSED],
    ['huge header (200 KiB)', Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(200 * 1024)}\r\n\r\n`), [400, 413, 431, 'closed']],
    ['10k header lines', Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(10000)}\r\n`), [400, 413, 431, 'closed']],
    ['body > 64 KiB', httpRequest('POST', `/whip/${room}`, { ...sdpHdr, Authorization: `Bearer ${pub}` }, Buffer.alloc(70 * 1024, 'v')), [413]],
    ['garbage SDP', httpRequest('POST', `/whip/${room}`, { ...sdpHdr, Authorization: `Bearer ${pub}` }, Buffer.from('v=0\r\nthis is not sdp\r\nm=video x\r\n')), [400]],
    ['binary SDP', httpRequest('POST', `/whip/${room}`, { ...sdpHdr, Authorization: `Bearer ${pub}` }, Buffer.from([0, 1, 2, 255, 254, 10, 13])), [400]],
    ['missing token', httpRequest('POST', `/whip/${room}`, sdpHdr, Buffer.from(validSdp)), [401]],
    ['malformed token', httpRequest('POST', `/whip/${room}`, { ...sdpHdr, Authorization: 'Bearer a.b.c' }, Buffer.from(validSdp)), [401]],
    ['wrong signature', httpRequest('POST', `/whip/${room}`, { ...sdpHdr, Authorization: `Bearer ${makeToken('not-the-secret', { room, role: 'publish' })}` }, Buffer.from(validSdp)), [401]],
    ['alg none', httpRequest('POST', `/whip/${room}`, { ...sdpHdr, Authorization: `Bearer ${makeToken('', { room, role: 'publish', alg: 'none' })}` }, Buffer.from(validSdp)), [401]],
    ['expired token', httpRequest('POST', `/whip/${room}`, { ...sdpHdr, Authorization: `Bearer ${k.token(room, 'publish', { exp: Math.floor(Date.now() / 1000) - 60 })}` }, Buffer.from(validSdp)), [401]],
    ['wrong room', httpRequest('POST', `/whip/${room}`, { ...sdpHdr, Authorization: `Bearer ${k.token('other-room', 'publish')}` }, Buffer.from(validSdp)), [403]],
    ['subscribe token on WHIP', httpRequest('POST', `/whip/${room}`, { ...sdpHdr, Authorization: `Bearer ${k.token(room, 'subscribe')}` }, Buffer.from(validSdp)), [403]],
    ['slow partial request', [Buffer.from('POST /whip/x HTTP/1.1\r\nContent-Length: 100\r\n')], [400, 408, 'closed', 'timeout']],
  ];
  let bad = 0;
  for (const [name, bytes, want] of cases) {
    const got = await rawHttp(host, port, bytes, { useTls: k.base.startsWith('https') });
    const ok = want.includes(got);
    if (!ok) bad++;
    const wantText = want === REFUSED ? '4xx|5xx|closed' : want.join('|');
    console.log(`${ok ? 'ok  ' : 'FAIL'} HTTP ${name}: got ${got}, want ${wantText}`);
  }
  return bad;
}

runTest('bad_input', 300, async () => {
  const k = await startKonsil();
  console.log(`konsil-signaling pid ${k.pid} on ${k.base}, media port ${k.mediaPort}, SFU pid ${k.sfuPid()}`);
  const chromium = await launchChromium();
  const page = await chromium.newPage(`${k.base}/`);
  const room = 'bad';
  const pub = await kn(page, 'publish', { url: k.whip(room), token: k.token(room, 'publish'), width: 640, height: 360 });
  const sub = await kn(page, 'subscribe', { url: k.whep(room), token: k.token(room, 'subscribe') });
  await waitFor(page, sub, (s) => (s.in.video || {}).framesDecoded > 30, 20000, 'viewer decoding');
  const subInfo = await kn(page, 'info', sub);
  const pubInfo = await kn(page, 'info', pub);
  const target = mediaTarget(subInfo.answer, k);
  const sfuUfrag = sdpAttr(subInfo.answer, 'ice-ufrag');
  const clientUfrag = sdpAttr(subInfo.offer, 'ice-ufrag');
  const sfuPwd = sdpAttr(subInfo.answer, 'ice-pwd');
  console.log(`media target ${target.host}:${target.port}, SFU ufrag ${sfuUfrag}`);
  const before = await k.sfuPeerStats(room, subInfo.location);

  // STUN that looks right: the SFU's ufrag with a wrong key, a wrong ufrag with the right key.
  const stun = [];
  for (let i = 0; i < 100; i++) stun.push(stunBinding(`${sfuUfrag}:${clientUfrag}`, 'wrong-password-wrong-password'));
  for (let i = 0; i < 100; i++) stun.push(stunBinding(`nope${i}:${clientUfrag}`, sfuPwd || 'x'));
  const flood = await duringCall(page, sub, 'UDP garbage', () => udpFlood(target.host, target.port, PER_CLASS, stun));
  console.log(`UDP: sent ${flood.sent} datagrams (${flood.errors} send errors)`);
  await alive(k, 'after UDP garbage');

  const tcp = await duringCall(page, sub, 'ICE-TCP abuse', () => Promise.all(
    ['garbage', 'oversized', 'frames', 'zero-frames', 'idle', 'idle', 'garbage', 'frames']
      .map((p) => tcpAbuse(target.host, target.port, p, 2000))));
  console.log(`ICE-TCP: ${tcp.map((r) => `${r.pattern}:${r.refused ? 'refused' : r.closedByPeer ? 'closed by SFU' : 'held open'}`).join(', ')}`);
  await alive(k, 'after ICE-TCP abuse');

  const badHttp = await duringCall(page, sub, 'HTTP abuse', () => httpAbuse(k, room, pubInfo.offer));
  await alive(k, 'after HTTP abuse');

  const after = await k.sfuPeerStats(room, subInfo.location);
  if (after) {
    console.log(`SFU viewer peer dropped before ${JSON.stringify(before && before.dropped)} after ${JSON.stringify(after.dropped)}`);
    check(after.dropped.stun_auth >= 100, `SFU counted >= 100 STUN auth drops for the viewer's ufrag (${after.dropped.stun_auth})`);
  } else {
    check(false, 'SFU peer stats for the viewer are reachable over the control API');
  }
  const s = await kn(page, 'stats', sub);
  check(s.state === 'connected', `viewer still connected (${s.state})`);
  check(badHttp === 0, `every malformed HTTP request got the expected answer (${badHttp} did not)`);
});
