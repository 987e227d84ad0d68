// harness_sfu_join_loop.mjs: repro loop (not a ctest test) for "a Firefox subscriber never
// receives a participant that joined later in SFU mode". One konsil-signaling, one
// Chromium and one Firefox for the whole run; per iteration a fresh room: Chromium A
// (guest) and Firefox B (host) meet in P2P, then Chromium C (guest) joins, the room
// switches to SFU and B must decode A and C over its subscribe connection within
// KN_LOOP_WAIT_MS. On a miss it prints B's subscribe SDP/inbound-rtp/transceivers and the
// SFU's peer.stats of every peer of the room (forwarded packets per consumer), then goes
// on. Usage (serialize browser runs):
//   flock /tmp/kn-browser.lock node tests/browser/harness_sfu_join_loop.mjs [iterations] [seconds]
// Stops after `iterations` or `seconds` (default 20 / 540), prints "runs N failures F".
import { runTest, sleep } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, openRoom, waitSnap } from './lib/room_pages.mjs';

const ITER = Number(process.argv[2] || 20);
const BUDGET_S = Number(process.argv[3] || 540);
const WAIT_MS = Number(process.env.KN_LOOP_WAIT_MS || 20000);
const P2P_FIRST = process.env.KN_LOOP_P2P_FIRST !== '0';
// Widen the race under study (both 0 = off): KN_LOOP_SRD_DELAY_MS: Firefox B applies every
// SFU (ice-lite) re-offer (not the first offer of a connection) this much later;
// KN_LOOP_PUB_DELAY_MS: A applies the SFU's publish answer this much later, so A's media
// reaches B's subscribe connection late.
const SRD_DELAY_MS = Number(process.env.KN_LOOP_SRD_DELAY_MS || 0);
const PUB_DELAY_MS = Number(process.env.KN_LOOP_PUB_DELAY_MS || 0);
function delaySfuSdp(type, ms, skipFirst) {
  const srd = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = async function (d) {
    if (d && d.type === type && /a=ice-lite/.test(d.sdp || '')) {
      if (!skipFirst || this.remoteDescription) await new Promise((r) => setTimeout(r, ms));
    }
    return srd.call(this, d);
  };
}

const viaSfu = (n) => (s) => s.mode.mode === 'sfu' && s.peers.length === n &&
  s.peers.every((x) => x.source === 'sfu' && x.video && x.video.framesDecoded > 10);
const p2p = (s) => s.mode.mode === 'p2p' && s.peers.length === 1 && s.peers[0].video && s.peers[0].video.framesDecoded > 10;

runTest('harness_sfu_join_loop', BUDGET_S + 120, async () => {
  const started = Date.now();
  const k = await startRoomServer({});
  const [chromium, firefox] = [await launchChromium(), await launchFirefox()];
  let runs = 0;
  const failures = [];
  for (let i = 0; i < ITER && (Date.now() - started) / 1000 < BUDGET_S; i++) {
    const room = `loop-${i}`;
    const pages = [];
    try {
      pages.push(await openRoom(chromium, roomLink(k, room, 'guest', { name: 'A' }), { label: 'chromium-A',
        init: PUB_DELAY_MS ? `(${delaySfuSdp})('answer', ${PUB_DELAY_MS}, false)` : undefined }));
      const b = await openRoom(firefox, roomLink(k, room, 'host', { name: 'B' }), { label: 'firefox-B',
        init: SRD_DELAY_MS ? `(${delaySfuSdp})('offer', ${SRD_DELAY_MS}, true)` : undefined });
      pages.push(b);
      if (P2P_FIRST) await waitSnap(b, p2p, 30000, 'P2P');
      pages.push(await openRoom(chromium, roomLink(k, room, 'guest', { name: 'C' }), { label: 'chromium-C' }));
      runs++;
      const t0 = Date.now();
      try {
        await waitSnap(b, viaSfu(2), WAIT_MS, 'Firefox decodes A and C via the SFU');
        console.log(`run ${i}: ok (${Date.now() - t0} ms)`);
      } catch (e) {
        failures.push(i);
        console.log(`run ${i}: FAIL ${e.message.slice(0, 3000)}`);
        await diagnose(k, room, b);
      }
    } catch (e) {
      console.log(`run ${i}: setup error ${e.message.slice(0, 500)}`);
    } finally {
      for (const p of pages.reverse()) await p.close().catch(() => {});
      await sleep(500);
    }
  }
  console.log(`runs ${runs} failures ${failures.length} [${failures.join(',')}]`);
});

async function diagnose(k, room, page) {
  const d = await page.evaluate(() => window.knRoom.subscriberDebug()).catch((e) => ({ error: String(e) }));
  console.log(`firefox subscriber: ${JSON.stringify(d, null, 1)}`);
  const m = new RegExp(`room ${room} uses SFU room (\\S+) on sfu`).exec(k.log());
  const ids = [...new Set([...k.log().matchAll(new RegExp(`(p[0-9a-f]{8}) joined room ${room}\\b`, 'g'))].map((x) => x[1]))];
  console.log(`sfu room ${m && m[1]}, participants ${ids.join(' ')}`);
  if (!m) return;
  const ctl = await k.ctl();
  for (const id of ids) for (const peer of [`${id}.pub1`, `${id}.pub2`, `${id}.sub1`, `${id}.sub2`]) {
    const st = await ctl.request('peer.stats', { room: m[1], peer }).catch(() => null);
    if (st) console.log(`sfu ${peer}: ${JSON.stringify({ state: st.state, rx: st.rx, tx: st.tx, dropped: st.dropped, producers: st.producers, consumers: st.consumers })}`);
  }
  ctl.close();
  const lines = k.log().split('\n').filter((l) => ids.some((id) => l.includes(id)) || l.includes(room));
  console.log(`signaling log for ${room}:\n${lines.slice(-80).join('\n')}`);
}
