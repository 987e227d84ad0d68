// test_room_udp_blocked.mjs: a patient whose network blocks UDP. Chromium runs in a
// network namespace that drops all incoming UDP; konsil-signaling, konsil-sfu and coturn
// listen on the root side of the veth (HTTPS). With a Firefox participant (root
// namespace) the P2P call must come up through TURN over TCP (default ICE policy, no
// hint from the page); after a third participant (Chromium, root namespace) joins, the
// blocked browser must publish and receive through the SFU over TCP (ICE-TCP to the SFU's
// passive candidate, or TURN/TCP).
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { runTest, check, sleep, startProcess, freeMediaPort, pidAlive, onCleanup, controlClient } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { chromiumWrapper } from '../lib/netns.mjs';
import { udpBlockedNamespace } from './lib/room_netns.mjs';
import { startRoomServer, roomLink, openRoom, waitSnap, measure, fmt } from './lib/room_pages.mjs';

runTest('room_udp_blocked', 300, async () => {
  const net = udpBlockedNamespace();
  const dir = mkdtempSync(join(tmpdir(), 'konsil-coturn-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const turnPort = await freeMediaPort(net.ipRoot);
  const turn = startProcess('/usr/bin/turnserver', ['-n', '--listening-port', String(turnPort),
    '--use-auth-secret', '--static-auth-secret', 'S', '--realm', 'konsil', '--listening-ip', net.ipRoot,
    '--relay-ip', net.ipRoot, '--allow-loopback-peers', '--no-cli', '--no-tls', '--no-dtls',
    '--min-port', '41000', '--max-port', '41999'], { logFile: join(dir, 'turnserver.out') });
  await sleep(800);
  check(pidAlive(turn.pid), `coturn runs on ${net.ipRoot}:${turnPort}`);
  const k = await startRoomServer({
    KONSIL_TURN_URLS: `turn:${net.ipRoot}:${turnPort}?transport=udp,turn:${net.ipRoot}:${turnPort}?transport=tcp`,
    KONSIL_TURN_SECRET: 'S',
  }, { host: net.ipRoot, announceIp: net.ipRoot, tls: true });
  console.log(`konsil-signaling on ${k.base}; Chromium in ${net.ns} (${net.ipNs}) without UDP`);

  const blocked = await launchChromium({ executablePath: chromiumWrapper(net.ns) });
  const [firefox, chromium] = [await launchFirefox(), await launchChromium()];
  const a = await openRoom(blocked, roomLink(k, 'udp-1', 'guest', { name: 'Patientin' }), { label: 'chromium-no-udp' });
  const b = await openRoom(firefox, roomLink(k, 'udp-1', 'host', { name: 'Praxis' }), { label: 'firefox' });
  const p2p = (s) => s.mode.mode === 'p2p' && s.peers.length === 1 && s.peers[0].source === 'p2p' &&
    s.peers[0].video && s.peers[0].video.framesDecoded > 30 && s.peers[0].link.pair;
  const sa = await waitSnap(a, p2p, 45000, 'P2P video without UDP');
  await waitSnap(b, p2p, 20000, 'Firefox decodes the blocked browser');
  const pair = sa.peers[0].link.pair;
  console.log(`blocked browser P2P pair: ${fmt(pair)}; UDP packets dropped so far: ${net.dropped()}`);
  check(pair.local.type === 'relay' && pair.local.relayProtocol === 'tcp', 'P2P runs through TURN over TCP');
  check(net.dropped() > 0, 'UDP was tried and dropped');
  for (const p of [a, b]) {
    const m = Object.values(await measure(p, 3))[0];
    console.log(`${p.knName} receives P2P: ${fmt(m)}`);
    check(m.decodeFps >= 15 && m.audioSamples > 0, `${p.knName}: video ${m.decodeFps.toFixed(1)} fps and audio`);
  }

  await openRoom(chromium, roomLink(k, 'udp-1', 'guest', { name: 'Dolmetscher' }), { label: 'chromium' });
  const sfu = (s) => s.mode.mode === 'sfu' && s.peers.length === 2 && s.publisher && s.publisher.pair &&
    s.peers.every((x) => x.source === 'sfu' && x.video && x.video.framesDecoded > 10);
  const ss = await waitSnap(a, sfu, 45000, 'blocked browser in SFU mode');
  console.log(`blocked browser SFU publish pair: ${fmt(ss.publisher.pair)}, subscribe pair: ${fmt(ss.subscriber.pair)}`);
  // Either ICE-TCP straight to the SFU's passive TCP candidate or TURN over TCP (the SFU
  // connections get the same ICE servers); which one wins the race varies.
  const via = (pair) => (pair.local.protocol === 'tcp' && pair.remote.protocol === 'tcp' ? 'ICE-TCP'
    : pair.local.type === 'relay' && pair.local.relayProtocol === 'tcp' ? 'TURN/TCP' : null);
  check(via(ss.publisher.pair) !== null, `publish connection runs over TCP (${via(ss.publisher.pair)})`);
  check(ss.subscriber.pair && via(ss.subscriber.pair) !== null, `subscribe connection runs over TCP (${ss.subscriber.pair && via(ss.subscriber.pair)})`);
  const m = await measure(a, 3);
  console.log(`blocked browser receives via the SFU: ${fmt(m)}`);
  for (const x of Object.values(m)) check(x.decodeFps >= 10, `blocked browser decodes ${x.name} via the SFU at ${x.decodeFps.toFixed(1)} fps`);
  const sb = await waitSnap(b, sfu, 20000, 'Firefox in SFU mode').catch(async (e) => { await diagnose(k, b); throw e; });
  check(sb.peers.some((x) => x.name === 'Patientin'), 'Firefox decodes the blocked browser via the SFU');
});

// On failure: the Firefox subscribe connection's SDP and inbound-rtp, and what the SFU
// holds and forwards for every peer of the room.
async function diagnose(k, page) {
  const d = await page.evaluate(() => window.knRoom.subscriberDebug()).catch((e) => ({ error: String(e) }));
  console.log(`firefox subscriber: ${JSON.stringify(d, null, 1)}`);
  const [, room, sfuIndex] = /uses SFU room (\S+) on sfu (\d+)/.exec(k.log()) || [null, null, '0'];
  const ids = [...new Set([...k.log().matchAll(/(p[0-9a-f]{8}) joined room/g)].map((x) => x[1]))];
  const ctl = await controlClient(join(k.stateDir, `sfu-${sfuIndex}.sock`)); // the SFU process holding the room
  for (const id of ids) for (const peer of [`${id}.pub1`, `${id}.sub1`, `${id}.sub2`]) {
    const st = await ctl.request('peer.stats', { room, peer }).catch(() => null);
    if (st) console.log(`sfu ${peer}: ${JSON.stringify({ state: st.state, rx: st.rx, tx: st.tx, dropped: st.dropped, producers: st.producers, consumers: st.consumers })}`);
  }
  ctl.close();
}
