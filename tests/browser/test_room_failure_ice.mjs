// test_room_failure_ice.mjs: every media path fails. Chromium runs in a namespace that
// drops all incoming UDP (a clinic firewall) and the TURN server the join reply names is
// not running, so the P2P call with a Firefox participant cannot connect at all. Both
// pages must say "Verbindung nicht möglich" with the firewall guidance and a retry button
// (screenshots room-failure-ice-*); once coturn is up on the announced address, the
// button on the blocked page (a fresh join) brings the call up through TURN over TCP and
// the message goes away on both pages.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { runTest, check, sleep, startProcess, freeMediaPort, pidAlive, onCleanup, sourceDir } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { chromiumWrapper } from '../lib/netns.mjs';
import { udpBlockedNamespace } from './lib/room_netns.mjs';
import { startRoomServer, roomLink, openRoom, waitSnap, snap, measure, fmt } from './lib/room_pages.mjs';

const out = process.env.KONSIL_SCREENSHOT_DIR || join(sourceDir, 'docs', 'screenshots');
const banner = (p) => p.evaluate(() => (document.getElementById('banner').hidden ? null
  : { text: document.getElementById('banner-text').textContent, action: document.getElementById('banner-action').textContent }));

async function waitBanner(p, re, ms) {
  const end = Date.now() + ms;
  let b = null;
  while (Date.now() < end) {
    b = await banner(p);
    if (b && re.test(b.text)) return b;
    await sleep(250);
  }
  throw new Error(`${p.knName}: no banner matching ${re} within ${ms} ms; last ${JSON.stringify(b)}`);
}

runTest('room_failure_ice', 300, async () => {
  mkdirSync(out, { recursive: true });
  const net = udpBlockedNamespace();
  const dir = mkdtempSync(join(tmpdir(), 'konsil-coturn-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const turnPort = await freeMediaPort(net.ipRoot); // nothing listens here yet
  const k = await startRoomServer({
    KONSIL_TURN_URLS: `turn:${net.ipRoot}:${turnPort}?transport=udp,turn:${net.ipRoot}:${turnPort}?transport=tcp`,
    KONSIL_TURN_SECRET: 'S',
  }, { host: net.ipRoot, announceIp: net.ipRoot, tls: true });

  const blocked = await launchChromium({ executablePath: chromiumWrapper(net.ns) });
  const firefox = await launchFirefox();
  const a = await openRoom(blocked, roomLink(k, 'ice-1', 'guest', { name: 'Patientin', lang: 'de' }), { viewport: { width: 1280, height: 720 }, label: 'chromium-no-udp' });
  const b = await openRoom(firefox, roomLink(k, 'ice-1', 'host', { name: 'Praxis', lang: 'de' }), { label: 'firefox' });
  const t0 = Date.now();
  const msgs = [];
  for (const p of [a, b]) {
    const m = await waitBanner(p, /Verbindung nicht möglich/, 60000);
    msgs.push(m);
    console.log(`${p.knName}: after ${Date.now() - t0} ms: “${m.text}” [${m.action}]`);
    check(/Firewall/.test(m.text) && /IT/.test(m.text) && /mobiles Internet/.test(m.text) && m.action === 'Erneut versuchen',
      `${p.knName}: “Verbindung nicht möglich” with firewall guidance and a retry button`);
  }
  check(net.dropped() > 0, `UDP was tried and dropped (${net.dropped()} packets)`);
  for (const [vp, tag] of [[{ width: 1280, height: 720 }, 'desktop'], [{ width: 390, height: 844 }, 'phone']]) {
    await a.setViewportSize(vp);
    await sleep(400);
    check(!(await a.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)), `ice-${tag}: no horizontal overflow`);
    await a.screenshot({ path: join(out, `room-failure-ice-${tag}.png`) });
  }
  await a.click('#lang');
  const en = await banner(a);
  check(/Connection not possible/.test(en.text) && en.action === 'Try again', `English: “${en.text}” [${en.action}]`);
  await a.click('#lang');

  const turn = startProcess('/usr/bin/turnserver', ['-n', '--listening-port', String(turnPort),
    '--use-auth-secret', '--static-auth-secret', 'S', '--realm', 'konsil', '--listening-ip', net.ipRoot,
    '--relay-ip', net.ipRoot, '--allow-loopback-peers', '--no-cli', '--no-tls', '--no-dtls',
    '--min-port', '42000', '--max-port', '42999'], { logFile: join(dir, 'turnserver.out') });
  await sleep(800);
  check(pidAlive(turn.pid), `coturn now runs on ${net.ipRoot}:${turnPort}`);
  const t1 = Date.now();
  await a.click('#banner-action');
  const p2p = (s) => s.peers.length === 1 && s.peers[0].source === 'p2p' && s.peers[0].video && s.peers[0].video.framesDecoded > 30 && s.peers[0].link.pair;
  const sa = await waitSnap(a, p2p, 60000, 'P2P through TURN after the retry').catch(async (e) => {
    const sb = await snap(b).catch(() => null);
    console.log(`firefox side: ${JSON.stringify(sb && sb.peers.map((x) => ({ link: x.link, video: x.video, name: x.name })))}`);
    throw e;
  });
  console.log(`call up ${Date.now() - t1} ms after the retry; pair ${fmt(sa.peers[0].link.pair)}`);
  check(sa.peers[0].link.pair.local.type === 'relay' && sa.peers[0].link.pair.local.relayProtocol === 'tcp', 'blocked browser runs through TURN over TCP');
  for (const p of [a, b]) {
    const end = Date.now() + 20000;
    while (Date.now() < end && (await banner(p)) !== null) await sleep(250);
    check((await banner(p)) === null, `${p.knName}: message gone`);
    const m = Object.values(await measure(p, 3))[0];
    console.log(`${p.knName} receives: ${fmt(m)}`);
    check(m.decodeFps >= 15, `${p.knName}: video ${m.decodeFps.toFixed(1)} fps`);
  }
});
