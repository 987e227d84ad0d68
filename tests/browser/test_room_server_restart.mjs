// test_room_server_restart.mjs: konsil-signaling goes away mid-call and comes back
// empty (same port and token key, fresh state). A Chromium host and a Firefox guest talk
// P2P. While the server is down both pages must show the reconnecting banner and keep
// decoding each other (P2P needs no server); when it is back their resume tokens are
// unknown, so they join anew with the link token (new participant ids) and the call comes
// back on a fresh P2P connection without a page reload.
import { runTest, check, sleep, startKonsil } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, openRoom, waitSnap, measure, fmt } from './lib/room_pages.mjs';

runTest('room_server_restart', 300, async () => {
  const k = await startRoomServer();
  const [chromium, firefox] = [await launchChromium(), await launchFirefox()];
  const a = await openRoom(chromium, roomLink(k, 'restart-1', 'host', { name: 'A' }), { label: 'chromium' });
  const b = await openRoom(firefox, roomLink(k, 'restart-1', 'guest', { name: 'B' }), { label: 'firefox' });
  const ready = (s) => s.sig === 'open' && s.mode.mode === 'p2p' && s.peers.length === 1 && s.peers[0].source === 'p2p' &&
    s.peers[0].video && s.peers[0].video.framesDecoded > 30;
  const before = [await waitSnap(a, ready, 30000, 'A decodes B'), await waitSnap(b, ready, 30000, 'B decodes A')];
  await a.evaluate(() => { window.knNoReload = true; window.addEventListener('beforeunload', () => { window.knNoReload = false; }); });

  await k.stop();
  console.log('konsil-signaling stopped');
  for (const p of [a, b]) {
    const end = Date.now() + 20000;
    while (Date.now() < end && !(await p.evaluate(() => !document.getElementById('banner').hidden && document.body.dataset.sig !== 'open'))) await sleep(200);
    const banner = await p.evaluate(() => document.getElementById('banner-text').textContent);
    check(/unterbrochen|Connection lost/.test(banner), `${p.knName}: reconnecting banner (“${banner}”)`);
  }
  for (const p of [a, b]) {
    const m = Object.values(await measure(p, 3))[0];
    console.log(`${p.knName} while the server is down: ${fmt(m)}`);
    check(m.decodeFps >= 15, `${p.knName}: P2P video continues without the server (${m.decodeFps.toFixed(1)} fps)`);
  }

  const k2 = await startKonsil({ tls: false, port: k.port, env: { KONSIL_TOKEN_SECRET: k.secret, KONSIL_P2P_GRACE_MS: '3000' } });
  console.log(`konsil-signaling restarted on port ${k2.port}`);
  const t0 = Date.now();
  const after = [];
  for (const p of [a, b]) after.push(await waitSnap(p, ready, 45000, `${p.knName} back in a call`));
  console.log(`call restored after ${Date.now() - t0} ms`);
  for (let i = 0; i < 2; i++) {
    check(after[i].self.id !== before[i].self.id, `${[a, b][i].knName}: joined anew (${before[i].self.id} -> ${after[i].self.id})`);
    check(after[i].peers[0].id === after[1 - i].self.id, `${[a, b][i].knName}: sees the other's new id`);
  }
  check(await a.evaluate(() => window.knNoReload === true), 'no page reload');
  for (const p of [a, b]) {
    const m = Object.values(await measure(p, 3))[0];
    console.log(`${p.knName} after the restart: ${fmt(m)}`);
    check(m.decodeFps >= 15 && m.name, `${p.knName}: decoding ${m.name} at ${m.decodeFps.toFixed(1)} fps`);
  }
});
