// test_sfu_ice_tcp_chromium.mjs: ICE-TCP (RFC 6544 passive, RFC 4571 framing) with a real
// browser. Runs in a loopback-only namespace (unshare -n) where an nft input rule drops all
// UDP to the SFU's media port; the answers carry both the UDP and the `tcptype passive`
// candidate, so Chromium must fall back to TCP. One page publishes Opus + VP8, one page
// subscribes: it must decode >= 20 fps with audio energy, both pages' selected pairs must be
// TCP, peer.stats must say transport "tcp", and UDP checks must have been dropped. Closing
// the subscriber page must end its TCP connection: peer.closed reason "tcp", then
// peer.stats → not_found, while the publisher stays connected.
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, waitFor, window2 } from '../lib/browsers.mjs';
import { startSfu, startPageServer, publishDirect, subscribeDirect, selectedPair, inLoopbackNamespace, blockUdpPort } from './lib/sfu_control.mjs';

const ROOM = 'tcp';

async function waitEvent(ctl, pred, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const e = ctl.events.find(pred);
    if (e) return e;
    await sleep(100);
  }
  return null;
}

if (inLoopbackNamespace()) {
  runTest('sfu ice-tcp chromium', 150, async () => {
    const sfu = await startSfu();
    const { ctl } = sfu;
    const udpDropped = blockUdpPort(sfu.port);
    const info = await ctl.request('sfu.info');
    check(info.candidates.some((c) => c.transport === 'tcp' && c.tcptype === 'passive'), 'sfu.info offers a tcptype passive candidate');
    await ctl.request('room.create', { room: ROOM });

    const chromium = await launchChromium();
    const url = await startPageServer();
    const pubPage = await chromium.newPage(url);
    const subPage = await chromium.newPage(url);
    await publishDirect(ctl, ROOM, pubPage, 'pub');
    await subscribeDirect(ctl, ROOM, subPage, 'sub');

    await waitFor(subPage, 'sub', (s) => (s.in.video || {}).framesDecoded > 30, 30000, 'sub video over TCP');
    await sleep(1000);
    const w = await window2(subPage, 'sub', 5);
    const pairs = { pub: await selectedPair(pubPage, 'pub'), sub: await selectedPair(subPage, 'sub') };
    console.log(`sub: ${w.fps.toFixed(1)} fps over ${w.dt.toFixed(1)} s, ${w.b.in.video.frameWidth}x${w.b.in.video.frameHeight}, ` +
      `audio +${w.audioSamples} samples energy ${(w.b.in.audio || {}).totalAudioEnergy}, lost ${w.videoLost}, srtp ${w.b.transport.srtpCipher}`);
    console.log(`pairs: ${JSON.stringify(pairs)}; UDP packets dropped by nft: ${udpDropped()}`);
    check(w.fps >= 20, `sub decodes >= 20 fps over TCP (${w.fps.toFixed(1)})`);
    check(w.audioSamples > 0 && (w.b.in.audio || {}).totalAudioEnergy > 0, 'sub audio samples and energy increase');
    for (const [name, p] of Object.entries(pairs)) {
      check(p && p.protocol === 'tcp' && p.remoteProtocol === 'tcp', `${name}: Chromium selected a TCP pair (${p && p.protocol} -> ${p && p.remote})`);
    }
    check(udpDropped() > 0, `UDP to the media port was tried and dropped (${udpDropped()} packets)`);
    for (const name of ['pub', 'sub']) {
      const s = await ctl.request('peer.stats', { room: ROOM, peer: name });
      console.log(`${name} stats: transport ${s.transport} remote ${s.remote} rx ${s.rx.packets} tx ${s.tx.packets} dropped ${JSON.stringify(s.dropped)}`);
      check(s.state === 'connected' && s.transport === 'tcp', `${name}: peer.stats transport "tcp" (${s.transport})`);
    }
    const conn = ctl.events.filter((e) => e.event === 'peer.connected');
    check(conn.length === 2 && conn.every((e) => e.params.transport === 'tcp'), `peer.connected x2 with transport tcp (${JSON.stringify(conn.map((e) => e.params.transport))})`);

    const t0 = Date.now();
    await subPage.close();
    const closed = await waitEvent(ctl, (e) => e.event === 'peer.closed' && e.params.peer === 'sub', 10000);
    console.log(`peer.closed after ${Date.now() - t0} ms: ${JSON.stringify(closed)}`);
    check(closed && closed.params.reason === 'tcp', 'closing the subscriber page gives peer.closed reason "tcp"');
    const gone = await ctl.request('peer.stats', { room: ROOM, peer: 'sub' }).then(() => 'present', (e) => e.message);
    check(/not_found/.test(gone), `sub freed: peer.stats → not_found (${gone})`);
    const a = await ctl.request('peer.stats', { room: ROOM, peer: 'pub' });
    await sleep(2000);
    const b = await ctl.request('peer.stats', { room: ROOM, peer: 'pub' });
    check(b.state === 'connected' && b.rx.rtp_packets > a.rx.rtp_packets + 50, `publisher keeps sending over TCP (+${b.rx.rtp_packets - a.rx.rtp_packets} RTP in 2 s)`);
  });
}
