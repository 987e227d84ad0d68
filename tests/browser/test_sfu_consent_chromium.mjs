// test_sfu_consent_chromium.mjs: consent freshness (RFC 7675). In a loopback-only namespace
// one Chromium page publishes to two subscriber pages through konsil-sfu (control API
// driven, --consent-timeout KN_CONSENT_S, default 8 s; the production default is 30 s).
// Closing a subscriber page stops its STUN checks; the SFU must emit peer.closed with reason
// "consent" within the timeout (+ tick and check-interval slack), free the peer
// (peer.stats → not_found), and the other subscriber must keep decoding >= 20 fps.
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium, waitFor, window2 } from '../lib/browsers.mjs';
import { startSfu, startPageServer, publishDirect, subscribeDirect, inLoopbackNamespace } from './lib/sfu_control.mjs';

const ROOM = 'consent';
const CONSENT_S = Number(process.env.KN_CONSENT_S || 8);

if (inLoopbackNamespace()) {
  runTest('sfu consent chromium', 90 + 2 * CONSENT_S, async () => {
    const { ctl } = await startSfu({ extraArgs: ['--consent-timeout', String(CONSENT_S)] });
    await ctl.request('room.create', { room: ROOM });
    const chromium = await launchChromium();
    const url = await startPageServer();
    const pubPage = await chromium.newPage(url);
    const subPages = [await chromium.newPage(url), await chromium.newPage(url)];
    await publishDirect(ctl, ROOM, pubPage, 'pub');
    await subscribeDirect(ctl, ROOM, subPages[0], 'sub1');
    await subscribeDirect(ctl, ROOM, subPages[1], 'sub2');
    for (const [i, page] of subPages.entries()) {
      await waitFor(page, `sub${i + 1}`, (s) => (s.in.video || {}).framesDecoded > 30, 20000, `sub${i + 1} video`);
    }
    // Outlive one consent period with checks flowing: live peers must not expire.
    await sleep((CONSENT_S + 2) * 1000);
    check(!ctl.events.some((e) => e.event === 'peer.closed'), `no peer closed while checks flow (${CONSENT_S + 2} s)`);

    const t0 = Date.now();
    await subPages[0].close();
    let closed = null;
    while (!closed && Date.now() - t0 < (CONSENT_S + 10) * 1000) {
      closed = ctl.events.find((e) => e.event === 'peer.closed' && e.params.peer === 'sub1');
      if (!closed) await sleep(100);
    }
    const dt = (Date.now() - t0) / 1000;
    console.log(`peer.closed ${JSON.stringify(closed)} ${dt.toFixed(1)} s after the page closed (timeout ${CONSENT_S} s)`);
    check(closed && closed.params.reason === 'consent', `closed subscriber: peer.closed reason "consent" (${closed && closed.params.reason})`);
    // The last check came up to one Chrome check interval (~2.5 s) before the close.
    check(dt >= CONSENT_S - 4 && dt <= CONSENT_S + 3, `closed within the consent timeout window (${dt.toFixed(1)} s)`);
    const gone = await ctl.request('peer.stats', { room: ROOM, peer: 'sub1' }).then(() => 'present', (e) => e.message);
    check(/not_found/.test(gone), `sub1 freed: peer.stats → not_found (${gone})`);

    const w = await window2(subPages[1], 'sub2', 4);
    console.log(`sub2 after: ${w.fps.toFixed(1)} fps, audio +${w.audioSamples} samples`);
    check(w.fps >= 20 && w.audioSamples > 0, `sub2 keeps decoding (${w.fps.toFixed(1)} fps)`);
    const others = ctl.events.filter((e) => e.event === 'peer.closed' && e.params.peer !== 'sub1');
    check(others.length === 0, `no other peer closed (${JSON.stringify(others)})`);
    for (const name of ['pub', 'sub2']) {
      const s = await ctl.request('peer.stats', { room: ROOM, peer: name });
      check(s.state === 'connected', `${name} still connected`);
    }
  });
}
