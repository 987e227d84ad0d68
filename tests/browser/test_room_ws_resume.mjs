// test_room_ws_resume.mjs: the WebSocket dies mid-call and the call goes on. A Chromium
// host and a Firefox guest talk P2P; first the Chromium page's socket is closed (test
// hook), then the Firefox page's. Each page must show the reconnecting state, resume with
// its resume token (same participant id, no second participant, no rejoin) and keep
// decoding the other's video throughout (longest shown-frame gap printed and bounded).
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, openRoom, snap, waitSnap, measure, fmt } from './lib/room_pages.mjs';

const MAX_GAP_MS = 500;

runTest('room_ws_resume', 240, async () => {
  const k = await startRoomServer();
  const [chromium, firefox] = [await launchChromium(), await launchFirefox()];
  const a = await openRoom(chromium, roomLink(k, 'resume-1', 'host', { name: 'A' }), { label: 'chromium' });
  const b = await openRoom(firefox, roomLink(k, 'resume-1', 'guest', { name: 'B' }), { label: 'firefox' });
  const ready = (s) => s.mode.mode === 'p2p' && s.peers.length === 1 && s.peers[0].source === 'p2p' &&
    s.peers[0].video && s.peers[0].video.framesDecoded > 30;
  await waitSnap(a, ready, 30000, 'A decodes B');
  await waitSnap(b, ready, 30000, 'B decodes A');

  for (const [victim, other] of [[a, b], [b, a]]) {
    const before = await snap(victim, true);
    await snap(other, true);
    const seen = [];
    await victim.evaluate(() => window.knRoom.dropSocket());
    const t0 = Date.now();
    let state = null;
    while (Date.now() - t0 < 20000) {
      state = await victim.evaluate(() => [window.knRoom.sigState(), document.getElementById('banner').hidden]);
      if (!seen.length || seen[seen.length - 1] !== state[0]) seen.push(state[0]);
      if (state[0] === 'open' && seen.includes('reconnecting')) break;
      await sleep(50);
    }
    console.log(`${victim.knName}: socket states ${seen.join(' -> ')}, resumed after ${Date.now() - t0} ms`);
    check(seen.includes('reconnecting') && state[0] === 'open', `${victim.knName}: reconnected`);
    check(state[1] === true, `${victim.knName}: reconnect banner gone again`);
    const after = await waitSnap(victim, (s) => s.sig === 'open', 5000, 'open');
    check(after.self.id === before.self.id, `${victim.knName}: same participant id after resume (${after.self.id})`);
    const m = Object.values(await measure(victim, 3))[0];
    const mo = Object.values(await measure(other, 0.5))[0];
    console.log(`${victim.knName} after resume receives: ${fmt(m)}; ${other.knName}: ${fmt(mo)}`);
    check(m.source === 'p2p' && m.decodeFps >= 15, `${victim.knName}: still decoding P2P at ${m.decodeFps.toFixed(1)} fps`);
    check(m.maxGapMs <= MAX_GAP_MS && mo.maxGapMs <= MAX_GAP_MS,
      `no visible gap across the drop (${m.maxGapMs} ms / ${mo.maxGapMs} ms <= ${MAX_GAP_MS} ms)`);
    const os = await snap(other);
    check(os.peers.length === 1 && os.peers[0].id === before.self.id, `${other.knName}: still one peer, the same participant`);
  }
});
