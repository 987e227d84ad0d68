// test_room_turn_relay.mjs: P2P through a real coturn. Starts Debian's turnserver on
// loopback with a TURN REST shared secret, gives konsil-signaling KONSIL_TURN_URLS and
// KONSIL_TURN_SECRET, and opens a Chromium and a Firefox participant with #relay=1
// (iceTransportPolicy "relay" on the P2P connection). Asserts both sides decode each
// other with a selected pair of type relay, and coturn accepted our credentials. Then a
// second room with #relay=tcp (only the TURN-over-TCP URL, as when UDP is blocked):
// both browsers must reach each other through TURN/TCP.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { runTest, check, sleep, startProcess, freeMediaPort, pidAlive, onCleanup } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, openRoom, waitSnap, measure, fmt, sfuPeers } from './lib/room_pages.mjs';

const SECRET = 'S';

async function startCoturn(dir) {
  const port = await freeMediaPort();
  const logFile = join(dir, 'turnserver.log');
  const p = startProcess('/usr/bin/turnserver', ['-n', '--listening-port', String(port),
    '--use-auth-secret', '--static-auth-secret', SECRET, '--realm', 'konsil',
    '--listening-ip', '127.0.0.1', '--relay-ip', '127.0.0.1', '--allow-loopback-peers',
    '--no-cli', '--no-tls', '--no-dtls', '--log-file', logFile, '--simple-log', '-v',
    '--min-port', '40000', '--max-port', '40999'], { logFile: join(dir, 'turnserver.out') });
  await sleep(800);
  if (!pidAlive(p.pid)) throw new Error('turnserver exited at start');
  return { ...p, port, logFile };
}

runTest('room_turn_relay', 240, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'konsil-coturn-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const turn = await startCoturn(dir);
  console.log(`coturn pid ${turn.pid} on 127.0.0.1:${turn.port}`);
  const k = await startRoomServer({
    KONSIL_TURN_URLS: `turn:127.0.0.1:${turn.port}?transport=udp,turn:127.0.0.1:${turn.port}?transport=tcp`,
    KONSIL_TURN_SECRET: SECRET,
  });
  const [chromium, firefox] = [await launchChromium(), await launchFirefox()];
  const a = await openRoom(chromium, roomLink(k, 'relay-1', 'host', { name: 'A', relay: true }), { label: 'chromium' });
  const b = await openRoom(firefox, roomLink(k, 'relay-1', 'guest', { name: 'B', relay: true }), { label: 'firefox' });
  const ready = (s) => s.mode.mode === 'p2p' && s.peers.length === 1 && s.peers[0].source === 'p2p' &&
    s.peers[0].video && s.peers[0].video.framesDecoded > 30 && s.peers[0].link.pair;
  for (const p of [a, b]) {
    const s = await waitSnap(p, ready, 40000, `${p.knName} decodes over TURN`);
    const pair = s.peers[0].link.pair;
    console.log(`${p.knName}: selected pair ${fmt(pair)}`);
    check(pair.local.type === 'relay', `${p.knName}: local candidate is a TURN relay candidate`);
  }
  for (const p of [a, b]) {
    const m = Object.values(await measure(p, 4))[0];
    console.log(`${p.knName} receives over TURN: ${fmt(m)}`);
    check(m.decodeFps >= 15, `${p.knName}: video via TURN at ${m.decodeFps.toFixed(1)} fps`);
    check(m.audioSamples > 0, `${p.knName}: audio via TURN`);
  }
  // TURN over TCP only (the path left when a network blocks UDP).
  const c = await openRoom(chromium, roomLink(k, 'relay-tcp', 'host', { name: 'C', relay: 'tcp' }), { label: 'chromium-tcp' });
  const d = await openRoom(firefox, roomLink(k, 'relay-tcp', 'guest', { name: 'D', relay: 'tcp' }), { label: 'firefox-tcp' });
  for (const p of [c, d]) {
    const s = await waitSnap(p, ready, 40000, `${p.knName} decodes over TURN/TCP`);
    const pair = s.peers[0].link.pair;
    console.log(`${p.knName}: selected pair ${fmt(pair)}`);
    check(pair.local.type === 'relay' && pair.local.relayProtocol === 'tcp', `${p.knName}: relay candidate allocated over TCP`);
    const m = Object.values(await measure(p, 3))[0];
    console.log(`${p.knName} receives over TURN/TCP: ${fmt(m)}`);
    check(m.decodeFps >= 15, `${p.knName}: video via TURN/TCP at ${m.decodeFps.toFixed(1)} fps`);
  }
  const peers = await sfuPeers(k);
  check((Array.isArray(peers) ? peers.length : peers) === 0, 'no SFU peer: the media is P2P through TURN');
  const log = readFileSync(turn.logFile, 'utf8');
  const ok = log.split('\n').filter((l) => /ALLOCATE processed, success/.test(l));
  console.log(`coturn: ${ok.length} successful allocations`);
  check(ok.length >= 2, 'coturn allocated relays for both browsers with the TURN REST credentials');
});
