// test_room_p2p.mjs: two participants (Chromium host, Firefox guest) join a consultation
// room by link with prejoin=0. Asserts: the room is in P2P mode, each page decodes the
// other's video and audio over its direct connection (selected candidate pair is host
// to host, no relay), the SFU holds no peer, names arrived over the data channel (the
// server only saw pseudonyms), and the host's page shows the mode. Prints fps.
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, openRoom, waitSnap, measure, fmt, sfuPeers, peerOf } from './lib/room_pages.mjs';

const WINDOW_S = 5;

runTest('room_p2p', 240, async () => {
  const k = await startRoomServer();
  const [chromium, firefox] = [await launchChromium(), await launchFirefox()];
  const host = await openRoom(chromium, roomLink(k, 'p2p-1', 'host', { name: 'Dr. Weber' }), { label: 'chromium-host' });
  const guest = await openRoom(firefox, roomLink(k, 'p2p-1', 'guest', { name: 'Frau Özdemir' }), { label: 'firefox-guest' });

  const ready = (s) => s.mode.mode === 'p2p' && s.peers.length === 1 && s.peers[0].source === 'p2p' &&
    s.peers[0].video && s.peers[0].video.framesDecoded > 30;
  const hs = await waitSnap(host, ready, 30000, 'P2P video from the guest');
  const gs = await waitSnap(guest, ready, 30000, 'P2P video from the host');
  await sleep(1000);

  const [hm, gm] = await Promise.all([measure(host, WINDOW_S), measure(guest, WINDOW_S)]);
  const h = Object.values(hm)[0];
  const g = Object.values(gm)[0];
  console.log(`host (chromium) receives: ${fmt(h)}`);
  console.log(`guest (firefox) receives: ${fmt(g)}`);
  for (const [who, m] of [['chromium host', h], ['firefox guest', g]]) {
    check(m.source === 'p2p', `${who}: tile shows the P2P path`);
    check(m.decodeFps >= 15, `${who}: video decoded at >= 15 fps (${m.decodeFps.toFixed(1)})`);
    check(m.shownFps >= 10, `${who}: frames presented in the tile >= 10/s (${m.shownFps.toFixed(1)})`);
    check(m.audioSamples > 20000, `${who}: audio decoded (${m.audioSamples} samples)`);
  }

  // Firefox's noise suppression removes most of its fake microphone's steady 1 kHz tone,
  // so energy is asserted where Chromium (beeping fake microphone) is the sender.
  check(g.audioEnergy > 0, `firefox guest: audio from Chromium is not silent (energy ${g.audioEnergy.toFixed(2)})`);

  for (const [who, s] of [['chromium host', await waitSnap(host, (s) => s.peers[0].link.pair, 5000, 'pair')],
    ['firefox guest', await waitSnap(guest, (s) => s.peers[0].link.pair, 5000, 'pair')]]) {
    const pair = s.peers[0].link.pair;
    console.log(`${who}: selected pair ${fmt(pair)}`);
    check(pair.local.type !== 'relay' && pair.remote.type !== 'relay', `${who}: direct pair, no TURN relay`);
    check(s.publisher === null && s.subscriber === null, `${who}: no SFU connection`);
  }
  const peers = await sfuPeers(k);
  check((Array.isArray(peers) ? peers.length : peers) === 0, `SFU holds no peer (sfu.info peers ${JSON.stringify(peers)})`);

  check(peerOf(hs, gs.self.id) && (await waitSnap(host, (s) => s.peers[0].name === 'Frau Özdemir', 10000, 'guest name')),
    'host sees the guest\'s name (data channel)');
  await waitSnap(guest, (s) => s.peers[0].name === 'Dr. Weber', 10000, 'host name');
  check(true, 'guest sees the host\'s name (data channel)');
  check(!/Weber|Özdemir/.test(k.log()), 'names never reached the server log');
  const modeText = await host.evaluate(() => { const m = document.getElementById('mode'); return m.hidden ? null : m.textContent; });
  check(/P2P/.test(modeText || ''), `host sees the mode (${modeText})`);
  const guestMode = await guest.evaluate(() => document.getElementById('mode').hidden);
  check(guestMode === true, 'guest does not see the mode badge');

  // Mute and camera buttons: state reaches the other page (server participant-updated).
  await host.click('#btn-mic');
  await host.click('#btn-cam');
  const badge = (id) => guest.evaluate((pid) => {
    const tile = document.querySelector(`.tile[data-participant="${pid}"]`);
    return tile ? { muted: !tile.querySelector('.badge.muted').hidden, cameraOff: tile.classList.contains('camera-off') } : null;
  }, id);
  let seen = null;
  for (let i = 0; i < 50 && !(seen && seen.muted && seen.cameraOff); i++) { seen = await badge(hs.self.id); await sleep(100); }
  check(seen && seen.muted && seen.cameraOff, `guest sees the host muted with the camera off (${JSON.stringify(seen)})`);
  check(await host.evaluate(() => document.getElementById('btn-mic').getAttribute('aria-pressed')) === 'true', 'mute button pressed');
  await host.click('#btn-mic');
  for (let i = 0; i < 50 && seen.muted; i++) { seen = await badge(hs.self.id); await sleep(100); }
  check(!seen.muted, 'unmute reaches the guest');
});
