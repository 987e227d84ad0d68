// test_sfu_crash_restart.mjs: one konsil-sfu process of the pool dies (kill -9) during a
// call. konsil-signaling runs KONSIL_SFU_PROCESSES=2. Room crash-2 (a Chromium host and
// two Chromium listeners) starts first and is placed on one process; room crash-1 (Chromium
// A, Firefox B, Chromium C) on the other (least-loaded placement). The test reads crash-1's
// SFU PID from signaling's placement log line ("room R uses SFU room S on sfu I (pid P)"),
// kills exactly that PID and checks: signaling lives on (same PID), the process is
// restarted with a new PID, crash-1 moves to a live process and all three pages decode
// each other again within KONSIL_MAX_RECOVERY_MS (the longest gap between shown frames per
// tile is printed as the recovery time), names and tiles stay, no page reload, and the
// other room's listeners never stop seeing their host.
import { runTest, check, sleep, pidAlive } from '../lib/konsil.mjs';
import { launchChromium, launchFirefox } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, openRoom, snap, waitSnap, measure, fmt } from './lib/room_pages.mjs';

const MAX_RECOVERY_MS = Number(process.env.KONSIL_MAX_RECOVERY_MS || 6000);
const OTHER_ROOM_MAX_GAP_MS = 1000;

const onSfu = (n, minFrames = 10) => (s) => s.sig === 'open' && s.mode.mode === 'sfu' && s.peers.length === n &&
  s.peers.filter((p) => p.role !== 'listener').every((p) => p.source === 'sfu' && p.video && p.video.framesDecoded > minFrames);

// The placement line of `room` (the last one: rooms move after a crash).
function placement(k, room) {
  const re = new RegExp(`room ${room} uses SFU room (\\S+) on sfu (\\d+) \\(pid (\\d+)\\)`, 'g');
  const all = [...k.log().matchAll(re)];
  if (!all.length) return null;
  const m = all[all.length - 1];
  return { sfuRoom: m[1], member: Number(m[2]), pid: Number(m[3]) };
}

// PID of pool member `member` after its latest "up" line.
function memberPid(k, member) {
  const all = [...k.log().matchAll(new RegExp(`sfu ${member} \\(\\S+, pid (\\d+)\\) up`, 'g'))];
  return all.length ? Number(all[all.length - 1][1]) : null;
}

// In the page: every 50 ms, per remote tile, is the shown <video> blank (no frame size or
// every sampled pixel black)? Keeps the longest blank stretch per tile in window.knBlankProbe.
function startBlankProbe() {
  const cv = document.createElement('canvas');
  cv.width = cv.height = 16;
  const ctx = cv.getContext('2d', { willReadFrequently: true });
  const st = { longest: {}, since: {} };
  st.timer = setInterval(() => {
    const now = performance.now();
    for (const fig of document.querySelectorAll('figure.tile:not(.self)')) {
      const id = fig.dataset.participant;
      const v = fig.querySelector('video.shown');
      st.longest[id] = st.longest[id] || 0;
      let blank = !v || !v.videoWidth;
      if (!blank) {
        ctx.drawImage(v, 0, 0, 16, 16);
        const d = ctx.getImageData(0, 0, 16, 16).data;
        let sum = 0;
        for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
        blank = sum < 16 * 16 * 3 * 4; // mean below 4/255: black
      }
      if (!blank) { delete st.since[id]; continue; }
      if (st.since[id] === undefined) st.since[id] = now;
      st.longest[id] = Math.max(st.longest[id] || 0, Math.round(now - st.since[id]));
    }
  }, 50);
  window.knBlankProbe = st;
}

async function waitFor(what, ms, fn) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await sleep(200);
  }
  throw new Error(`timeout (${ms} ms) waiting for ${what}`);
}

