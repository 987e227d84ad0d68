// test_sfu_xr_rtt_chromium.mjs: a receive-only Chromium learns its round-trip time from
// konsil-sfu's RTCP XR DLRR answers (RFC 3611). Subscriber A's answer carries
// a=rtcp-xr:rcvr-rtt=all: Chromium sends RRTR blocks, the SFU counts them (peer.stats
// rx.xr_rrtr) and answers each in the XR that follows every consumer SR (tx.xr_dlrr);
// Chromium's remote-outbound-rtp then reports roundTripTimeMeasurements > 0 and a loopback
// RTT. Subscriber B's answer lacks the line: no RRTR, no DLRR, no measurement (the
// control that shows the measurement comes from the XR exchange).
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, waitFor } from '../lib/browsers.mjs';
import { startSfu, startPageServer, publishDirect, subscribeDirect } from './lib/sfu_control.mjs';

const ROOM = 'xr';

function remoteOutbound(page, id) {
  return page.evaluate(async (id) => {
    const rep = await window.knTest.pcs[id].pc.getStats();
    const out = {};
    rep.forEach((s) => {
      if (s.type === 'remote-outbound-rtp') out[s.kind] = { rtt: s.roundTripTime, n: s.roundTripTimeMeasurements || 0, total: s.totalRoundTripTime };
    });
    return out;
  }, id);
}

runTest('sfu xr rtt chromium', 120, async () => {
  const { ctl } = await startSfu();
  await ctl.request('room.create', { room: ROOM });
  const chromium = await launchChromium();
  const url = await startPageServer();
  const pub = await chromium.newPage(url);
  const a = await chromium.newPage(url);
  const b = await chromium.newPage(url);
  await publishDirect(ctl, ROOM, pub, 'pub');
  await subscribeDirect(ctl, ROOM, a, 'a', 'pub', { rcvrRtt: true });
  await subscribeDirect(ctl, ROOM, b, 'b', 'pub', { rcvrRtt: false });
  for (const [page, id] of [[a, 'a'], [b, 'b']]) {
    await waitFor(page, id, (s) => (s.in.video || {}).framesDecoded > 30, 20000, `${id} video`);
  }
  await sleep(6000);
  const sa = await ctl.request('peer.stats', { room: ROOM, peer: 'a' });
  const sb = await ctl.request('peer.stats', { room: ROOM, peer: 'b' });
  const ra = await remoteOutbound(a, 'a');
  const rb = await remoteOutbound(b, 'b');
  console.log(`a: rx.xr_rrtr ${sa.rx.xr_rrtr} tx.xr_dlrr ${sa.tx.xr_dlrr} sfu rtt ${sa.rtt_ms} ms; Chromium remote-outbound ${JSON.stringify(ra)}`);
  console.log(`b: rx.xr_rrtr ${sb.rx.xr_rrtr} tx.xr_dlrr ${sb.tx.xr_dlrr}; Chromium remote-outbound ${JSON.stringify(rb)}`);
  check(sa.rx.xr_rrtr >= 3, `SFU received RRTRs from subscriber a (${sa.rx.xr_rrtr})`);
  check(sa.tx.xr_dlrr >= 3, `SFU answered with DLRR blocks (${sa.tx.xr_dlrr})`);
  for (const kind of ['video', 'audio']) {
    const r = ra[kind] || {};
    check(r.n >= 2, `a ${kind}: Chromium measured its RTT from DLRR ${r.n} times`);
    check(r.rtt > 0 && r.rtt < 0.1, `a ${kind}: loopback RTT ${r.rtt} s in (0, 0.1)`);
  }
  check(sb.rx.xr_rrtr === 0 && sb.tx.xr_dlrr === 0, `b without rcvr-rtt sends no RRTR (${sb.rx.xr_rrtr}) and gets no DLRR (${sb.tx.xr_dlrr})`);
  check(!((rb.video || {}).n > 0), `b has no XR RTT measurement (${JSON.stringify(rb.video)})`);
});
