// test_room_sfu_switch.mjs: P2P → SFU → P2P with real browsers. A Chromium host and a
// Firefox guest talk P2P; a second Chromium guest joins, the room switches to the SFU and
// every page must decode both others through it (tiles on the SFU path, publish with
// simulcast layers); the third leaves and the room returns to P2P (tiles back on P2P,
// SFU connections closed, SFU without peers). C's small window asks for the lowest
// simulcast layer per tile (sfu.preferences). The longest gap between frames shown in
// the A-B tiles is measured across each switch (make-before-break) and printed, with the
// gap near the tile swap itself and the page's own camera preview as a CPU-load baseline.
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, openRoom, snap, waitSnap, measure, fmt, sfuPeers, peerOf } from './lib/room_pages.mjs';

const MAX_SWITCH_GAP_MS = Number(process.env.KONSIL_MAX_SWITCH_GAP_MS || 500);

const onPath = (path, n, minFrames = 10) => (s) => s.mode.mode === path && s.peers.length === n &&
  s.peers.every((p) => p.source === path && p.video && p.video.framesDecoded > minFrames);

runTest('room_sfu_switch', 360, async () => {
  const k = await startRoomServer({ KONSIL_P2P_GRACE_MS: '3000' });
  const [chromium, firefox] = [await launchChromium(), await launchFirefox()];
  const a = await openRoom(chromium, roomLink(k, 'switch-1', 'host', { name: 'Anna' }), { label: 'chromium-A' });
  const b = await openRoom(firefox, roomLink(k, 'switch-1', 'guest', { name: 'Ben' }), { label: 'firefox-B' });
  await waitSnap(a, onPath('p2p', 1, 30), 30000, 'A decodes B over P2P');
  await waitSnap(b, onPath('p2p', 1, 30), 30000, 'B decodes A over P2P');
  await sleep(1000);
  await Promise.all([snap(a, true), snap(b, true)]); // reset the gap counters

  // ---- to SFU
  const t0 = Date.now();
  // C's window is small: its tiles are < 200 px tall, so it asks for the lowest layer.
  const c = await openRoom(chromium, roomLink(k, 'switch-1', 'guest', { name: 'Clara' }), { label: 'chromium-C', viewport: { width: 480, height: 300 } });
  for (const p of [a, b, c]) await waitSnap(p, onPath('sfu', 2), 45000, `${p.knName} decodes both others via the SFU`);
  console.log(`switch to SFU complete on all pages after ${Date.now() - t0} ms`);
  await sleep(1500);
  const gapsUp = [];
  for (const p of [a, b]) {
    const s = await snap(p, true);
    for (const peer of s.peers) {
      if (peer.name !== 'Anna' && peer.name !== 'Ben') continue;
      const sw = peer.tile.switches.filter((w) => w.from === 'p2p' && w.to === 'sfu').pop();
      gapsUp.push({ page: p.knName, from: peer.name, gap: peer.tile.maxGapMs, atSwap: sw ? sw.gapMs : null, ownCamera: s.selfTile.maxGapMs });
    }
  }
  console.log(`P2P->SFU longest shown-frame gap per tile (whole switch; atSwap = within ±1 s of the tile swap): ${fmt(gapsUp)}`);
  check(gapsUp.length === 2 && gapsUp.every((g) => g.atSwap !== null), 'A and B each swapped the other\'s tile P2P -> SFU');
  for (const g of gapsUp) check(g.gap <= MAX_SWITCH_GAP_MS, `${g.page} tile of ${g.from}: gap ${g.gap} ms <= ${MAX_SWITCH_GAP_MS} ms`);

  for (const p of [a, b, c]) {
    const m = await measure(p, 4);
    console.log(`${p.knName} in SFU mode receives: ${fmt(m)}`);
    for (const [id, x] of Object.entries(m)) {
      check(x.source === 'sfu' && x.decodeFps >= 10, `${p.knName} decodes ${x.name || id} via the SFU at ${x.decodeFps.toFixed(1)} fps`);
      check(x.audioSamples > 0, `${p.knName} receives audio of ${x.name || id} via the SFU`);
    }
    const s = await snap(p);
    console.log(`${p.knName} publish layers: ${fmt(s.publisher && s.publisher.layers)}`);
    check(s.publisher && s.publisher.layers.some((l) => l.framesEncoded > 0), `${p.knName} publishes to the SFU`);
    // Names also reach the newcomer (data-only P2P links in SFU mode).
    check(s.peers.every((x) => x.name), `${p.knName} knows every name: ${s.peers.map((x) => x.name).join(', ')}`);
  }
  const sc = await waitSnap(c, (s) => s.peers.every((x) => x.tile.height > 0 && x.tile.height <= 90), 15000,
    'C (small tiles) receives the lowest simulcast layer');
  check(true, `C receives ${sc.peers.map((x) => `${x.tile.width}x${x.tile.height}`).join(', ')} (sfu.preferences max_spatial 0)`);
  const sa = await snap(a);
  check((sa.publisher.layers.filter((l) => l.framesEncoded > 0)).length >= 2, `Chromium sends >= 2 simulcast layers (${fmt(sa.publisher.layers)})`);

  // ---- back to P2P
  const t1 = Date.now();
  await c.evaluate(() => document.getElementById('btn-leave').click());
  for (const p of [a, b]) await waitSnap(p, onPath('p2p', 1), 30000, `${p.knName} back on P2P`);
  console.log(`switch back to P2P complete after ${Date.now() - t1} ms (grace 3000 ms)`);
  for (const p of [a, b]) await waitSnap(p, (s) => s.publisher === null && s.subscriber === null, 20000, `${p.knName} closed its SFU connections`);
  await sleep(1000);
  const gapsDown = [];
  for (const p of [a, b]) {
    const s = await snap(p, true);
    const sw = s.peers[0].tile.switches.filter((w) => w.from === 'sfu' && w.to === 'p2p').pop();
    gapsDown.push({ page: p.knName, from: s.peers[0].name, gap: s.peers[0].tile.maxGapMs, atSwap: sw ? sw.gapMs : null, ownCamera: s.selfTile.maxGapMs });
  }
  console.log(`SFU->P2P longest shown-frame gap per tile (whole switch; atSwap = within ±1 s of the tile swap): ${fmt(gapsDown)}`);
  check(gapsDown.every((g) => g.atSwap !== null), 'A and B each swapped the other\'s tile SFU -> P2P');
  for (const g of gapsDown) check(g.gap <= MAX_SWITCH_GAP_MS, `${g.page} tile of ${g.from}: gap ${g.gap} ms <= ${MAX_SWITCH_GAP_MS} ms`);
  for (const p of [a, b]) {
    const m = Object.values(await measure(p, 4))[0];
    console.log(`${p.knName} back in P2P receives: ${fmt(m)}`);
    check(m.source === 'p2p' && m.decodeFps >= 15, `${p.knName} decodes P2P at ${m.decodeFps.toFixed(1)} fps`);
  }
  const peers = await sfuPeers(k);
  check((Array.isArray(peers) ? peers.length : peers) === 0, `SFU holds no peer after the switch back (${JSON.stringify(peers)})`);
  const sb = await snap(b);
  check(peerOf(sb, sa.self.id).link.pair.local.type !== 'relay', 'A-B pair direct again');
});
