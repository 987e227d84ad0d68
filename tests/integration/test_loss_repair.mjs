// test_loss_repair.mjs (root): NACK/RTX loss repair through konsil-sfu across a veth link.
// Namespace A holds konsil-signaling (+ its SFU, announcing A's veth address) and the
// publishing Chromium; namespace B holds the viewing Chromium. Run 1 measures the viewer's
// decoded fps without loss; run 2 drops 5 % of the UDP packets from the SFU on B's input
// hook (nft numgen). Asserts: fps within 10 % of run 1, no new freezes, ~5 % dropped per
// the nft counter, and the SFU retransmitted (tx.rtx_sent, tx.nacks_received of the viewer).
import { runTest, startKonsil, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, kn, waitFor, delta } from '../lib/browsers.mjs';
import { makePair, chromiumWrapper, lossTable } from '../lib/netns.mjs';

const WINDOW_S = 12;
const LOSS_PCT = 5;

async function measure(page, sub, k, room, loc, nft) {
  const s0 = await k.sfuPeerStats(room, loc);
  const n0 = nft.counters();
  const a = await kn(page, 'stats', sub);
  await sleep(WINDOW_S * 1000);
  const b = await kn(page, 'stats', sub);
  const n1 = nft.counters();
  const s1 = await k.sfuPeerStats(room, loc);
  const w = delta(a, b);
  const tx = (f) => (s1 && s0 ? s1.tx[f] - s0.tx[f] : NaN);
  return { w, all: n1.all - n0.all, drop: n1.drop - n0.drop, rtx: tx('rtx_sent'), nacks: tx('nacks_received'), s1 };
}

function show(label, m) {
  const v = m.w.b.in.video || {};
  console.log(`${label}: ${m.w.fps.toFixed(2)} fps decoded (${m.w.framesDecoded} frames / ${m.w.dt.toFixed(1)} s), ` +
    `${v.frameWidth}x${v.frameHeight}, freezes +${m.w.freezes}, packetsLost +${m.w.videoLost}, nackCount +${m.w.nacks}, ` +
    `nft ${m.drop}/${m.all} dropped (${(100 * m.drop / Math.max(1, m.all)).toFixed(2)} %), SFU rtx_sent +${m.rtx}, nacks_received +${m.nacks}`);
}

runTest('loss_repair', 300, async () => {
  check(process.getuid() === 0, 'running as root (network namespaces, nft)');
  const ns = makePair();
  console.log(`namespaces ${ns.a} (${ns.ipA}) and ${ns.b} (${ns.ipB})`);
  const k = await startKonsil({ netns: ns.a, host: ns.ipA, announceIp: ns.ipA });
  console.log(`konsil-signaling pid ${k.pid} on ${k.base} in ${ns.a}, media port ${k.mediaPort}, SFU pid ${k.sfuPid()}`);
  const nft = lossTable(ns.b, ns.ipA, k.mediaPort);

  const pubB = await launchChromium({ executablePath: chromiumWrapper(ns.a) });
  const subB = await launchChromium({ executablePath: chromiumWrapper(ns.b) });
  const pubPage = await pubB.newPage(`${k.base}/`);
  const subPage = await subB.newPage(`${k.base}/`);
  const room = 'loss';
  const pub = await kn(pubPage, 'publish', { url: k.whip(room), token: k.token(room, 'publish'), width: 640, height: 480 });
  const sub = await kn(subPage, 'subscribe', { url: k.whep(room), token: k.token(room, 'subscribe') });
  await waitFor(subPage, sub, (s) => (s.in.video || {}).framesDecoded > 0, 20000, 'viewer decoding');
  const loc = (await kn(subPage, 'info', sub)).location;
  await sleep(5000); // warm-up: let the publisher's bitrate ramp

  const clean = await measure(subPage, sub, k, room, loc, nft);
  show('run 1, no loss', clean);
  nft.addDrop(LOSS_PCT);
  await sleep(3000);
  const lossy = await measure(subPage, sub, k, room, loc, nft);
  show(`run 2, ${LOSS_PCT} % loss`, lossy);
  const pubStats = await kn(pubPage, 'stats', pub);
  console.log(`publisher: ${JSON.stringify(pubStats.out.video)}, srtp ${pubStats.transport.srtpCipher}`);

  check(clean.w.fps >= 15, `loss-free run decodes steadily (${clean.w.fps.toFixed(2)} fps)`);
  const ratio = lossy.w.fps / clean.w.fps;
  check(Math.abs(1 - ratio) <= 0.10, `fps with ${LOSS_PCT} % loss within 10 % of loss-free (${(100 * ratio).toFixed(1)} %)`);
  check(lossy.w.freezes === 0, `no new freezes during the lossy window (+${lossy.w.freezes})`);
  const pct = (100 * lossy.drop) / Math.max(1, lossy.all);
  check(lossy.all > 500 && pct >= 3 && pct <= 7.5, `nft dropped ~${LOSS_PCT} % of the SFU's packets (${lossy.drop}/${lossy.all} = ${pct.toFixed(2)} %)`);
  check(lossy.w.nacks > 0, `viewer sent NACKs (+${lossy.w.nacks})`);
  check(lossy.s1 !== null, 'SFU stats of the viewer peer reachable');
  check(lossy.nacks > 0, `SFU received NACKs from the viewer (+${lossy.nacks})`);
  check(lossy.rtx > 0, `SFU retransmitted (tx.rtx_sent +${lossy.rtx})`);
  const up = k.upState();
  check(up.ok, `both processes up, SFU not restarted (${up.text})`);
});