runTest('sfu_crash_restart', 420, async () => {
  const k = await startRoomServer({ KONSIL_SFU_PROCESSES: '2' });
  await waitFor('both SFU processes up', 10000, () => memberPid(k, 0) && memberPid(k, 1));
  const [chromium, firefox] = [await launchChromium(), await launchFirefox()];
  const small = { width: 480, height: 300 };

  // ---- room crash-2: host + two listeners (SFU mode from three participants)
  const h = await openRoom(chromium, roomLink(k, 'crash-2', 'host', { name: 'Hanna' }), { label: 'chromium-H', viewport: small });
  const l1 = await openRoom(chromium, roomLink(k, 'crash-2', 'listener', { name: 'L1' }), { label: 'chromium-L1', viewport: small });
  const l2 = await openRoom(chromium, roomLink(k, 'crash-2', 'listener', { name: 'L2' }), { label: 'chromium-L2', viewport: small });
  for (const p of [l1, l2]) await waitSnap(p, onSfu(2), 45000, `${p.knName} decodes the host via the SFU`);
  const place2 = await waitFor('placement of crash-2', 5000, () => placement(k, 'crash-2'));

  // ---- room crash-1: A, B (Firefox), C
  const a = await openRoom(chromium, roomLink(k, 'crash-1', 'host', { name: 'Anna' }), { label: 'chromium-A' });
  const b = await openRoom(firefox, roomLink(k, 'crash-1', 'guest', { name: 'Ben' }), { label: 'firefox-B' });
  const c = await openRoom(chromium, roomLink(k, 'crash-1', 'guest', { name: 'Clara' }), { label: 'chromium-C', viewport: small });
  const room1 = [a, b, c];
  for (const p of room1) await waitSnap(p, onSfu(2, 30), 60000, `${p.knName} decodes both others via the SFU`);
  const place1 = await waitFor('placement of crash-1', 5000, () => placement(k, 'crash-1'));
  console.log(`placement: crash-2 on sfu ${place2.member} (pid ${place2.pid}), crash-1 on sfu ${place1.member} (pid ${place1.pid})`);
  check(place1.member !== place2.member, 'the two rooms are on different SFU processes (least-loaded placement)');
  check(pidAlive(place1.pid) && place1.pid !== k.pid, `crash-1's SFU pid ${place1.pid} is a live process other than signaling`);
  const before = {};
  for (const p of room1) before[p.knName] = await snap(p);
  for (const p of [...room1, l1, l2]) await p.evaluate(() => { window.knNoReload = true; });
  await sleep(1000);
  for (const p of [...room1, l1, l2]) await snap(p, true); // reset the gap counters

  // Samples every 50 ms what each remote tile shows: blank (no picture or all black) or a
  // picture (frozen or moving), to tell a freeze from a blank tile during the recovery.
  for (const p of room1) await p.evaluate(startBlankProbe);

  // ---- kill -9 exactly crash-1's SFU process
  const tKill = Date.now();
  process.kill(place1.pid, 'SIGKILL');
  console.log(`kill -9 ${place1.pid} (sfu ${place1.member})`);
  const restarted = await waitFor('the killed SFU process restarted', 15000, () => {
    const pid = memberPid(k, place1.member);
    return pid && pid !== place1.pid ? pid : null;
  });
  console.log(`sfu ${place1.member} restarted as pid ${restarted} after ${Date.now() - tKill} ms`);
  check(!pidAlive(place1.pid), `the killed pid ${place1.pid} is gone`);
  check(pidAlive(restarted), `the restarted SFU process ${restarted} runs`);
  check(pidAlive(k.pid), `konsil-signaling (pid ${k.pid}) still runs`);

  // ---- all three pages decode each other again
  const back = {};
  await Promise.all(room1.map(async (p) => {
    const s = await waitSnap(p, (x) => onSfu(2)(x) && x.peers.every((q) => q.tile.switches.some((w) => w.at >= tKill && w.to === 'sfu')),
      30000, `${p.knName} decodes both others again after the crash`);
    back[p.knName] = Date.now() - tKill;
    return s;
  }));
  const moved = placement(k, 'crash-1');
  console.log(`crash-1 now on sfu ${moved.member} (pid ${moved.pid}); pages back after ${fmt(back)} ms`);
  check(moved.sfuRoom && pidAlive(moved.pid), 'crash-1 is placed on a live SFU process');
  await sleep(1500);
  const gaps = [];
  for (const p of room1) {
    const s = await snap(p);
    for (const q of s.peers) {
      const sw = q.tile.switches.filter((w) => w.at >= tKill).pop();
      gaps.push({ page: p.knName, from: q.name, maxGapMs: q.tile.maxGapMs, swapAfterMs: sw ? sw.at - tKill : null });
    }
    check(s.peers.map((q) => q.name).sort().join() === before[p.knName].peers.map((q) => q.name).sort().join(),
      `${p.knName} keeps its tiles and names (${s.peers.map((q) => q.name).join(', ')})`);
    check(s.self.id === before[p.knName].self.id, `${p.knName} keeps its participant id`);
  }
  console.log(`recovery: longest shown-frame gap per tile across the crash: ${fmt(gaps)}`);
  const worst = Math.max(...gaps.map((g) => g.maxGapMs));
  console.log(`RESULT recovery_ms=${worst} (longest gap over ${gaps.length} tiles)`);
  for (const g of gaps) check(g.maxGapMs <= MAX_RECOVERY_MS, `${g.page} tile of ${g.from}: gap ${g.maxGapMs} ms <= ${MAX_RECOVERY_MS} ms`);
  const blanks = [];
  for (const p of room1) {
    const r = await p.evaluate(() => { clearInterval(window.knBlankProbe.timer); return window.knBlankProbe.longest; });
    for (const [id, ms] of Object.entries(r)) blanks.push({ page: p.knName, tile: id, longestBlankMs: ms });
  }
  console.log(`longest stretch a remote tile showed no picture (blank/black) during the recovery: ${fmt(blanks)}`);
  for (const x of blanks) check(x.longestBlankMs <= 250, `${x.page} tile ${x.tile}: the last picture stays while media is back (blank ${x.longestBlankMs} ms <= 250 ms)`);
  for (const p of room1) {
    const m = await measure(p, 3);
    for (const x of Object.values(m))
      check(x.source === 'sfu' && x.decodeFps >= 10 && x.audioSamples > 0, `${p.knName} decodes ${x.name} at ${x.decodeFps.toFixed(1)} fps with audio after the crash`);
  }

  // ---- the other room was not touched
  const p2 = placement(k, 'crash-2');
  check(p2.member === place2.member && p2.pid === place2.pid, `crash-2 stays on sfu ${place2.member} (pid ${place2.pid})`);
  check(!/sfu \d+ lost: room crash-2/.test(k.log()), 'crash-2 was not moved');
  for (const p of [l1, l2]) {
    const s = await snap(p);
    const host = s.peers.find((q) => q.role === 'host');
    console.log(`${p.knName} (other room) tile of the host across the crash: max gap ${host.tile.maxGapMs} ms`);
    check(host.tile.maxGapMs <= OTHER_ROOM_MAX_GAP_MS, `${p.knName}: the other room's video kept flowing (gap ${host.tile.maxGapMs} ms <= ${OTHER_ROOM_MAX_GAP_MS} ms)`);
  }
  for (const p of [...room1, l1, l2]) check(await p.evaluate(() => window.knNoReload === true), `${p.knName}: no page reload`);
  check(pidAlive(k.pid), `konsil-signaling pid ${k.pid} unchanged and alive`);
});
