// test_room_failure_ice_restart.mjs: recovery by ICE restart alone after a total
// failure. Chromium runs in a namespace that drops all incoming UDP and the TURN server
// the join reply names is not running, so the P2P link with a Firefox participant never
// connects (no path ever worked, the data channel never opened). Then coturn starts and
// nobody clicks anything: the links' repeated ICE restarts (p2p.js: offerer-only offers,
// one at a time, the answerer asks over signaling) must bring up P2P media both ways over
// TURN/TCP and the data channel (each page learns the other's name over it). Logs which
// browser was the offerer and the time from coturn's start to the recovered call. Runs
// twice: Firefox offering (Chromium answerer), then Chromium offering (Firefox answerer),
// each with its own server and TURN port.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { runTest, check, sleep, startProcess, freeMediaPort, pidAlive, onCleanup } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { chromiumWrapper } from '../lib/netns.mjs';
import { udpBlockedNamespace } from './lib/room_netns.mjs';
import { startRoomServer, roomLink, openRoom, waitSnap, snap, measure, fmt } from './lib/room_pages.mjs';

const linkState = (s) => (s && s.peers.length === 1 && s.peers[0].link ? s.peers[0].link : null);

// One failure and recovery; the participant that joins second offers (firefoxFirst:
// Chromium offers).
async function scenario(net, dir, blocked, firefox, firefoxFirst) {
  const room = firefoxFirst ? 'ice-r2' : 'ice-r1';
  const turnPort = await freeMediaPort(net.ipRoot); // nothing listens here yet
  const k = await startRoomServer({
    KONSIL_TURN_URLS: `turn:${net.ipRoot}:${turnPort}?transport=udp,turn:${net.ipRoot}:${turnPort}?transport=tcp`,
    KONSIL_TURN_SECRET: 'S',
  }, { host: net.ipRoot, announceIp: net.ipRoot, tls: true });

  const open = (br, role, name, label) => openRoom(br, roomLink(k, room, role, { name, lang: 'de' }), { label });
  let a;
  let b;
  if (firefoxFirst) {
    b = await open(firefox, 'host', 'Praxis', 'firefox');
    a = await open(blocked, 'guest', 'Patientin', 'chromium-no-udp');
  } else {
    a = await open(blocked, 'guest', 'Patientin', 'chromium-no-udp');
    b = await open(firefox, 'host', 'Praxis', 'firefox');
  }
  const t0 = Date.now();
  const noPath = (p) => p.evaluate(() => !document.getElementById('banner').hidden &&
    /Verbindung nicht möglich/.test(document.getElementById('banner-text').textContent));
  for (const p of [a, b]) {
    const end = Date.now() + 60000;
    while (Date.now() < end && !(await noPath(p))) await sleep(250);
    const s = await snap(p);
    check((await noPath(p)) && linkState(s).state !== 'connected', `${p.knName}: “Verbindung nicht möglich”, link ${linkState(s).state}`);
    console.log(`${p.knName}: no path after ${Date.now() - t0} ms (link ${linkState(s).state}, offerer: ${linkState(s).offerer})`);
  }
  const sa0 = await snap(a);
  const sb0 = await snap(b);
  check(sa0.peers[0].name !== 'Praxis' && sb0.peers[0].name !== 'Patientin', 'no name came over the never-opened data channel');
  check(net.dropped() > 0, `UDP was tried and dropped (${net.dropped()} packets)`);
  const offerer = linkState(sa0).offerer ? 'chromium' : 'firefox';
  console.log(`offerer: ${offerer}, answerer: ${offerer === 'chromium' ? 'firefox' : 'chromium'}`);
  await sleep(3000); // a few restarts run into the void first

  const turn = startProcess('/usr/bin/turnserver', ['-n', '--listening-port', String(turnPort),
    '--use-auth-secret', '--static-auth-secret', 'S', '--realm', 'konsil', '--listening-ip', net.ipRoot,
    '--relay-ip', net.ipRoot, '--allow-loopback-peers', '--no-cli', '--no-tls', '--no-dtls',
    '--min-port', '42000', '--max-port', '42999'], { logFile: join(dir, `turnserver-${room}.out`) });
  const t1 = Date.now();
  await sleep(500);
  check(pidAlive(turn.pid), `coturn now runs on ${net.ipRoot}:${turnPort}`);
  const up = (name) => (s) => s.peers.length === 1 && s.peers[0].source === 'p2p' && s.peers[0].video &&
    s.peers[0].video.framesDecoded > 30 && s.peers[0].link.pair && s.peers[0].name === name;
  const times = {};
  let sa = null;
  for (const [p, name] of [[a, 'Praxis'], [b, 'Patientin']]) {
    const s = await waitSnap(p, up(name), 60000, `P2P media and the name ${name} after ICE restarts`).catch(async (e) => {
      for (const q of [a, b]) {
        const x = await snap(q).catch(() => null);
        console.log(`${q.knName}: ${JSON.stringify(x && x.peers.map((y) => ({ link: y.link, video: y.video, name: y.name, source: y.source })))}`);
      }
      throw e;
    });
    times[p.knName] = Date.now() - t1;
    if (p === a) sa = s;
    console.log(`${p.knName}: P2P video + name "${name}" ${times[p.knName]} ms after coturn started; pair ${fmt(s.peers[0].link.pair)}`);
  }
  check(sa.peers[0].link.pair.local.type === 'relay' && sa.peers[0].link.pair.local.relayProtocol === 'tcp', 'blocked browser runs through TURN over TCP');
  for (const p of [a, b]) {
    const m = Object.values(await measure(p, 3))[0];
    console.log(`${p.knName} receives: ${fmt(m)}`);
    check(m.decodeFps >= 15, `${p.knName}: video ${m.decodeFps.toFixed(1)} fps over the restarted link`);
    check(m.audioSamples > 0, `${p.knName}: audio samples received (${m.audioSamples})`);
  }
  check(offerer === (firefoxFirst ? 'chromium' : 'firefox'), `${offerer} offered (joined second)`);
  console.log(`recovery (offerer ${offerer}): ${Math.max(...Object.values(times))} ms after coturn started`);
  await a.close();
  await b.close();
}

runTest('room_failure_ice_restart', 300, async () => {
  const net = udpBlockedNamespace();
  const dir = mkdtempSync(join(tmpdir(), 'konsil-coturn-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const blocked = await launchChromium({ executablePath: chromiumWrapper(net.ns) });
  const firefox = await launchFirefox();
  await scenario(net, dir, blocked, firefox, false); // Firefox offers, Chromium answers
  await scenario(net, dir, blocked, firefox, true); // Chromium offers, Firefox answers
});
